"""One attached target over time: snapshots, growth, health, metrics, and when to poll.

The session holds all the state of an attach and no thread, timer or widget:
a UI asks :meth:`LiveSession.due` on its own timer, runs :meth:`fetch` for
each due poll in a worker thread, and hands the result back to :meth:`apply`
on its own thread (the trackers are not thread-safe). Every transition takes
``now`` from an injected clock, so the schedule, backoff and growth can be
tested without a UI or a sleep. When the target dies, the trackers keep their
last data and :meth:`status_line` says what failed and when the next try is.

Results are new values: a snapshot's growth findings are added to a copy of
the fetched analysis, never spliced into it.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from triage.errors import TriageError
from triage.goroutines import Analysis, DumpAnalysis, analyze
from triage.live.fetcher import Capability, Fetcher
from triage.live.restart import RestartDetector
from triage.probes.health import HealthStatus, HealthTracker
from triage.probes.metrics import MetricsReport, MetricsTracker
from triage.probes.poller import Poller, one_line
from triage.probes.snapshots import SnapshotHistory, growth_findings, refresh_policy

if TYPE_CHECKING:
    from triage.config import Config
    from triage.pprof.model import Profile
    from triage.probes.client import HealthSample

#: what is polled on a schedule (profiles are fetched on request)
POLLED = (Capability.GOROUTINES, Capability.HEALTH, Capability.METRICS)
#: snapshots kept whole for comparing with the current one
KEEP_SNAPSHOTS = 6
#: a poll turned off in the config still gets a poller; it just never comes due
_NEVER = 3600.0


@dataclass(frozen=True, slots=True)
class SnapshotFetched:
    """A goroutine dump fetched and analysed (in the worker)."""

    analysis: Analysis
    at: float


@dataclass(frozen=True, slots=True)
class HealthFetched:
    """One round of health checks."""

    samples: list[HealthSample]
    at: float


@dataclass(frozen=True, slots=True)
class MetricsFetched:
    """A /metrics body (parsed by :meth:`LiveSession.apply`, on the UI's thread)."""

    body: bytes
    at: float


@dataclass(frozen=True, slots=True)
class FetchFailed:
    """A fetch failed; ``poll`` names which one."""

    poll: Capability
    error: str
    at: float


Fetched = SnapshotFetched | HealthFetched | MetricsFetched | FetchFailed


@dataclass(frozen=True, slots=True)
class SnapshotView:
    """What to show of a snapshot: the analysis with growth findings, rates, a note."""

    analysis: Analysis
    #: group id -> goroutines gained per minute
    growth: dict[int, float]
    #: why live refresh was just turned off ("" when it was not)
    note: str


class LiveSession:
    """The polling state of one attached target."""

    def __init__(
        self, fetcher: Fetcher, config: Config, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.fetcher = fetcher
        self.config = config
        self.clock = clock
        threshold = config.attach.failure_threshold
        has_health = Capability.HEALTH in fetcher.capabilities
        self.health = {
            path: HealthTracker(path, failure_threshold=threshold)
            for path in (config.attach.health_paths if has_health else [])
        }
        span = config.refresh.min_rate_span
        self.metrics = MetricsTracker(clock=clock, min_span=span)
        self.history = SnapshotHistory(clock=clock, min_span=span)
        intervals = {
            Capability.GOROUTINES: config.refresh.goroutines,
            Capability.HEALTH: config.refresh.health,
            Capability.METRICS: config.refresh.metrics,
        }
        self.pollers = {
            poll: Poller(poll.value, intervals[poll] or _NEVER)
            for poll in POLLED
            if poll in fetcher.capabilities
        }
        self.enabled = {poll: intervals[poll] > 0 for poll in self.pollers}
        self.debug = 2
        self.busy: set[Capability] = set()
        self.latest: Analysis | None = None
        #: ``--save-dir``: every snapshot and profile fetched is kept there, as fetched
        self.save_dir = Path(config.attach.save_dir) if config.attach.save_dir else None
        #: the last profile fetched, raw (what the save key writes)
        self.last_profile: tuple[str, bytes] | None = None
        self.save_error = ""
        self.restarts = RestartDetector()
        #: (wall-clock time, reason) of every restart seen: where the series break
        self.restart_log: list[tuple[datetime, str]] = []
        #: when each poll started failing (wall clock); its data on screen is stale since
        self.stale_since: dict[Capability, datetime] = {}
        #: the last few snapshots, (wall-clock time, dump), for comparing (the c key)
        self.kept: deque[tuple[datetime, DumpAnalysis]] = deque(maxlen=KEEP_SNAPSHOTS)

    @property
    def label(self) -> str:
        """The target, as titles name it."""
        return self.fetcher.label

    def can(self, capability: Capability) -> bool:
        """True when the target can give ``capability``."""
        return capability in self.fetcher.capabilities

    # --- scheduling (UI thread) -------------------------------------------------------

    def first_polls(self) -> list[Capability]:
        """Everything the target has, once, right after attaching (marked busy)."""
        return self._begin(list(self.pollers))

    def due(self) -> list[Capability]:
        """The polls to start now: enabled, not running, and due (marked busy)."""
        now = self.clock()
        return self._begin(
            [
                poll
                for poll, poller in self.pollers.items()
                if self.enabled[poll] and poll not in self.busy and poller.due(now)
            ]
        )

    def request_snapshot(self) -> bool:
        """A goroutine snapshot on request (the r key); False while one is running."""
        poll = Capability.GOROUTINES
        return poll in self.pollers and bool(self._begin([poll]))

    def toggle_live(self) -> bool:
        """Turn periodic goroutine snapshots on or off; return the new state."""
        poll = Capability.GOROUTINES
        if poll not in self.enabled:
            return False
        self.enabled[poll] = not self.enabled[poll]
        return self.enabled[poll]

    def _begin(self, polls: list[Capability]) -> list[Capability]:
        started = [p for p in polls if p not in self.busy]
        self.busy.update(started)
        return started

    def abandoned(self, poll: str) -> None:
        """A worker ended without a result (an unexpected error): the poll may run again."""
        with contextlib.suppress(ValueError):  # a worker of another kind (a profile fetch)
            self.busy.discard(Capability(poll))

    # --- blocking work (worker threads) -------------------------------------------------

    def fetch(self, poll: Capability) -> Fetched:
        """Run one poll against the target; a failure is a :class:`FetchFailed`, never raised."""
        try:
            if poll is Capability.GOROUTINES:
                return SnapshotFetched(self._snapshot(), self.clock())
            if poll is Capability.HEALTH:
                return HealthFetched(self.fetcher.health_all(), self.clock())
            return MetricsFetched(self.fetcher.metrics(), self.clock())
        except TriageError as exc:
            return FetchFailed(poll, one_line(exc), self.clock())

    def _snapshot(self) -> Analysis:
        body = self.fetcher.goroutines(debug=self.debug)
        self._keep("goroutines", body)
        analysis = analyze(body, thresholds=self.config.thresholds)
        if not analysis.dumps:
            raise TriageError(f"{self.label}: the goroutine listing was empty")
        return analysis

    def fetch_profile(self, kind: str, seconds: int | None) -> Profile:
        """A profile from the target, decoded (TriageError with one line on failure)."""
        from triage.pprof.decode import decode

        if not self.can(Capability.PROFILES):
            raise TriageError(f"{self.label}: this target gives no profiles")
        from triage.live.profiles import profile_title

        raw = self.fetcher.profile(kind, seconds)
        self.last_profile = (kind, raw)
        self._keep("profile", raw, kind)
        profile = decode(raw, name=kind)
        profile.name = profile_title(kind, profile, seconds, datetime.now().astimezone())
        return profile

    def _keep(self, kind: str, data: bytes, detail: str = "") -> None:
        """(worker thread) Write what was fetched to the save directory, if there is one.

        A full disk must not stop the live view: the failure is kept for the status line.
        """
        if self.save_dir is None:
            return
        from triage.evidence import evidence_name, save

        try:
            save(self.save_dir, evidence_name(self.label, kind, datetime.now(UTC), detail), data)
            self.save_error = ""
        except TriageError as exc:
            self.save_error = exc.line()

    # --- results (UI thread) ----------------------------------------------------------

    def apply(self, result: Fetched) -> SnapshotView | None:
        """Record a poll's result; a snapshot comes back as what to show."""
        if isinstance(result, SnapshotFetched):
            return self._took_snapshot(result)
        if isinstance(result, HealthFetched):
            self._sampled(result)
        elif isinstance(result, MetricsFetched):
            self._scraped(result)
        else:
            self._failed(result)
        return None

    def _took_snapshot(self, result: SnapshotFetched) -> SnapshotView:
        poll = Capability.GOROUTINES
        self.busy.discard(poll)
        self.pollers[poll].succeeded(self.clock())
        item = result.analysis.dumps[-1]
        self.stale_since.pop(poll, None)
        restart = self.restarts.from_dump(item)
        if restart:
            self._restarted(restart, result.at)
        self.history.add(item, at=result.at)
        self.kept.append((datetime.now(UTC), item))
        growth = {g.id: rate for g in item.groups if (rate := self.history.rate_of(g)) is not None}
        shown = replace(item, findings=[*growth_findings(self.history), *item.findings])
        analysis = Analysis([*result.analysis.dumps[:-1], shown])
        self.latest = analysis
        policy = refresh_policy(
            item.dump.goroutine_count, limit=self.config.refresh.max_live_goroutines
        )
        note = f"the target restarted ({restart}): growth starts over" if restart else ""
        if not policy.auto and self.enabled[poll]:
            self.enabled[poll] = False
            self.debug = policy.debug
            note = f"live refresh off: {policy.reason} (r refreshes, L turns it back on)"
        return SnapshotView(analysis, growth, note)

    def _sampled(self, result: HealthFetched) -> None:
        poll = Capability.HEALTH
        self.busy.discard(poll)
        for sample in result.samples:
            tracker = self.health.get(sample.path)
            if tracker is not None:
                tracker.record(sample)
        now = self.clock()
        samples = result.samples
        if samples and all(not s.ok and s.status is None for s in samples):
            self.pollers[poll].failed(samples[0].detail, now)
            self.stale_since.setdefault(poll, datetime.now(UTC))
        else:
            self.pollers[poll].succeeded(now)
            self.stale_since.pop(poll, None)

    def _scraped(self, result: MetricsFetched) -> None:
        poll = Capability.METRICS
        self.busy.discard(poll)
        source = self.label + "/metrics"
        scraped = self.metrics.update(result.body, source, at=result.at)
        if scraped is None:
            self.pollers[poll].failed(self.metrics.error or "bad /metrics page", self.clock())
            self.stale_since.setdefault(poll, datetime.now(UTC))
            return
        self.pollers[poll].succeeded(self.clock())
        self.stale_since.pop(poll, None)
        restart = self.restarts.from_metrics(scraped.process_start_seconds)
        if restart:
            self._restarted(restart, result.at)
            self.metrics.record(scraped, result.at)  # the new process's first point

    def _restarted(self, reason: str, at: float) -> None:
        """A new process: growth and trends start over from here (the old data stays
        in the log as a break, never fitted together with the new)."""
        self.history.restarted()
        self.metrics.restarted(at)
        self.restart_log.append((datetime.now(UTC), reason))

    def stale(self, poll: Capability) -> str:
        """``stale since 03:14:07`` while ``poll`` fails (local time), else ""."""
        since = self.stale_since.get(poll)
        return f"stale since {since.astimezone().strftime('%H:%M:%S')}" if since else ""

    def _failed(self, result: FetchFailed) -> None:
        self.busy.discard(result.poll)
        self.stale_since.setdefault(result.poll, datetime.now(UTC))
        self.pollers[result.poll].failed(result.error, self.clock())
        if result.poll is Capability.METRICS:
            self.metrics.record_error(result.error)

    # --- what the panes show ----------------------------------------------------------

    def statuses(self) -> list[HealthStatus]:
        """Each health check's history and verdict."""
        return [t.status() for t in self.health.values()]

    def report(self) -> MetricsReport:
        """The runtime metrics and their trends, marked stale and split at a restart."""
        restarted = ""
        if self.restart_log:
            when, why = self.restart_log[-1]
            restarted = f"restarted at {when.astimezone().strftime('%H:%M:%S')} ({why})"
        return replace(
            self.metrics.report(), stale=self.stale(Capability.METRICS), restarted=restarted
        )

    def status_line(self) -> tuple[str, str]:
        """The worst poller's line (failures first), and its level."""
        now = self.clock()
        states = [
            p.state(now)
            for poll, p in self.pollers.items()
            if self.enabled[poll] or p.consecutive_failures
        ]
        failing = [s for s in states if s.ok is False]
        if failing:
            return "; ".join(s.status_line for s in failing), "error"
        if self.save_error:
            return f"not saving: {self.save_error}", "warning"
        on = self.enabled.get(Capability.GOROUTINES, False)
        live = "live" if on else "live refresh off (L)"
        return f"attached to {self.label} · {live}", "info"

    def close(self) -> None:
        """Release the target's connections."""
        self.fetcher.close()
