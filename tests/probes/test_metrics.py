"""Go runtime metrics from /metrics pages: the real service's, client_golang's shape, bad ones."""

from __future__ import annotations

import re

import pytest

from tests.probes.fakes import FakeClock
from tests.support.targets import Service
from triage.errors import EXIT_BAD_INPUT, BadInput
from triage.probes.client import ProbeClient
from triage.probes.metrics import (
    GoMetrics,
    MetricsTracker,
    direction,
    parse_metrics,
    slope_per_minute,
)


def _total(debug1: bytes) -> int:
    found = re.match(rb"goroutine profile: total (\d+)", debug1)
    assert found
    return int(found.group(1))


def test_real_page_agrees_with_the_goroutine_profile(service: Service) -> None:
    service.get("/leak?n=120")
    with ProbeClient(service.url) as client:
        body = client.metrics()
        total = _total(client.goroutines(debug=1))
    found = parse_metrics(body, "leaky /metrics")
    assert found.goroutines is not None and abs(found.goroutines - total) <= 3
    assert found.heap_source == "go_memstats_heap_inuse_bytes"
    text = body.decode()
    for attr, name in [
        ("heap_inuse_bytes", "go_memstats_heap_inuse_bytes"),
        ("rss_bytes", "process_resident_memory_bytes"),
        ("gc_count", "go_gc_duration_seconds_count"),
    ]:
        line = re.search(rf"^{name} (\S+)$", text, re.M)
        assert line and getattr(found, attr) == float(line.group(1))


# The shape client_golang's Go and process collectors print (values made up).
CLIENT_GOLANG = """\
# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.4e-05
go_gc_duration_seconds{quantile="0.25"} 3.1e-05
go_gc_duration_seconds{quantile="0.5"} 4.2e-05
go_gc_duration_seconds{quantile="0.75"} 6.1e-05
go_gc_duration_seconds{quantile="1"} 0.000912
go_gc_duration_seconds_sum 0.0213
go_gc_duration_seconds_count 311
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 1843
# HELP go_memstats_heap_alloc_bytes Number of heap bytes allocated and currently in use.
# TYPE go_memstats_heap_alloc_bytes gauge
go_memstats_heap_alloc_bytes 1.1534336e+07
# HELP go_memstats_heap_inuse_bytes Number of heap bytes that are in use.
# TYPE go_memstats_heap_inuse_bytes gauge
go_memstats_heap_inuse_bytes 1.3418496e+07
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 4.5621248e+07
# HELP promhttp_metric_handler_requests_total Total number of scrapes by HTTP status code.
# TYPE promhttp_metric_handler_requests_total counter
promhttp_metric_handler_requests_total{code="200"} 17
"""

RUNTIME_METRICS_ONLY = """\
# TYPE go_memory_classes_heap_objects_bytes gauge
go_memory_classes_heap_objects_bytes 9.8e+06
# TYPE go_goroutines gauge
go_goroutines 12
"""


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            CLIENT_GOLANG,
            GoMetrics(
                goroutines=1843,
                heap_inuse_bytes=13418496,
                rss_bytes=45621248,
                gc_pause_p50_seconds=4.2e-05,
                gc_pause_max_seconds=0.000912,
                gc_pause_sum_seconds=0.0213,
                gc_count=311,
                heap_source="go_memstats_heap_inuse_bytes",
            ),
        ),
        (
            RUNTIME_METRICS_ONLY,
            GoMetrics(
                goroutines=12,
                heap_inuse_bytes=9.8e06,
                heap_source="go_memory_classes_heap_objects_bytes",
            ),
        ),
        (
            CLIENT_GOLANG.replace("go_memstats_heap_inuse_bytes", "other_bytes"),
            "go_memstats_heap_alloc_bytes",
        ),
        (
            'go_gc_duration_seconds{quantile="0.5"} NaN\ngo_goroutines 3\n',
            GoMetrics(goroutines=3),
        ),
    ],
    ids=["client_golang", "runtime/metrics names", "heap alloc fallback", "NaN is absent"],
)
def test_picks_the_go_series(page: str, expected: GoMetrics | str) -> None:
    found = parse_metrics(page.encode())
    if isinstance(expected, str):
        assert found.heap_source == expected
        assert found.heap_inuse_bytes == 1.1534336e07
    else:
        assert found == expected


HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body></body></html>\n"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (HTML, "is an HTML page"),
        (b"", "empty metrics page"),
        (b"hello there, this is not a metrics page\n", "not Prometheus text metrics"),
        (b'{"goroutines": 12}\n', "not Prometheus text metrics"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "is gzip data"),
        (b"\x00\x01\x02 protobuf", "is binary data"),
        (b"# HELP http_requests_total x\nhttp_requests_total 3\n", "no Go runtime metrics"),
        (CLIENT_GOLANG[: CLIENT_GOLANG.index("go_goroutines 1843") + 16].encode(), "truncated"),
        (CLIENT_GOLANG.encode()[:-5], "truncated"),
    ],
    ids=["html", "empty", "garbage", "json", "gzip", "binary", "no go series", "cut", "cut2"],
)
def test_bad_pages_are_one_line_bad_input(body: bytes, words: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_metrics(body, "http://127.0.0.1:6060/metrics")
    line = err.value.line()
    assert line.startswith("http://127.0.0.1:6060/metrics: ")
    assert words in line and "\n" not in line
    assert err.value.exit_code == EXIT_BAD_INPUT


def test_truncated_real_page_is_refused(service: Service) -> None:
    with ProbeClient(service.url) as client:
        body = client.metrics()
    cut = body[: body.index(b"go_goroutines ") + len(b"go_goroutines ") + 1]
    with pytest.raises(BadInput, match="truncated"):
        parse_metrics(cut)


def test_goroutine_growth_per_minute_from_real_scrapes(service: Service) -> None:
    """50 goroutines leaked every 30 (fake) seconds is +100/min; then it stops."""
    clock = FakeClock(0.0)
    tracker = MetricsTracker(window=100.0, clock=clock)
    with ProbeClient(service.url) as client:
        for i in range(4):
            if i:
                service.get("/leak?n=50")
                clock.advance(30)
            tracker.update(client.metrics())
        leaking = tracker.trend("goroutines")
        for _ in range(4):
            clock.advance(30)
            tracker.update(client.metrics())
        stopped = tracker.trend("goroutines")  # the window has left the leaking scrapes
    assert leaking.direction == "up"
    assert leaking.per_minute is not None and 95 <= leaking.per_minute <= 105
    assert leaking.points == 4
    assert stopped.direction == "flat"
    assert stopped.per_minute is not None and abs(stopped.per_minute) < 5
    assert stopped.points == 4
    assert len(tracker.series("goroutines")) == 8


def _gc_page(pause_sum: float, count: int) -> bytes:
    return (
        f"go_gc_duration_seconds_sum {pause_sum}\ngo_gc_duration_seconds_count {count}\n".encode()
    )


@pytest.mark.parametrize(
    ("pages", "recent"),
    [
        ([(0.010, 10), (0.016, 13)], [0.002]),
        ([(0.010, 10), (0.010, 10)], []),
        ([(0.010, 10), (0.001, 2)], []),
        ([(0.010, 10), (0.016, 13), (0.046, 14)], [0.002, 0.03]),
    ],
    ids=["three collections", "no collection", "process restarted", "a spike shows"],
)
def test_recent_gc_pause_is_the_delta_between_scrapes(
    pages: list[tuple[float, int]], recent: list[float]
) -> None:
    clock = FakeClock(0.0)
    tracker = MetricsTracker(clock=clock)
    for pause_sum, count in pages:
        tracker.update(_gc_page(pause_sum, count))
        clock.advance(10)
    assert [round(v, 9) for _, v in tracker.series("gc_pause_recent_seconds")] == recent


def test_a_bad_scrape_keeps_the_last_good_data(service: Service) -> None:
    clock = FakeClock(0.0)
    tracker = MetricsTracker(clock=clock)
    with ProbeClient(service.url) as client:
        good = tracker.update(client.metrics())
        clock.advance(10)
        assert tracker.update(HTML, "http://x/metrics") is None
        report = tracker.report()
        assert report.latest is good and good is not None
        assert report.error is not None and "HTML page" in report.error
        assert report.consecutive_failures == 1
        assert report.trends["goroutines"].latest == good.goroutines
        assert len(tracker.series("goroutines")) == 1
        tracker.update(client.metrics())
    assert tracker.error is None and tracker.consecutive_failures == 0
    assert len(tracker.series("goroutines")) == 2


@pytest.mark.parametrize(
    ("points", "per_minute", "trend"),
    [
        ([], None, "unknown"),
        ([(0.0, 5.0)], None, "unknown"),
        ([(0.0, 5.0), (0.0, 9.0)], None, "unknown"),
        ([(0.0, 100.0), (60.0, 160.0)], 60.0, "up"),
        ([(0.0, 100.0), (30.0, 130.0), (60.0, 160.0)], 60.0, "up"),
        ([(0.0, 500.0), (60.0, 400.0), (120.0, 300.0)], -100.0, "down"),
        ([(0.0, 1000.0), (60.0, 1003.0), (120.0, 998.0), (180.0, 1001.0)], -0.2, "flat"),
        ([(0.0, 0.0), (60.0, 0.0)], 0.0, "flat"),
        ([(0.0, 10.0), (60.0, 10.0), (120.0, 40.0)], 15.0, "up"),
    ],
)
def test_least_squares_trend(
    points: list[tuple[float, float]], per_minute: float | None, trend: str
) -> None:
    rate = slope_per_minute(points)
    assert rate == (None if per_minute is None else pytest.approx(per_minute))
    assert direction(points, rate) == trend
