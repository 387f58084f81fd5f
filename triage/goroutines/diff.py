"""Compare two dumps group by group: what is new, what vanished, what grew.

"What changed between 03:10 and 03:14" is the on-call question a single dump
cannot answer. Groups are matched as grouping builds them: same state and same
frames (functions, files and lines; functions only at the loose level). Every
goroutine of both dumps lands in exactly one entry, so the counts add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from triage.goroutines import DumpAnalysis
from triage.goroutines.grouping import Group, Level
from triage.goroutines.model import Frame

Status = Literal["new", "gone", "changed", "same"]


@dataclass(slots=True)
class GroupDiff:
    """One group seen in either dump, with its count before and after."""

    status: Status
    state: str
    frames: tuple[Frame, ...]
    before: int
    after: int
    #: the group in the newer dump (None when it vanished), else the older one's
    group: Group

    @property
    def delta(self) -> int:
        """``after - before``."""
        return self.after - self.before


@dataclass(slots=True)
class DumpDiff:
    """The comparison of two dumps, new and vanished groups first, then by growth."""

    base: str
    before: int
    after: int
    groups: list[GroupDiff]
    #: why the comparison may mislead ("" when it should not)
    warning: str = ""

    @property
    def delta(self) -> int:
        """Goroutines gained (negative: lost)."""
        return self.after - self.before


def _key(group: Group, level: Level) -> tuple[str, tuple[object, ...]]:
    stack = group.stack
    return group.state, stack.signature if level == "exact" else stack.loose_signature


def diff_dumps(old: DumpAnalysis, new: DumpAnalysis, base: str, level: Level = "exact") -> DumpDiff:
    """Match ``old``'s groups to ``new``'s and count each side.

    Linear in the number of groups: one dict of the old groups' keys.
    """
    previous: dict[tuple[str, tuple[object, ...]], list[Group]] = {}
    for group in old.groups:
        previous.setdefault(_key(group, level), []).append(group)
    entries: list[GroupDiff] = []
    for group in new.groups:
        same = previous.get(_key(group, level))
        before_group = same.pop(0) if same else None
        before = before_group.count if before_group is not None else 0
        status: Status = "new" if before_group is None else "same"
        if before_group is not None and before != group.count:
            status = "changed"
        entries.append(GroupDiff(status, group.state, group.frames, before, group.count, group))
    for group in (g for left in previous.values() for g in left):
        entries.append(GroupDiff("gone", group.state, group.frames, group.count, 0, group))
    entries.sort(key=_order)
    before = sum(g.count for g in old.groups)  # the groups compared (a filter may leave some out)
    after = sum(g.count for g in new.groups)
    warning = ""
    if old.dump.format != new.dump.format:
        warning = (
            "one side is a debug=1 listing (no states, no runtime frames): few groups can "
            "match; compare two debug=2 dumps"
        )
    return DumpDiff(base, before, after, entries, warning)


def _order(entry: GroupDiff) -> tuple[int, int, int]:
    if entry.status in ("new", "gone"):
        return 0, -max(entry.before, entry.after), 0
    return 1, -entry.delta, -entry.after


def diff_json(diff: DumpDiff) -> dict[str, object]:
    """The ``diff`` key of ``triage analyze --base --json`` (a contract; keys may be added)."""
    return {
        "base": diff.base,
        "before": diff.before,
        "after": diff.after,
        "warning": diff.warning,
        "groups": [
            {
                "status": e.status,
                "state": e.state,
                "frames": [{"func": f.func, "file": f.file, "line": f.line} for f in e.frames],
                "before": e.before,
                "after": e.after,
                "delta": e.delta,
                "top_frame": _top(e.group),
            }
            for e in diff.groups
        ],
    }


def _top(group: Group) -> str | None:
    top = group.top_frame
    return top.func if top is not None else None


def diff_lines(diff: DumpDiff, limit: int = 10) -> list[str]:
    """The comparison as text: totals, then one line per group that changed."""
    sign = f"{diff.delta:+,}" if diff.delta else "no change"
    lines = [f"COMPARED WITH {diff.base}: {diff.before:,} -> {diff.after:,} goroutines ({sign})"]
    if diff.warning:
        lines.append(f"  warning: {diff.warning}")
    moved = [e for e in diff.groups if e.status != "same"]
    shown = moved if limit <= 0 else moved[:limit]
    for e in shown:
        top = _top(e.group) or "(no frames)"
        lines.append(
            f"  {e.status.upper():8} {e.delta:>+8,}  {e.before:>7,} -> {e.after:<7,} "
            f"{e.state}  {top}"
        )
    if len(moved) > len(shown):
        lines.append(f"  ... {len(moved) - len(shown)} more changed groups (--top 0 shows all)")
    if not moved:
        lines.append("  every group has the same count")
    return lines
