"""Group goroutines that are stuck in the same place.

Goroutines with the same state, the same sequence of (function, file, line) and
the same creator (``created by``) form a group; argument values never count
(stale ``0x0?`` values would split one pile into hundreds). The loose level
matches functions only, any line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from triage.goroutines.model import CreatedBy, Dump, Frame, Stack
from triage.goroutines.origin import is_user

Level = Literal["exact", "loose"]
SAMPLE_IDS = 10
LABEL_VALUES = 20


@dataclass(eq=False)
class Group:
    """A pile of goroutines with one state and one stack shape."""

    id: int
    state: str
    stack: Stack
    count: int
    states: dict[str, int]
    wait_min: int | None
    wait_max: int | None
    sample_ids: list[int]
    #: every distinct Stack object in the group (their texts differed only in lines/offsets)
    stacks: list[Stack] = field(default_factory=list)
    #: indexes into the dump's goroutine columns (empty for debug=1 input)
    members: list[int] = field(default_factory=list, repr=False)
    leaked: int = 0
    locked: int = 0
    #: debug=1 records' label sets (traceback groups read theirs from ``_dump``)
    _labels: list[dict[str, str] | None] = field(default_factory=list, repr=False)
    _dump: Dump | None = field(default=None, repr=False)

    @property
    def frames(self) -> tuple[Frame, ...]:
        """The group's frames, innermost first."""
        return self.stack.frames

    @property
    def created_by(self) -> CreatedBy | None:
        """Where these goroutines were started."""
        return self.stack.created_by

    @cached_property
    def top_user_frame(self) -> Frame | None:
        """The innermost frame outside the runtime and the standard library."""
        return top_user_frame(self.stack.frames)

    @property
    def wait_range(self) -> str:
        """Minutes blocked, ``12`` or ``3-40``; empty when Go printed none."""
        if self.wait_max is None:
            return ""
        if self.wait_min == self.wait_max:
            return str(self.wait_max)
        return f"{self.wait_min}-{self.wait_max}"

    @cached_property
    def top_frame(self) -> Frame | None:
        """The frame to name the group by: user code if any, else the innermost non-runtime."""
        return self.top_user_frame or _first_non_runtime(self.stack)

    @cached_property
    def labels(self) -> dict[str, list[str]]:
        """Label keys seen in the group, each with up to 20 distinct values."""
        from triage.goroutines.headers import parse_labels

        seen: dict[str, dict[str, None]] = {}
        raw: list[str | None] | list[dict[str, str] | None] = self._labels
        if self._dump is not None:
            texts = self._dump.labels_text
            raw = [texts[i] for i in self.members]
        distinct = {id(x) if isinstance(x, dict) else x: x for x in raw}
        for item in distinct.values():
            if item is None:
                continue
            labels = parse_labels(item) if isinstance(item, str) else item
            for key, value in labels.items():
                values = seen.setdefault(key, {})
                if len(values) < LABEL_VALUES:
                    values[value] = None
        return {k: list(v) for k, v in seen.items()}


def top_user_frame(frames: tuple[Frame, ...]) -> Frame | None:
    """The innermost frame in the service's own code or a dependency."""
    for frame in frames:
        if is_user(frame.func, frame.file):
            return frame
    return None


def _first_non_runtime(stack: Stack) -> Frame | None:
    """The innermost non-runtime frame; for runtime-only goroutines, their entry function."""
    from triage.goroutines.origin import Origin

    for frame in stack.frames:
        if frame.origin is not Origin.RUNTIME:
            return frame
    return stack.entry or (stack.frames[0] if stack.frames else None)


def _key(stack: Stack, level: Level) -> tuple[object, ...]:
    """Frames and creator: goroutines with one stack started by different ``go``
    statements are different piles (as panicparse groups them), so a group's
    ``created_by`` is true of every member. Loose: functions only, any line."""
    created = stack.created_by
    if level == "exact":
        return (stack.signature, created)
    return (stack.loose_signature, created.func if created is not None else None)


def group_dump(dump: Dump, level: Level = "exact") -> list[Group]:
    """Group a dump's goroutines, largest group first; ids are 1-based ranks."""
    if dump.format == "debug1":
        return _group_counted(dump, level)
    # First by object identity (cheap), then merge buckets whose frames agree.
    buckets: dict[tuple[Stack, str], list[int]] = {}
    for index, (stack, status) in enumerate(zip(dump.stacks, dump.statuses, strict=True)):
        key = (stack, status.state)
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [index]
        else:
            bucket.append(index)
    merged: dict[tuple[str, tuple[object, ...]], list[tuple[Stack, list[int]]]] = {}
    for (stack, state), members in buckets.items():
        merged.setdefault((state, _key(stack, level)), []).append((stack, members))
    groups = [_build(dump, state, parts) for (state, _), parts in merged.items()]
    return _rank(groups)


def _build(dump: Dump, state: str, parts: list[tuple[Stack, list[int]]]) -> Group:
    parts.sort(key=lambda p: -len(p[1]))
    members = sorted(i for _, idx in parts for i in idx)
    statuses = dump.statuses
    minutes = [m for i in members if (m := statuses[i].wait_minutes) is not None]
    states: Counter[str] = Counter()
    leaked = locked = 0
    for status, n in Counter(statuses[i] for i in members).items():
        label = status.state + (" (leaked)" if status.leaked else "")
        label += ", locked to thread" if status.locked else ""
        states[label] += n
        leaked += n if status.leaked else 0
        locked += n if status.locked else 0
    return Group(
        id=0,
        state=state,
        stack=parts[0][0],
        count=len(members),
        states=dict(states),
        wait_min=min(minutes) if minutes else None,
        wait_max=max(minutes) if minutes else None,
        sample_ids=[dump.ids[i] for i in members[:SAMPLE_IDS]],
        stacks=[s for s, _ in parts],
        members=members,
        leaked=leaked,
        locked=locked,
        _dump=dump,
    )


def _group_counted(dump: Dump, level: Level) -> list[Group]:
    merged: dict[tuple[object, ...], list[int]] = {}
    for index, record in enumerate(dump.counted):
        merged.setdefault(_key(record.stack, level), []).append(index)
    leak = dump.profile == "goroutineleak"
    groups = []
    for indexes in merged.values():
        records = [dump.counted[i] for i in indexes]
        count = sum(r.count for r in records)
        state = infer_state(records[0].stack)
        groups.append(
            Group(
                id=0,
                state=state,
                stack=records[0].stack,
                count=count,
                states={state: count},
                wait_min=None,
                wait_max=None,
                sample_ids=[],
                stacks=list(dict.fromkeys(r.stack for r in records)),
                leaked=count if leak else 0,
                _labels=[r.labels for r in records],
            )
        )
    return _rank(groups)


#: debug=1 hides runtime frames and states; the leaf often still tells the wait
_LEAF_STATES = {
    "internal/sync.runtime_SemacquireMutex": "sync.Mutex.Lock",
    "sync.runtime_SemacquireMutex": "sync.Mutex.Lock",
    "sync.runtime_SemacquireRWMutexR": "sync.RWMutex.RLock",
    "sync.runtime_SemacquireRWMutex": "sync.RWMutex.Lock",
    "sync.runtime_SemacquireWaitGroup": "sync.WaitGroup.Wait",
    "sync.runtime_notifyListWait": "sync.Cond.Wait",
    "internal/poll.runtime_pollWait": "IO wait",
    "time.Sleep": "sleep",
    "syscall.Syscall": "syscall",
    "syscall.Syscall6": "syscall",
    "syscall.RawSyscall6": "syscall",
}


def infer_state(stack: Stack) -> str:
    """A debug=1 stack's likely state from its leaf frame, or "unknown"."""
    if stack.frames:
        return _LEAF_STATES.get(stack.frames[0].func, "unknown")
    return "unknown"


def find_group(dump: Dump, groups: list[Group], gid: int | None) -> Group | None:
    """The group holding goroutine ``gid`` (None for debug=1 input or an unknown id)."""
    if gid is None or dump.format == "debug1":
        return None
    try:
        index = dump.ids.index(gid)
    except ValueError:
        return None
    return next((g for g in groups if index in g.members), None)


def _rank(groups: list[Group]) -> list[Group]:
    groups.sort(key=lambda g: (-g.count, g.sample_ids[:1] or [0]))
    for rank, group in enumerate(groups, 1):
        group.id = rank
    return groups
