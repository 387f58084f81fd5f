"""The service dies mid-session: probes turn into recorded failures, the last good data stays."""

from __future__ import annotations

import pytest

from tests.probes.fakes import FakeClock
from tests.support.targets import leaky
from triage.errors import Unreachable
from triage.probes.client import ProbeClient
from triage.probes.health import HealthTracker
from triage.probes.metrics import MetricsTracker
from triage.probes.poller import Poller


def test_probes_after_the_target_is_killed() -> None:
    clock = FakeClock(0.0)
    with leaky() as svc, ProbeClient(svc.url, clock=clock) as client:
        trackers = {p: HealthTracker(p, clock=clock) for p in client.health_paths}
        metrics = MetricsTracker(clock=clock)
        poller = Poller("healthz", interval=5.0)

        # three healthy rounds, five seconds apart, over the same keep-alive connection
        for _ in range(3):
            for sample in client.health_all():
                trackers[sample.path].record(sample)
            metrics.update(client.metrics())
            poller.succeeded(clock())
            clock.advance(5)
        good = metrics.latest
        healthy = trackers["/healthz"].status()
        assert good is not None and good.goroutines is not None
        assert healthy.one_minute.count == 3 and healthy.one_minute.p50 is not None

        svc.proc.kill()
        svc.proc.wait(timeout=10)

        for round_ in range(1, 5):
            for sample in client.health_all():
                assert (sample.ok, sample.status) == (False, None)
                assert sample.detail == "cannot connect (connection refused)"
                trackers[sample.path].record(sample)
            with pytest.raises(Unreachable) as err:
                client.metrics()
            metrics.record_error(err.value)
            last = trackers["/healthz"].last
            assert last is not None
            poller.failed(last.detail, clock())
            assert trackers["/healthz"].consecutive_failures == round_
            assert trackers["/healthz"].failing is (round_ >= 3)
            clock.advance(5)

    for path, tracker in trackers.items():
        status = tracker.status()
        assert status.failing and status.consecutive_failures == 4, path
        assert status.last_ok_at == 10.0
        # the good samples still count, and still give the latency figures
        assert (status.one_minute.count, status.one_minute.failures) == (7, 4)
        assert status.one_minute.p50 is not None
        assert [p.ok for p in status.history] == [True] * 3 + [False] * 4

    report = metrics.report()
    assert report.latest is good
    assert report.trends["goroutines"].latest == good.goroutines
    assert report.consecutive_failures == 4
    assert report.error is not None and "connection refused" in report.error
    assert poller.state(clock()).status_line == (
        "healthz: cannot connect (connection refused), retry in 3s"
    )
