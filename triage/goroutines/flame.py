"""Goroutine dumps as flame graphs, weighted by goroutine count.

Each group becomes one stack, root first, with its state as an extra leaf frame
(``[chan receive]``), so a SIGQUIT dump reads as a picture of where goroutines
wait. Works for debug=2 text and debug=1 counts alike (debug=0 goroutine
profiles are pprof profiles and go through triage.pprof directly).
"""

from __future__ import annotations

from collections.abc import Iterator

from triage.goroutines import DumpAnalysis
from triage.pprof.tree import CallTree, Frame, tree_from_stacks


def state_frame(state: str) -> Frame:
    """The pseudo-frame that shows a group's state on its leaf."""
    return Frame(f"[{state}]")


def goroutine_stacks(item: DumpAnalysis) -> Iterator[tuple[list[Frame], int]]:
    """``(frames root->leaf + state, goroutine count)`` per group."""
    for group in item.groups:
        outer = list(group.frames)
        while outer and outer[-1].func == "runtime.goexit":  # system level prints it: no news
            outer.pop()
        frames = [Frame(f.func, f.file, f.line) for f in reversed(outer)]
        frames.append(state_frame(group.state))
        yield frames, group.count


def goroutine_tree(item: DumpAnalysis, main_module: str | None = None) -> CallTree:
    """The flame graph tree of a dump (sample type goroutine/count)."""
    return tree_from_stacks(goroutine_stacks(item), main_module=main_module)
