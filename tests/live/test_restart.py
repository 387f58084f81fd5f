"""A live view you can trust across a restart: the real ``leaky`` target, killed and started
again on the same port, with a hand-moved clock (no sleeps, no wall-time assertions)."""

from __future__ import annotations

from tests.probes.fakes import FakeClock
from tests.support.targets import leaky
from triage.config import Config, Refresh
from triage.goroutines import analyze
from triage.live.fetcher import Capability, http_fetcher
from triage.live.restart import RestartDetector
from triage.live.session import LiveSession, SnapshotFetched
from triage.probes.metrics import MetricsTracker, trend
from triage.probes.metrics import Trend as MetricTrend
from triage.ui.render_health import metrics_lines, trend_line

G, H, M = Capability.GOROUTINES, Capability.HEALTH, Capability.METRICS


def _session(url: str, clock: FakeClock) -> LiveSession:
    cfg = Config(refresh=Refresh(goroutines=10.0, health=2.0, metrics=5.0))
    return LiveSession(http_fetcher(url, cfg), cfg, clock=clock)


def _poll(session: LiveSession, *polls: Capability) -> None:
    for poll in polls:
        session.apply(session.fetch(poll))


def test_a_restart_resets_baselines_marks_the_break_and_data_goes_stale_between() -> None:
    clock = FakeClock(0.0)
    with leaky("-spawn", "30") as first:
        session = _session(first.url, clock)
        address = first.url.removeprefix("http://")
        for _ in range(4):  # two minutes of a leak: a real rate
            first.get("/leak?n=40")
            _poll(session, G, M)
            clock.advance(40)
        assert session.report().trends["goroutines"].direction == "up"
        assert session.history.growth()
        first.proc.kill()
        first.proc.wait(timeout=10)
        _poll(session, G, M, H)
        # the old figures stay, marked with when they stopped being true
        report = session.report()
        assert report.latest is not None and report.stale.startswith("stale since ")
        assert session.stale(G).startswith("stale since ")
        text = " ".join(str(line) for line in metrics_lines(report))
        assert "(stale since " in text
        clock.advance(30)
    with leaky("-addr", address) as second:
        assert second.url == first.url
        _poll(session, M)
        report = session.report()
        assert report.restarted.startswith("restarted at ")
        assert "(process start time changed)" in report.restarted
        assert not report.stale and not session.stale(M)
        # no trend across the two processes: the new one has a single point
        goroutines = report.trends["goroutines"]
        assert goroutines.per_minute is None and goroutines.direction == "unknown"
        assert "↻ restarted at" in " ".join(str(line) for line in metrics_lines(report))
        fetched = session.fetch(G)
        assert isinstance(fetched, SnapshotFetched)
        view = session.apply(fetched)
        assert view is not None and view.growth == {}  # no "-345/min" across processes
        assert len(session.history.snapshots) == 1
        assert not session.stale(G)
        assert len(session.restart_log) == 1  # seen once, not again by the goroutine ids


def test_goroutine_ids_going_back_mean_a_new_process() -> None:
    with leaky("-spawn", "1500") as busy:
        old = analyze(busy.get("/debug/pprof/goroutine?debug=2").content).primary
        again = analyze(busy.get("/debug/pprof/goroutine?debug=2").content).primary
    with leaky() as fresh:
        new = analyze(fresh.get("/debug/pprof/goroutine?debug=2").content).primary
    assert old is not None and again is not None and new is not None
    detector = RestartDetector()
    assert detector.from_dump(old) == ""
    assert detector.from_dump(again) == ""  # the same process: ids only grow
    reason = detector.from_dump(new)
    assert reason.startswith("goroutine ids went back (")


def test_no_rate_before_the_minimum_window() -> None:
    clock = FakeClock(0.0)
    tracker = MetricsTracker(clock=clock)
    with leaky() as svc:
        tracker.update(svc.get("/metrics").content)
        svc.get("/leak?n=250")
        clock.advance(5)
        tracker.update(svc.get("/metrics").content)
        early = tracker.trend("goroutines")
        assert early.per_minute is None and early.direction == "unknown"  # not "+3000/min"
        svc.get("/leak?n=250")
        clock.advance(30)
        tracker.update(svc.get("/metrics").content)
    later = tracker.trend("goroutines")
    assert later.per_minute is not None and later.per_minute > 0 and later.direction == "up"


def test_never_rising_on_a_falling_value_nor_rising_by_nothing() -> None:
    points = [(0.0, 100.0), (30.0, 200.0), (60.0, 300.0), (90.0, 150.0)]
    falling_now = trend("goroutines", points, now=90.0, window=300.0)
    assert falling_now.direction != "up"
    assert "rising" not in str(trend_line(falling_now))
    tiny = MetricTrend("gc_pause_p50_seconds", 0.0004, 90.0, 0.0000004, "up", 4)
    assert "rising" not in str(trend_line(tiny)) and "+0ms" not in str(trend_line(tiny))
    rising = trend("goroutines", [(0.0, 100.0), (60.0, 300.0)], now=60.0, window=300.0)
    assert "↑ rising +200/min" in str(trend_line(rising))
