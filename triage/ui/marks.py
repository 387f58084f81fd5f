"""Timing marks for the start-up benchmark (benchmarks/bench_workspace.py).

When ``TRIAGE_MARKS_FILE`` is set, :func:`mark` appends ``name wall-clock-time``
lines to it; otherwise it does nothing. Only the first mark of each name is
written, so "first_frame" and "loaded" mean the first time.
"""

from __future__ import annotations

import os
import time

_seen: set[str] = set()


def mark(name: str) -> None:
    """Record that ``name`` happened now (once per process)."""
    path = os.environ.get("TRIAGE_MARKS_FILE")
    if not path or name in _seen:
        return
    _seen.add(name)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{name} {time.time():.6f}\n")
