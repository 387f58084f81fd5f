"""HealthTracker arithmetic, table-driven, on hand-made samples and a fake clock."""

from __future__ import annotations

import pytest

from tests.probes.fakes import FakeClock
from triage.probes.client import HealthSample
from triage.probes.health import (
    HealthTracker,
    HistoryPoint,
    consecutive_failures,
    history,
    percentile,
    window_stats,
)


def ok(at: float, latency: float = 0.01) -> HealthSample:
    return HealthSample("/healthz", True, 200, latency, "ok", at)


def http_fail(at: float, latency: float = 0.02, status: int = 503) -> HealthSample:
    return HealthSample("/healthz", False, status, latency, f"HTTP {status}", at)


def refused(at: float) -> HealthSample:
    return HealthSample("/healthz", False, None, 0.0001, "cannot connect (connection refused)", at)


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 50, None),
        ([7.0], 50, 7.0),
        ([7.0], 95, 7.0),
        ([4.0, 1.0, 3.0, 2.0], 50, 2.0),
        ([float(i) for i in range(1, 21)], 95, 19.0),
        ([float(i) for i in range(1, 101)], 95, 95.0),
        ([float(i) for i in range(1, 101)], 50, 50.0),
        ([5.0, 1.0, 3.0], 100, 5.0),
        ([5.0, 1.0, 3.0], 0, 1.0),
    ],
)
def test_percentile_is_nearest_rank(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == expected


NOW = 1000.0


WindowCase = tuple[list[HealthSample], float, tuple[int, int, float | None, float | None]]

#: samples, window -> (count, failures, p50, p95)
WINDOW_CASES: dict[str, WindowCase] = {
    "no samples": ([], 60, (0, 0, None, None)),
    "all ok": (
        [ok(NOW - 30, 0.01), ok(NOW - 20, 0.03), ok(NOW - 10, 0.02)],
        60,
        (3, 0, 0.02, 0.03),
    ),
    "older samples leave the 1-minute window": (
        [ok(NOW - 200, 0.9), ok(NOW - 50, 0.01), ok(NOW - 5, 0.02)],
        60,
        (2, 0, 0.01, 0.02),
    ),
    "and stay in the 5-minute window": (
        [ok(NOW - 200, 0.9), ok(NOW - 50, 0.01), ok(NOW - 5, 0.02)],
        300,
        (3, 0, 0.02, 0.9),
    ),
    "the window is half-open": ([ok(NOW - 60), ok(NOW)], 60, (1, 0, 0.01, 0.01)),
    "refusals are failures without latency": (
        [ok(NOW - 3, 0.01), refused(NOW - 2), refused(NOW - 1)],
        60,
        (3, 2, 0.01, 0.01),
    ),
    "a 503 answered, so its latency counts": (
        [http_fail(NOW - 2, 0.5), ok(NOW - 1, 0.01)],
        60,
        (2, 1, 0.01, 0.5),
    ),
    "nothing answered": ([refused(NOW - 1)], 60, (1, 1, None, None)),
}


@pytest.mark.parametrize("case", WINDOW_CASES.values(), ids=WINDOW_CASES.keys())
def test_window_stats(case: WindowCase) -> None:
    samples, window, expected = case
    stats = window_stats(samples, NOW, window)
    assert (stats.count, stats.failures, stats.p50, stats.p95) == expected
    count, failures = expected[:2]
    assert stats.error_rate == (failures / count if count else 0.0)


@pytest.mark.parametrize(
    ("outcomes", "threshold", "in_a_row", "failing"),
    [
        ("", 3, 0, False),
        ("ok ok", 3, 0, False),
        ("ok fail fail", 3, 2, False),
        ("ok fail fail fail", 3, 3, True),
        ("fail fail fail ok", 3, 0, False),
        ("fail fail ok fail", 3, 1, False),
        ("fail", 1, 1, True),
        ("ok 503 refused 503 refused", 5, 4, False),
        ("503 refused 503 refused fail", 5, 5, True),
    ],
)
def test_consecutive_failures_and_failing(
    outcomes: str, threshold: int, in_a_row: int, failing: bool
) -> None:
    make = {"ok": ok, "fail": refused, "refused": refused, "503": http_fail}
    tracker = HealthTracker("/healthz", failure_threshold=threshold, clock=lambda: NOW)
    for i, word in enumerate(outcomes.split()):
        tracker.record(make[word](NOW - 10 + i))
    assert tracker.consecutive_failures == in_a_row
    assert tracker.failing is failing
    assert tracker.status().failing is failing
    assert consecutive_failures(tracker.samples) == in_a_row


def test_the_ring_is_bounded_and_keeps_the_newest() -> None:
    tracker = HealthTracker("/readyz", capacity=5, clock=lambda: NOW)
    for i in range(8):
        tracker.record(ok(NOW - 8 + i, latency=float(i)))
    assert [s.latency for s in tracker.samples] == [3.0, 4.0, 5.0, 6.0, 7.0]


@pytest.mark.parametrize(
    ("samples", "n", "points"),
    [
        ([], 30, ()),
        ([ok(1, 0.1), ok(2, 0.2)], 30, (HistoryPoint(0.1, True), HistoryPoint(0.2, True))),
        (
            [ok(1, 0.1), http_fail(2, 0.4), refused(3)],
            30,
            (HistoryPoint(0.1, True), HistoryPoint(0.4, False), HistoryPoint(None, False)),
        ),
        (
            [ok(i, float(i)) for i in range(10)],
            3,
            tuple(HistoryPoint(float(i), True) for i in (7, 8, 9)),
        ),
        ([ok(1, 0.1)], 0, ()),
    ],
)
def test_history_marks_failures(
    samples: list[HealthSample], n: int, points: tuple[HistoryPoint, ...]
) -> None:
    assert history(samples, n) == points


def test_status_uses_the_clock_for_its_windows() -> None:
    clock = FakeClock(0.0)
    tracker = HealthTracker("/livez", clock=clock)
    for latency in (0.01, 0.02, 0.03):
        tracker.record(ok(clock(), latency))
        clock.advance(10)
    down = refused(clock())
    tracker.record(down)
    clock.advance(100)  # the ok samples leave the 1-minute window, not the 5-minute one
    status = tracker.status()
    assert status.one_minute.count == 0
    assert (status.five_minutes.count, status.five_minutes.failures) == (4, 1)
    assert status.five_minutes.error_rate == 0.25
    assert status.five_minutes.p50 == 0.02
    assert status.last_ok_at == 20.0
    assert status.last is down
    assert [p.ok for p in status.history] == [True, True, True, False]


@pytest.mark.parametrize(("capacity", "threshold"), [(0, 3), (10, 0)])
def test_nonsense_limits_are_refused(capacity: int, threshold: int) -> None:
    with pytest.raises(ValueError):
        HealthTracker("/healthz", capacity=capacity, failure_threshold=threshold)
