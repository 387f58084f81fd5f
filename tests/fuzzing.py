"""Shared hypothesis set-up for the parser fuzz tests: profiles and byte mutations.

Profiles are registered here, once, and loaded by ``tests/conftest.py``:

* ``ci`` (default): few derandomized examples and no deadline, so the normal
  suite stays fast and never flakes on a slow shared machine;
* ``long``: thousands of random examples for a local hunt
  (``HYPOTHESIS_PROFILE=long pytest tests/goroutines/test_fuzz_dump.py``).

:func:`mutations` turns a real sample (a recorded dump, a profile, a binary)
into the hostile variants a user can hand us: cut at any byte, lines repeated
or shuffled, NUL, CRLF, invalid UTF-8, UTF-16, huge numbers, huge lines, bit
flips. Fuzz tests assert that only :class:`triage.errors.TriageError` escapes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.generate),  # shrinking a slow parser input can take minutes
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)
settings.register_profile(
    "long",
    max_examples=3000,
    deadline=None,
    print_blob=True,
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large),
)


def load_profile() -> None:
    """Load ``$HYPOTHESIS_PROFILE`` (``ci`` when unset)."""
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: mutation names, for ``mutations(sample, ops=...)`` to restrict what is applied
OPS = (
    "cut",
    "drop",
    "dup_lines",
    "shuffle_lines",
    "nul",
    "crlf",
    "bad_utf8",
    "utf16",
    "huge_number",
    "huge_line",
    "bitflip",
    "splice",
)


def _line_bounds(data: bytes) -> list[tuple[int, int]]:
    bounds = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl + 1
        bounds.append((pos, end))
        pos = end
    return bounds


@st.composite
def _apply(draw: st.DrawFn, data: bytes, op: str) -> bytes:
    """One mutation of ``data``; positions are drawn so shrinking moves them."""
    size = len(data)
    at = draw(st.integers(0, size))
    if op == "cut":
        return data[:at]
    if op == "drop":
        length = draw(st.integers(1, 4096))
        return data[:at] + data[at + length :]
    if op == "nul":
        return data[:at] + b"\x00" * draw(st.integers(1, 8)) + data[at:]
    if op == "crlf":
        return data.replace(b"\n", b"\r\n")
    if op == "bad_utf8":
        junk = draw(
            st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"])
        )
        return data[:at] + junk + data[at:]
    if op == "utf16":
        return data.decode("utf-8", "replace").encode(
            draw(st.sampled_from(["utf-16", "utf-16-le"]))
        )
    if op == "bitflip":
        if not size:
            return data
        i = min(at, size - 1)
        return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
    if op == "splice":
        length = draw(st.integers(1, 2048))
        where = draw(st.integers(0, size))
        return data[:where] + data[at : at + length] + data[where:]
    lines = _line_bounds(data)
    if not lines:
        return data
    if op == "huge_number":
        digits = draw(st.sampled_from(["9" * 30, "18446744073709551616", "-1", "0" * 400]))
        i = min(at, size - 1)
        j = i
        while j < size and data[j : j + 1].isdigit():
            j += 1
        return data[:i] + digits.encode() + data[j:]
    a, b = lines[draw(st.integers(0, len(lines) - 1))]
    if op == "dup_lines":
        times = draw(st.integers(2, 64))
        return data[:b] + data[a:b] * (times - 1) + data[b:]
    if op == "huge_line":
        filler = draw(st.sampled_from([b"(", b"goroutine ", b"x", b" ", b"0x1, ", b"\t"]))
        times = draw(st.integers(1000, 100_000))
        cut = draw(st.integers(a, b))
        return data[:cut] + filler * times + data[cut:]
    # shuffle_lines: rotate a window of lines
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(i, min(len(lines) - 1, i + 64)))
    window = [data[x:y] for x, y in lines[i : j + 1]]
    order = draw(st.permutations(window))
    return data[: lines[i][0]] + b"".join(order) + data[lines[j][1] :]


@st.composite
def _mutated(draw: st.DrawFn, sample: bytes, ops: tuple[str, ...], max_steps: int) -> bytes:
    data = sample
    for _ in range(draw(st.integers(1, max_steps))):
        data = draw(_apply(data, draw(st.sampled_from(ops))))
    return data


def mutations(
    sample: bytes, *, ops: tuple[str, ...] = OPS, max_steps: int = 3
) -> st.SearchStrategy[bytes]:
    """Strategy: ``sample`` after 1..``max_steps`` byte-level mutations from ``ops``."""
    unknown = set(ops) - set(OPS)
    if unknown:
        raise ValueError(f"unknown mutations: {sorted(unknown)}")
    return _mutated(sample, ops, max_steps)


def cost_ratio(run: Callable[[Any], object], small: Any, big: Any, repeat: int = 3) -> float:
    """Best-of-``repeat`` time of ``run(big)`` over ``run(small)``.

    For complexity checks, not budgets: compare against the size ratio with a
    generous factor (a quadratic parser at 8x the input costs 64x, a linear one 8x).
    """

    def best(arg: Any) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run(arg)
            times.append(time.perf_counter() - t0)
        return min(times)

    return best(big) / max(best(small), 1e-4)
