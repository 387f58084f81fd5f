"""From a decoded profile to a call tree: sample type choice, filters, diffs.

Filters follow pprof where pprof has the same flag: a regex matches a frame
when it is found (unanchored, Python syntax) in the function name or the file
name; ``ignore`` drops every sample with a matching frame; ``hide`` removes
matching frames but keeps the samples, and ``show`` keeps only matching frames
(and all the samples). ``focus`` keeps only samples with a
matching frame, like pprof, and then re-roots each of them at its outermost
matching frame, so every occurrence of the focused function merges into one
tree under it (pprof's -focus keeps the callers above it; here the top table
under focus lists the focused function and what it calls, with the same flat
values pprof shows).

A diff follows ``go tool pprof -diff_base``: the base profile's values are
subtracted stack by stack, and percentages are of the base's total.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass

from triage.errors import BadInput
from triage.pprof.build import KeyedStacks, KeyStack, build
from triage.pprof.model import Location, Profile
from triage.pprof.origin import infer_main_module
from triage.pprof.tree import CallTree, Frame


@dataclass(frozen=True, slots=True)
class Filters:
    """Compiled focus/ignore/hide/show regexes (None: not given)."""

    focus: re.Pattern[str] | None = None
    ignore: re.Pattern[str] | None = None
    hide: re.Pattern[str] | None = None
    show: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.focus or self.ignore or self.hide or self.show)

    def keeps(self, frame: Frame) -> bool:
        """True when ``frame`` stays in its stacks (neither hidden nor left out by show)."""
        if self.hide is not None and _matches(self.hide, frame):
            return False
        return self.show is None or _matches(self.show, frame)


def compile_filters(
    focus: str | None = None,
    ignore: str | None = None,
    hide: str | None = None,
    show: str | None = None,
) -> Filters:
    """Compile the user's regexes; a bad one is BadInput naming the option."""
    return Filters(
        focus=_compile("--focus", focus),
        ignore=_compile("--ignore", ignore),
        hide=_compile("--hide", hide),
        show=_compile("--show", show),
    )


def _compile(option: str, pattern: str | None) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise BadInput(
            f"{option} {pattern!r}: invalid regular expression ({exc})",
            "escape special characters, e.g. '\\(\\*Server\\)'",
        ) from None


def sample_type_index(profile: Profile, wanted: str | None) -> int:
    """Index of the sample type named ``wanted`` (or given by number), else the default.

    The default is the profile's default_sample_type, else the last type, as in pprof.
    """
    names = profile.type_names()
    if wanted is None or wanted == "":
        if profile.default_sample_type in names:
            return names.index(profile.default_sample_type)
        return len(names) - 1
    if wanted in names:
        return names.index(wanted)
    if wanted.isdigit() and int(wanted) < len(names):
        return int(wanted)
    raise BadInput(
        f"{profile.name}: no sample type {wanted!r} in this profile",
        "choose one of: " + ", ".join(names),
    )


def location_frames(location: Location) -> tuple[Frame, ...]:
    """A location's frames root to leaf (the caller an inlined call sits in comes first)."""
    if not location.lines:
        return (Frame(f"0x{location.address:x}"),)
    return tuple(
        Frame(line.function.name, line.function.filename, line.line)
        for line in reversed(location.lines)
    )


def _matches(pattern: re.Pattern[str], frame: Frame) -> bool:
    return bool(pattern.search(frame.name) or (frame.file and pattern.search(frame.file)))


def tree_for(
    profile: Profile,
    sample_type: str | None = None,
    *,
    filters: Filters | None = None,
    base: Profile | None = None,
    main_module: str | None = None,
) -> CallTree:
    """The call tree of ``profile`` for one sample type, filtered, optionally diffed."""
    from triage.pprof.dropframes import apply_drop_frames

    filters = filters or Filters()
    profile = apply_drop_frames(profile)
    if base is not None:
        base = apply_drop_frames(base)
    index = sample_type_index(profile, sample_type)
    chosen = profile.sample_types[index]
    if main_module is None:
        main_module = infer_main_module((f.name, f.filename) for f in profile.functions.values())
    keyed = KeyedStacks()
    _add_profile(keyed, profile, index, filters, sign=1)
    abs_total = None
    if base is not None:
        base_index = _base_index(profile, base, chosen.type, chosen.unit)
        before = keyed.abs_total
        _add_profile(keyed, base, base_index, filters, sign=-1)
        abs_total = keyed.abs_total - before
    return build(
        keyed, chosen, main_module=main_module, abs_total=abs_total, is_diff=base is not None
    )


def _base_index(profile: Profile, base: Profile, type_name: str, unit: str) -> int:
    for i, vt in enumerate(base.sample_types):
        if vt.type == type_name and vt.unit == unit:
            return i
    raise BadInput(
        f"{base.name}: cannot be a diff base for {profile.name} "
        f"(it has no {type_name}/{unit} samples)",
        "diff two profiles of the same kind (cpu with cpu, heap with heap)",
    )


def _add_profile(
    keyed: KeyedStacks, profile: Profile, index: int, filters: Filters, sign: int
) -> None:
    """Aggregate one profile's samples into ``keyed`` (base profiles: negated, ids negated).

    Stacks stay leaf first, as the profile stores them; with no filters and no
    diff they go in as they are, with no per-stack work.
    """
    pos: dict[KeyStack, int] = {}
    neg: dict[KeyStack, int] = {}
    pos_get, neg_get = pos.get, neg.get
    for stack, value in zip(profile.stacks, profile.column(index), strict=True):
        if value > 0:
            pos[stack] = pos_get(stack, 0) + value
        elif value < 0:
            neg[stack] = neg_get(stack, 0) - value
    if sign < 0:
        pos, neg = neg, pos
    frames = {loc_id: location_frames(loc) for loc_id, loc in profile.locations.items()}
    keyed.leaf_first = True
    if sign > 0 and not filters and not keyed.pos and not keyed.neg:
        keyed.pos, keyed.neg = pos, neg
        keyed.abs_total += sum(pos.values()) + sum(neg.values())
        keyed.expand.update(frames.items())
        return
    rekey = _Rekey(frames, filters, sign)
    for source, target in ((pos, keyed.pos), (neg, keyed.neg)):
        for locations, value in source.items():
            key = rekey(locations)  # type: ignore[arg-type]
            if key is not None:
                target[key] = target.get(key, 0) + value
                keyed.abs_total += value
    keyed.expand.update(rekey.expand)


class _Rekey:
    """Rewrite a leaf-first location stack as a (still leaf-first) key stack, with filters."""

    def __init__(self, frames: dict[int, tuple[Frame, ...]], filters: Filters, sign: int) -> None:
        self.filters = filters
        self.sign = sign
        keeps = filters.keeps
        self.expand: dict[Hashable, tuple[Frame, ...]] = {
            loc * sign: tuple(f for f in fs if keeps(f)) for loc, fs in frames.items()
        }
        self.ignored = _matching(frames, filters.ignore)
        self.focused = _matching(frames, filters.focus)
        self.frames = frames

    def __call__(self, stack: tuple[int, ...]) -> KeyStack | None:
        if self.ignored and not self.ignored.isdisjoint(stack):
            return None
        if self.filters.focus is not None:
            return self._refocus(stack)
        if self.sign > 0:
            return stack
        return tuple(-loc for loc in stack)

    def _refocus(self, stack: tuple[int, ...]) -> KeyStack | None:
        """Cut the stack above its outermost frame that matches the focus regex."""
        focus = self.filters.focus
        if focus is None or self.focused.isdisjoint(stack):
            return None
        at = len(stack) - 1
        while stack[at] not in self.focused:
            at -= 1
        loc = stack[at]
        frames = self.frames[loc]
        cut = next(i for i, f in enumerate(frames) if _matches(focus, f))
        head: Hashable = (loc * self.sign, cut)
        if head not in self.expand:
            self.expand[head] = tuple(f for f in frames[cut:] if self.filters.keeps(f))
        return (*(loc * self.sign for loc in stack[:at]), head)


def _matching(frames: dict[int, tuple[Frame, ...]], pattern: re.Pattern[str] | None) -> set[int]:
    if pattern is None:
        return set()
    return {loc for loc, fs in frames.items() if any(_matches(pattern, f) for f in fs)}
