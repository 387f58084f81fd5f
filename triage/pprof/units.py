"""Human-readable sample values: ``480ms``, ``1.5MB``, ``41``, as pprof prints them.

Memory uses 1024-based steps with pprof's spellings (kB, MB, GB), time picks
the largest unit that keeps the number at or above one, counts stay integers.
"""

from __future__ import annotations

import math

_TIME = (("h", 3600e9), ("min", 60e9), ("s", 1e9), ("ms", 1e6), ("us", 1e3), ("ns", 1.0))
_TIME_UNITS = {"nanoseconds": 1.0, "ns": 1.0, "microseconds": 1e3, "milliseconds": 1e6}
_TIME_UNITS["seconds"] = 1e9
_MEMORY = (("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10), ("B", 1))


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: int, unit: str) -> str:
    """``value`` in ``unit`` (a profile's unit name) as a short human string."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if unit in _TIME_UNITS:
        nanos = magnitude * _TIME_UNITS[unit]
        if nanos == 0:
            return "0"
        for suffix, size in _TIME:
            if nanos >= size:
                return f"{sign}{_number(nanos / size)}{suffix}"
        return f"{sign}{_number(nanos)}ns"
    if unit in ("bytes", "B"):
        if magnitude == 0:
            return "0"
        for suffix, size in _MEMORY:
            if magnitude >= size:
                return f"{sign}{_number(magnitude / size)}{suffix}"
    if unit in ("count", ""):
        return f"{value}"
    return f"{value} {unit}"


#: below this a share prints as ``<0.001%``: more digits say nothing to a reader
SMALLEST_PERCENT = 0.001


def format_percent(value: float) -> str:
    """A percentage the way pprof prints it: ``12.10%``, ``100%``, ``0.0057%``; signed."""
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if 99.95 <= magnitude <= 100.05:
        return f"{sign}100%"
    if magnitude >= 1.0:
        return f"{sign}{magnitude:.2f}%"
    if magnitude == 0:
        return "0%"
    if magnitude < SMALLEST_PERCENT:  # never scientific notation (5.8e-05%)
        return f"{sign}<{SMALLEST_PERCENT:g}%"
    # two significant digits in plain decimals: 0.57%, 0.0057%
    digits = 1 - math.floor(math.log10(magnitude))
    text = f"{magnitude:.{digits}f}"
    return f"{sign}{text.rstrip('0').rstrip('.') if '.' in text else text}%"
