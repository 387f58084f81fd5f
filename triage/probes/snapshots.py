"""Goroutine dumps over time: which piles are growing, and how fast.

One dump shows a pile of 300 goroutines; only a series of dumps shows that it
gains 120 a minute, i.e. that the leak is happening now. A
:class:`SnapshotHistory` keeps, for the last K live refreshes, the count of
every group keyed by something stable across dumps — (state, stack signature);
group ids are ranks and change between dumps — and fits each group's growth
per minute (least squares over the window, so one slow refresh does not make a
spike). :func:`growth_findings` turns sustained growth into findings shaped
like the goroutine rules' (rule ``goroutine-growth``).

Only light summaries are kept, never the dumps: ten 100,000-goroutine dumps
would hold gigabytes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from triage.goroutines import Analysis, DumpAnalysis
from triage.goroutines.diagnose import Finding
from triage.goroutines.grouping import Group
from triage.probes.metrics import MIN_RATE_SPAN, slope_per_minute

GroupKey = tuple[str, tuple[tuple[str, str, int], ...]]
RULE_ID = "goroutine-growth"
DEFAULT_CAPACITY = 10
#: above this many goroutines a debug=2 dump takes seconds and megabytes per refresh
LIVE_REFRESH_LIMIT = 20_000
#: snapshots older than this before the latest are left out of growth fits
DEFAULT_WINDOW = 300.0


def group_key(group: Group) -> GroupKey:
    """The identity of a pile across dumps: its state and (function, file, line) frames."""
    return (group.state, group.stack.signature)


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """What a snapshot remembers of one group."""

    id: int
    """The group's id (rank) in that dump, for jumping to it in the view."""
    count: int
    state: str
    where: str
    """Top frame as ``func (dir/file.go:line)``."""
    created_by: str
    """``func (dir/file.go:line)`` of the go statement, or empty."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The per-group counts of one dump, taken at ``at``."""

    at: float
    total: int
    format: str
    groups: dict[GroupKey, GroupInfo]


@dataclass(frozen=True, slots=True)
class GroupGrowth:
    """How one group of the latest snapshot changed over the window."""

    key: GroupKey
    info: GroupInfo
    per_minute: float
    counts: tuple[int, ...]
    """The group's count in each snapshot of the window, oldest first (0 = absent)."""
    span: float
    """Seconds from the first to the last snapshot of the window."""


@dataclass(frozen=True, slots=True)
class GrowthThresholds:
    """When growth counts as a leak in progress."""

    #: sustained growth this fast (goroutines per minute) is a warning
    rate_per_minute: float = 10.0
    #: ... and this fast is critical
    critical_per_minute: float = 100.0
    #: the fit must cover at least this many snapshots
    min_snapshots: int = 3
    #: snapshots older than this (seconds before the latest) are left out of the fit
    window: float = DEFAULT_WINDOW


class SnapshotHistory:
    """Per-group counts of the last ``capacity`` dumps of one live service.

    Feed it dumps of one kind: when the format changes (debug=2 to debug=1)
    states and keys no longer match, so the history starts over.
    """

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
        min_span: float = MIN_RATE_SPAN,
    ) -> None:
        if capacity < 2:
            raise ValueError("a history needs at least 2 snapshots to show growth")
        self._snapshots: deque[Snapshot] = deque(maxlen=capacity)
        self._clock = clock
        self.min_span = min_span

    @property
    def snapshots(self) -> tuple[Snapshot, ...]:
        """The snapshots kept, oldest first."""
        return tuple(self._snapshots)

    def add(self, source: Analysis | DumpAnalysis, at: float | None = None) -> Snapshot:
        """Record the groups of a dump (an Analysis: its primary dump) taken at ``at``."""
        item = source.primary if isinstance(source, Analysis) else source
        when = self._clock() if at is None else at
        if item is None:
            snap = Snapshot(when, 0, "traceback", {})
        else:
            groups = {group_key(g): _info(g) for g in item.groups}
            snap = Snapshot(when, item.dump.goroutine_count, item.dump.format, groups)
        if self._snapshots and self._snapshots[-1].format != snap.format:
            self._snapshots.clear()
        self._snapshots.append(snap)
        return snap

    def restarted(self) -> None:
        """A new process: its piles are not the old one's, so growth starts over."""
        self._snapshots.clear()

    def growth(self, window: float = DEFAULT_WINDOW) -> dict[GroupKey, GroupGrowth]:
        """Growth per minute of every group in the latest snapshot (needs 2 snapshots)."""
        if not self._snapshots:
            return {}
        latest = self._snapshots[-1]
        recent = [s for s in self._snapshots if s.at >= latest.at - window]
        if len(recent) < 2 or recent[-1].at - recent[0].at < self.min_span:
            return {}  # no rate before a minimum window: early rates are noise
        result: dict[GroupKey, GroupGrowth] = {}
        for key, info in latest.groups.items():
            counts = tuple(s.groups[key].count if key in s.groups else 0 for s in recent)
            rate = slope_per_minute([(s.at, c) for s, c in zip(recent, counts, strict=True)])
            if rate is not None:
                span = recent[-1].at - recent[0].at
                result[key] = GroupGrowth(key, info, rate, counts, span)
        return result

    def rate_of(self, group: Group, window: float = DEFAULT_WINDOW) -> float | None:
        """Goroutines per minute gained by ``group`` (of the latest dump), for "+120/min"."""
        found = self.growth(window).get(group_key(group))
        return found.per_minute if found else None


def format_rate(per_minute: float | None) -> str:
    """``+120/min``, ``-3/min``, ``±0/min``; empty when unknown."""
    if per_minute is None:
        return ""
    rounded = round(per_minute)
    if rounded == 0:
        return "±0/min"
    return f"{rounded:+d}/min"


def growth_findings(
    history: SnapshotHistory, thresholds: GrowthThresholds | None = None
) -> list[Finding]:
    """``goroutine-growth`` findings: groups growing fast, over enough snapshots, still at
    their peak (a pile that grew and then drained is not a leak in progress).

    Most severe first, then fastest.
    """
    t = thresholds or GrowthThresholds()
    findings: list[tuple[float, Finding]] = []
    for growth in history.growth(t.window).values():
        counts = growth.counts
        sustained = len(counts) >= t.min_snapshots and counts[-1] >= max(counts)
        if not sustained or growth.per_minute < t.rate_per_minute:
            continue
        findings.append((growth.per_minute, _finding(growth, t)))
    findings.sort(key=lambda pair: (pair[1].severity != "critical", -pair[0]))
    return [finding for _, finding in findings]


def _finding(growth: GroupGrowth, t: GrowthThresholds) -> Finding:
    info = growth.info
    rate = format_rate(growth.per_minute)
    minutes = growth.span / 60.0
    step = "refresh again to confirm; find what should end these goroutines (a receive, "
    step += "a close, a ctx.Done() case)"
    if info.created_by:
        step += f"; they are started by {info.created_by}"
    return Finding(
        rule=RULE_ID,
        severity="critical" if growth.per_minute >= t.critical_per_minute else "warning",
        summary=f"leak in progress: group {info.id} ({info.count} goroutines, {info.state}) "
        f"in {info.where} grows {rate}",
        groups=[info.id],
        goroutines=info.count,
        next_step=step,
        details=[
            f"counts over {len(growth.counts)} snapshots in {minutes:.1f} min: "
            + " -> ".join(str(c) for c in growth.counts)
        ],
    )


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """Whether the UI may refresh a dump on a timer, and at which debug level."""

    auto: bool
    debug: int
    reason: str
    """Why live refresh is off, in one line; empty when it is on."""


def refresh_policy(goroutines: int, *, limit: int = LIVE_REFRESH_LIMIT) -> RefreshPolicy:
    """Live refresh (debug=2 on a timer) is on by default only up to ``limit`` goroutines.

    Above it every dump costs the service a stop-the-world pass over all stacks
    and tens of megabytes: refresh by hand, or poll debug=1 (counts per stack).
    """
    if goroutines <= limit:
        return RefreshPolicy(auto=True, debug=2, reason="")
    return RefreshPolicy(
        auto=False,
        debug=1,
        reason=f"{goroutines:,} goroutines: live refresh is off above {limit:,}; "
        "refresh by hand, or switch to debug=1 counts",
    )


def _info(group: Group) -> GroupInfo:
    frame = group.top_frame
    where = frame.brief if frame else "an unknown place"
    created = group.created_by
    made = created.brief if created else ""
    return GroupInfo(group.id, group.count, group.state, where, made)
