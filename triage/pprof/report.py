"""The top table as text, laid out like ``go tool pprof -top`` with an origin mark.

Columns are pprof's (flat, flat%, sum%, cum, cum%), so people who know pprof
read it at once; each name is preceded by its origin mark (colour, when on, is
only a second cue). Percentages are of pprof's total: the sum of absolute
values, or the base profile's in a diff.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from triage.pprof.model import Profile
from triage.pprof.origin import Origin
from triage.pprof.tree import CallTree
from triage.pprof.units import format_percent, format_value
from triage.pprof.views import top_rows

_STYLE = {
    Origin.OWN: ("byellow",),
    Origin.DEPENDENCY: ("cyan",),
    Origin.STDLIB: ("green",),
    Origin.RUNTIME: ("dim",),
    Origin.UNKNOWN: ("dim",),
}

Paint = Callable[..., str]


def _plain(text: str, *styles: str) -> str:
    return text


def header(profile: Profile, tree: CallTree) -> list[str]:
    """What the profile is: binary, sample type, time, duration, total."""
    out = []
    main = next(iter(profile.mappings.values()), None)
    if main is not None and main.filename:
        out.append(f"File: {os.path.basename(main.filename)}")
    unit = tree.unit
    out.append(f"Type: {tree.sample_type.type} ({unit})")
    if profile.time_nanos:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(profile.time_nanos / 1e9))
        out.append(f"Time: {stamp}")
    total = f"Total: {format_value(tree.total, unit)}"
    if tree.is_diff:
        total += f" (diff; base total {format_value(tree.abs_total, unit)})"
    if profile.duration_nanos:
        seconds = profile.duration_nanos / 1e9
        total = f"Duration: {seconds:.2f}s, {total}"
    out.append(total)
    module = tree.main_module or "(only package main)"
    out.append(f"Own module: {module}")
    return out


def top_report(
    profile: Profile,
    tree: CallTree,
    *,
    limit: int = 20,
    sort: str = "flat",
    paint: Paint = _plain,
) -> Iterator[str]:
    """Header, column titles and one line per function (``limit`` 0: all)."""
    yield from header(profile, tree)
    rows = top_rows(tree, sort)
    shown = rows if limit == 0 else rows[:limit]
    unit = tree.unit
    yield (
        f"Showing {len(shown)} of {len(rows)} functions, sorted by {sort}; "
        "origin: * own  + dependency  = stdlib  ~ runtime"
    )
    yield f"{'flat':>10} {'flat%':>7} {'sum%':>7} {'cum':>10} {'cum%':>7}  function"
    running = 0.0
    for row in shown:
        flat_pct = tree.percent(row.flat)
        running += flat_pct
        flat = f"{format_value(row.flat, unit):>10}"
        if tree.is_diff and row.flat:
            flat = paint(flat, "red" if row.flat > 0 else "green")
        name = paint(f"{row.origin.mark} {row.name}", *_STYLE[row.origin])
        yield (
            f"{flat} {format_percent(flat_pct):>7} {format_percent(running):>7} "
            f"{format_value(row.cum, unit):>10} {format_percent(tree.percent(row.cum)):>7}  {name}"
        )
