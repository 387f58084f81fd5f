"""Live attach: polls a Go process's pprof, health and /metrics endpoints.

The session owns the trackers (health, metrics, goroutine snapshots) and
the pollers (schedule and backoff); it runs every fetch in a thread worker of
its screen and gets results back as messages, so the UI never waits on the
network. When the target dies, the trackers keep their last data and the
status line says what failed and when the next try is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.message import Message
from textual.screen import Screen

from triage.config import Config
from triage.errors import TriageError
from triage.goroutines import Analysis, analyze
from triage.probes.client import HealthSample, ProbeClient
from triage.probes.health import HealthStatus, HealthTracker
from triage.probes.metrics import MetricsReport, MetricsTracker
from triage.probes.poller import Poller, one_line
from triage.probes.snapshots import SnapshotHistory, growth_findings, refresh_policy


class SnapshotTaken(Message):
    """A goroutine snapshot was fetched and analysed (only the newest matters)."""

    def __init__(self, analysis: Analysis, at: float) -> None:
        super().__init__()
        self.analysis = analysis
        self.at = at

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SnapshotTaken)


class HealthSampled(Message):
    """One round of health probes."""

    def __init__(self, samples: list[HealthSample]) -> None:
        super().__init__()
        self.samples = samples


class MetricsScraped(Message):
    """A /metrics body (parsed on the UI thread: the tracker is not thread-safe)."""

    def __init__(self, body: bytes, at: float) -> None:
        super().__init__()
        self.body = body
        self.at = at


class ProbeFailed(Message):
    """A fetch failed; ``poller`` names which one."""

    def __init__(self, poller: str, error: str) -> None:
        super().__init__()
        self.poller = poller
        self.error = error


class LiveSession:
    """The polling state of one attached process."""

    def __init__(self, screen: Screen[None], url: str, config: Config) -> None:
        self.screen = screen
        self.config = config
        self.client = ProbeClient(
            url, timeout=config.attach.timeout, health_paths=tuple(config.attach.health_paths)
        )
        self.url = self.client.base_url
        threshold = config.attach.failure_threshold
        self.health = {
            path: HealthTracker(path, failure_threshold=threshold)
            for path in config.attach.health_paths
        }
        self.metrics = MetricsTracker()
        self.history = SnapshotHistory()
        refresh = config.refresh
        self.pollers = {
            "goroutines": Poller("goroutines", refresh.goroutines or 3600.0),
            "health": Poller("health", refresh.health or 3600.0),
            "metrics": Poller("metrics", refresh.metrics or 3600.0),
        }
        self.enabled = {
            "goroutines": refresh.goroutines > 0,
            "health": refresh.health > 0,
            "metrics": refresh.metrics > 0,
        }
        self.debug = 2
        self.busy: set[str] = set()
        self.latest: Analysis | None = None

    # --- scheduling ------------------------------------------------------------

    def start(self) -> None:
        """Fetch everything once now, then poll on a half-second tick."""
        for name in self.pollers:
            self._launch(name)
        self.screen.set_interval(0.5, self.tick)

    def tick(self) -> None:
        now = time.monotonic()
        for name, poller in self.pollers.items():
            if self.enabled[name] and name not in self.busy and poller.due(now):
                self._launch(name)

    def refresh_now(self) -> None:
        """Take a goroutine snapshot now (the user pressed r)."""
        if "goroutines" not in self.busy:
            self._launch("goroutines")

    def toggle_live(self) -> bool:
        """Turn periodic goroutine snapshots on or off; return the new state."""
        self.enabled["goroutines"] = not self.enabled["goroutines"]
        return self.enabled["goroutines"]

    def _launch(self, name: str) -> None:
        fetch: dict[str, Callable[[], None]] = {
            "goroutines": self._fetch_goroutines,
            "health": self._fetch_health,
            "metrics": self._fetch_metrics,
        }
        self.busy.add(name)
        self.screen.run_worker(
            fetch[name], thread=True, group=f"live-{name}", exit_on_error=False, name=name
        )

    # --- workers (threads) ----------------------------------------------------------

    def _fetch_goroutines(self) -> None:
        try:
            body = self.client.goroutines(debug=self.debug)
            analysis = analyze(body, thresholds=self.config.thresholds)
            if not analysis.dumps:
                raise TriageError(f"{self.url}: the goroutine listing was empty")
        except TriageError as exc:
            self.screen.post_message(ProbeFailed("goroutines", one_line(exc)))
            return
        self.screen.post_message(SnapshotTaken(analysis, time.monotonic()))

    def _fetch_health(self) -> None:
        self.screen.post_message(HealthSampled(self.client.health_all()))

    def _fetch_metrics(self) -> None:
        try:
            body = self.client.metrics()
        except TriageError as exc:
            self.screen.post_message(ProbeFailed("metrics", one_line(exc)))
            return
        self.screen.post_message(MetricsScraped(body, time.monotonic()))

    # --- results (UI thread) --------------------------------------------------------

    def took_snapshot(self, event: SnapshotTaken) -> tuple[Analysis, dict[int, float], str]:
        """Record a snapshot; return it, per-group growth (+n/min) and a note."""
        self.busy.discard("goroutines")
        self.pollers["goroutines"].succeeded(time.monotonic())
        self.latest = event.analysis
        item = event.analysis.dumps[-1]
        self.history.add(item, at=event.at)
        growth = {g.id: rate for g in item.groups if (rate := self.history.rate_of(g)) is not None}
        item.findings[:0] = growth_findings(self.history)
        policy = refresh_policy(
            item.dump.goroutine_count, limit=self.config.refresh.max_live_goroutines
        )
        note = ""
        if not policy.auto and self.enabled["goroutines"]:
            self.enabled["goroutines"] = False
            self.debug = policy.debug
            note = f"live refresh off: {policy.reason} (r refreshes, L turns it back on)"
        return event.analysis, growth, note

    def sampled(self, event: HealthSampled) -> None:
        self.busy.discard("health")
        now = time.monotonic()
        for sample in event.samples:
            tracker = self.health.get(sample.path)
            if tracker is not None:
                tracker.record(sample)
        if all(not s.ok and s.status is None for s in event.samples) and event.samples:
            self.pollers["health"].failed(event.samples[0].detail, now)
        else:
            self.pollers["health"].succeeded(now)

    def scraped(self, event: MetricsScraped) -> None:
        self.busy.discard("metrics")
        if self.metrics.update(event.body, self.url + "/metrics", at=event.at) is None:
            self.pollers["metrics"].failed(
                self.metrics.error or "bad /metrics page", time.monotonic()
            )
        else:
            self.pollers["metrics"].succeeded(time.monotonic())

    def failed(self, event: ProbeFailed) -> None:
        self.busy.discard(event.poller)
        self.pollers[event.poller].failed(event.error, time.monotonic())
        if event.poller == "metrics":
            self.metrics.record_error(event.error)

    # --- what the panes show ----------------------------------------------------------

    def statuses(self) -> list[HealthStatus]:
        return [t.status() for t in self.health.values()]

    def report(self) -> MetricsReport:
        return self.metrics.report()

    def status_line(self) -> tuple[str, str]:
        """The worst poller's line (failures first), and its level."""
        now = time.monotonic()
        states = [
            p.state(now)
            for name, p in self.pollers.items()
            if self.enabled[name] or p.consecutive_failures
        ]
        failing = [s for s in states if s.ok is False]
        if failing:
            return "; ".join(s.status_line for s in failing), "error"
        live = "live" if self.enabled["goroutines"] else "live refresh off (L)"
        return f"attached to {self.url} · {live}", "info"

    def close(self) -> None:
        self.client.close()
