"""The profile's own drop_frames/keep_frames regexes, applied as pprof applies them.

Profilers other than Go's (tcmalloc, for one) name frames to leave out, such
as the allocator's internals, so that samples count against the caller. pprof
applies them to every profile it reads (``RemoveUninteresting``); so does
triage, when building a tree. The rules follow pprof's ``profile.Prune``:

* a regex matches a whole function name (RE2 syntax and linear time, as Go
  runs it: see rematch.py; a profile's pattern never reaches ``re``), after
  pprof's simplification (cut at the first ``(``, so Go methods match as ``pkg.``);
* in a location, the outermost matching line is removed with the lines inlined
  into it; if that was the location's outermost line, the whole location goes;
* in a sample, scanning from the root and after the first location that is
  kept whole, the first location that lost lines ends the stack (it stays,
  trimmed), and the first removed location ends it just above.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from triage.errors import BadInput
from triage.pprof.model import Location, Profile
from triage.pprof.rematch import PatternError, WholeMatcher

_RESERVED = ("(anonymous namespace)", "operator()")


def simplify(name: str) -> str:
    """pprof's simplifyFunc: drop an argument list (from the first "("), keep reserved names."""
    name = name.removeprefix(".")
    for match in re.finditer(r"\(anonymous namespace\)|operator\(\)|\(", name):
        if match.group(0) not in _RESERVED:
            return name[: match.start()]
    return name


def apply_drop_frames(profile: Profile) -> Profile:
    """A copy of ``profile`` with drop_frames/keep_frames applied (itself when unset)."""
    if not profile.drop_frames:
        return profile
    drop = _compile(profile, profile.drop_frames)
    keep = _compile(profile, profile.keep_frames) if profile.keep_frames else None
    cache: dict[str, bool] = {}

    def pruned(name: str) -> bool:
        if name not in cache:
            simple = simplify(name)
            cache[name] = drop.fullmatch(simple) and not (
                keep is not None and keep.fullmatch(simple)
            )
        return cache[name]

    locations = dict(profile.locations)
    whole: set[int] = set()
    beneath: set[int] = set()
    for loc in profile.locations.values():
        cut = _outermost_match(loc, pruned)
        if cut is None:
            continue
        beneath.add(loc.id)
        if cut == len(loc.lines) - 1:
            whole.add(loc.id)
        else:
            locations[loc.id] = replace(loc, lines=loc.lines[cut + 1 :])
    stacks = [_cut(stack, whole, beneath) for stack in profile.stacks]
    return replace(profile, stacks=stacks, locations=locations)


def _compile(profile: Profile, pattern: str) -> WholeMatcher:
    """The profile's pattern as a linear-time whole-name matcher, never a ``re`` pattern."""
    try:
        return WholeMatcher(pattern)
    except PatternError as exc:
        raise BadInput(
            f"{profile.name}: drop/keep_frames regex cannot be used ({exc})",
            "the profile's writer set a broken pattern; re-export it without drop_frames",
        ) from None


def _outermost_match(loc: Location, pruned: Callable[[str], bool]) -> int | None:
    for index in range(len(loc.lines) - 1, -1, -1):
        name = loc.lines[index].function.name
        if name and pruned(name):
            return index
    return None


def _cut(stack: tuple[int, ...], whole: set[int], beneath: set[int]) -> tuple[int, ...]:
    if beneath.isdisjoint(stack):
        return stack
    found_user = False
    for index in range(len(stack) - 1, -1, -1):
        loc = stack[index]
        if loc not in beneath:
            found_user = True
            continue
        if not found_user:
            continue
        return stack[index + 1 :] if loc in whole else stack[index:]
    return stack
