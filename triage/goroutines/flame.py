"""Goroutine dumps as flame graphs, weighted by goroutine count.

Each group becomes one stack, root first, with its state as an extra leaf frame
(``[chan receive]``), so a SIGQUIT dump reads as a picture of where goroutines
wait. Works for debug=2 text and debug=1 counts alike (debug=0 goroutine
profiles are pprof profiles and go through triage.pprof directly).
"""

from __future__ import annotations

from collections.abc import Iterator

from triage.goroutines import DumpAnalysis
from triage.pprof.model import Function, Line, Location, Profile, ValueType
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


def goroutine_profile(item: DumpAnalysis, name: str) -> Profile:
    """The dump as a goroutine/count profile, so every pprof view and export applies.

    One sample per group (value: its goroutine count), one location per
    distinct frame; the state pseudo-frame is the leaf.
    """
    functions: dict[tuple[str, str], Function] = {}
    locations: dict[tuple[str, str, int], Location] = {}
    stacks: list[tuple[int, ...]] = []
    values: list[int] = []
    for frames, count in goroutine_stacks(item):
        ids = []
        for frame in reversed(frames):  # profile stacks are leaf first
            key = (frame.name, frame.file, frame.line)
            location = locations.get(key)
            if location is None:
                function = functions.get(key[:2])
                if function is None:
                    function = Function(len(functions) + 1, frame.name, frame.name, frame.file)
                    functions[key[:2]] = function
                location = Location(len(locations) + 1, lines=(Line(function, frame.line),))
                locations[key] = location
            ids.append(location.id)
        stacks.append(tuple(ids))
        values.append(count)
    return Profile(
        sample_types=[ValueType("goroutine", "count")],
        stacks=stacks,
        values=values,
        locations={loc.id: loc for loc in locations.values()},
        functions={f.id: f for f in functions.values()},
        default_sample_type="goroutine",
        name=name,
    )
