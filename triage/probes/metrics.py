"""The Go runtime metrics of a ``/metrics`` page, and how they move over time.

Parsing uses prometheus_client's own text parser; this module only picks the
few series that tell an on-call engineer whether a Go service is leaking:
goroutines, heap in use, GC pauses and resident memory. A
:class:`MetricsTracker` keeps a time series of each and reports the latest
value, the growth per minute (least-squares slope over the last minutes, so
one noisy scrape does not flip the trend) and a direction.

A bad page (HTML, garbage, cut short) raises BadInput with one line; the
tracker records that failure and keeps its last good data, so the screen goes
on showing where things stood when the scrape broke.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from triage.errors import BadInput, TriageError
from triage.sources import sniff

Direction = Literal["up", "down", "flat", "unknown"]

#: heap in use, best source first (client_golang memstats, then runtime/metrics names)
HEAP_METRICS = (
    "go_memstats_heap_inuse_bytes",
    "go_memstats_heap_alloc_bytes",
    "go_memory_classes_heap_objects_bytes",
)
GC_SUMMARY = "go_gc_duration_seconds"
PROCESS_START = "process_start_time_seconds"
DEFAULT_WINDOW = 300.0
DEFAULT_CAPACITY = 720
#: a fitted change smaller than this share of the mean over the window is "flat"
FLAT_RATIO = 0.02
#: no rate over less than this many seconds: "+251/min" five seconds after attaching is noise
MIN_RATE_SPAN = 30.0


@dataclass(frozen=True, slots=True)
class GoMetrics:
    """One scrape's Go runtime figures; None where the page lacks the series."""

    goroutines: float | None = None
    heap_inuse_bytes: float | None = None
    rss_bytes: float | None = None
    gc_pause_p50_seconds: float | None = None
    gc_pause_max_seconds: float | None = None
    gc_pause_sum_seconds: float | None = None
    gc_count: float | None = None
    #: ``process_start_time_seconds`` (Unix time): a new value means a new process
    process_start_seconds: float | None = None
    heap_source: str = ""
    """Which series gave ``heap_inuse_bytes`` (they differ a little in meaning)."""


def parse_metrics(body: bytes | str, source: str = "metrics") -> GoMetrics:
    """Pick the Go runtime series from a Prometheus text page.

    Raises BadInput (one line naming ``source``) for an empty, HTML, binary,
    truncated or unparsable page, or one without any Go runtime series.
    """
    text = _decode(body, source)
    values = _collect(text, source)
    heap_source = next((name for name in HEAP_METRICS if name in values), "")
    found = GoMetrics(
        goroutines=values.get("go_goroutines"),
        heap_inuse_bytes=values.get(heap_source) if heap_source else None,
        rss_bytes=values.get("process_resident_memory_bytes"),
        gc_pause_p50_seconds=values.get(GC_SUMMARY + "{0.5}"),
        gc_pause_max_seconds=values.get(GC_SUMMARY + "{1}"),
        gc_pause_sum_seconds=values.get(GC_SUMMARY + "_sum"),
        gc_count=values.get(GC_SUMMARY + "_count"),
        process_start_seconds=values.get(PROCESS_START),
        heap_source=heap_source,
    )
    ignored = ("heap_source", "process_start_seconds")
    if all(getattr(found, f.name) is None for f in fields(found) if f.name not in ignored):
        raise BadInput(
            f"{source}: no Go runtime metrics (go_goroutines, heap, GC, RSS)",
            "is the Prometheus Go collector registered in this service?",
        )
    return found


def _decode(body: bytes | str, source: str) -> str:
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    kind = sniff(body)
    if kind == "empty":
        raise BadInput(f"{source}: empty metrics page", "is this the service's /metrics path?")
    if kind == "html":
        raise BadInput(
            f"{source}: is an HTML page, not Prometheus metrics",
            "check the URL: the server sent a web page (login, proxy or error page)",
        )
    if kind != "text":
        raise BadInput(
            f"{source}: is {kind} data, not Prometheus text metrics",
            "scrape with Accept: text/plain, or check the path",
        )
    text = body.decode("utf-8", "replace")
    # The format ends every line with \n; without it the last value may be cut short.
    if not text.endswith("\n"):
        raise BadInput(
            f"{source}: metrics page is truncated (no newline after the last line)",
            "scrape again; check the connection or a proxy cutting the body",
        )
    return text


def _collect(text: str, source: str) -> dict[str, float]:
    """``name -> value`` of the wanted samples; quantiles as ``name{q}``."""
    from prometheus_client.parser import text_string_to_metric_families

    wanted = {"go_goroutines", "process_resident_memory_bytes", PROCESS_START, *HEAP_METRICS}
    values: dict[str, float] = {}
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                key = _key(sample.name, sample.labels, wanted)
                if key and key not in values and _finite(sample.value):
                    values[key] = float(sample.value)
    except ValueError as exc:  # the parser's documented error type for malformed text
        raise _not_metrics(source, exc) from None
    except Exception as exc:  # anything else it raises on hostile text is bad input too
        if not _raised_in(exc, "prometheus_client."):
            raise
        raise _not_metrics(source, exc) from None
    return values


def _not_metrics(source: str, exc: Exception) -> BadInput:
    text = str(exc).splitlines()[0][:80] if str(exc) else ""
    reason = text if isinstance(exc, ValueError) else f"{type(exc).__name__}: {text}"
    return BadInput(
        f"{source}: not Prometheus text metrics ({reason or 'malformed line'})",
        "check the URL points at the service's /metrics",
    )


def _raised_in(exc: BaseException, package: str) -> bool:
    """True when a frame of ``package`` is on the exception's traceback (a parser's own failure)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(package):
            return True
        tb = tb.tb_next
    return False


def _key(name: str, labels: dict[str, str], wanted: set[str]) -> str:
    if name in wanted:
        return name
    if name == GC_SUMMARY and labels.get("quantile") in ("0.5", "1", "1.0"):
        return f"{GC_SUMMARY}{{{labels['quantile'].removesuffix('.0')}}}"
    if name in (GC_SUMMARY + "_sum", GC_SUMMARY + "_count"):
        return name
    return ""


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class Trend:
    """Where one series stands and where it is heading."""

    name: str
    latest: float | None
    latest_at: float | None
    per_minute: float | None
    """Least-squares growth per minute over the window; None with fewer than 2 points."""
    direction: Direction
    points: int
    """How many scrapes the fit used."""


def slope_per_minute(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of ``(seconds, value)`` points, scaled to per minute."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / spread * 60.0


def direction(points: Sequence[tuple[float, float]], per_minute: float | None) -> Direction:
    """up/down when the fitted change over the span exceeds 2% of the mean, else flat."""
    if per_minute is None:
        return "unknown"
    span_minutes = (points[-1][0] - points[0][0]) / 60.0
    change = per_minute * span_minutes
    mean = sum(abs(v) for _, v in points) / len(points)
    if abs(change) <= FLAT_RATIO * mean or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def trend(
    name: str,
    points: Sequence[tuple[float, float]],
    now: float,
    window: float,
    min_span: float = MIN_RATE_SPAN,
) -> Trend:
    """The trend of ``(at, value)`` points, fitted over those in the last ``window``
    (no rate until they span ``min_span`` seconds)."""
    recent = [(t, v) for t, v in points if now - window <= t <= now]
    spans = len(recent) >= 2 and recent[-1][0] - recent[0][0] >= min_span
    rate = slope_per_minute(recent) if spans else None
    heading = direction(recent, rate)
    if heading in ("up", "down") and len(recent) >= 2:
        # the window's slope says one thing, the last step the other: claim neither
        step = recent[-1][1] - recent[-2][1]
        if (step < 0 and heading == "up") or (step > 0 and heading == "down"):
            heading = "unknown"
    last = points[-1] if points else None
    return Trend(
        name=name,
        latest=last[1] if last else None,
        latest_at=last[0] if last else None,
        per_minute=rate,
        direction=heading,
        points=len(recent),
    )


#: the series a tracker follows; gc_pause_recent_seconds is derived between scrapes
SERIES = (
    "goroutines",
    "heap_inuse_bytes",
    "rss_bytes",
    "gc_pause_p50_seconds",
    "gc_pause_recent_seconds",
)


@dataclass(frozen=True, slots=True)
class MetricsReport:
    """What the metrics panel shows: one trend per series and the scrape status."""

    trends: dict[str, Trend]
    latest: GoMetrics | None
    error: str | None
    """The last scrape's failure in one line; None once a scrape succeeds."""
    consecutive_failures: int
    #: "stale since HH:MM:SS" while scrapes fail (the figures are the last good ones)
    stale: str = ""
    #: "restarted at HH:MM:SS (why)": trends start over from there
    restarted: str = ""
    #: when the target restarted (the tracker's clock), to mark in sparklines
    breaks: tuple[float, ...] = ()


@dataclass
class MetricsTracker:
    """Time series of the Go figures, fed one scrape at a time.

    Not thread-safe: feed and read it from one thread (the UI's), handing it
    the bytes a worker fetched.

    ``gc_pause_recent_seconds`` is the mean pause of the collections between two
    scrapes (delta of the summary's sum over delta of its count): the summary's
    own quantiles cover the process lifetime and hide a recent spike.
    """

    window: float = DEFAULT_WINDOW
    capacity: int = DEFAULT_CAPACITY
    min_span: float = MIN_RATE_SPAN
    clock: Callable[[], float] = time.monotonic
    latest: GoMetrics | None = None
    error: str | None = None
    consecutive_failures: int = 0
    #: when the target restarted (tracker clock): series before a break are dropped
    breaks: list[float] = field(default_factory=list)
    _series: dict[str, deque[tuple[float, float]]] = field(default_factory=dict, repr=False)

    def update(
        self, body: bytes | str, source: str = "metrics", at: float | None = None
    ) -> GoMetrics | None:
        """Parse and record one scrape; a bad page is recorded as a failure (None)."""
        try:
            metrics = parse_metrics(body, source)
        except BadInput as exc:
            self.record_error(exc)
            return None
        self.record(metrics, at)
        return metrics

    def record(self, metrics: GoMetrics, at: float | None = None) -> None:
        """Add one good scrape taken at ``at`` (default: now on the tracker's clock)."""
        when = self.clock() if at is None else at
        for name, value in self._values(metrics):
            if value is not None:
                ring = self._series.setdefault(name, deque(maxlen=self.capacity))
                ring.append((when, value))
        self.latest = metrics
        self.error = None
        self.consecutive_failures = 0

    def record_error(self, error: TriageError | str) -> None:
        """Note a failed scrape; the series and ``latest`` stay as they were."""
        self.error = error.line() if isinstance(error, TriageError) else error
        self.consecutive_failures += 1

    def restarted(self, at: float) -> None:
        """A new process: its figures start a new series (no trend across the two)."""
        self._series.clear()
        self.breaks.append(at)

    def series(self, name: str) -> list[tuple[float, float]]:
        """``(at, value)`` points of one series, oldest first (for a sparkline)."""
        return list(self._series.get(name, ()))

    def trend(self, name: str) -> Trend:
        """Latest value, growth per minute and direction of one series."""
        return trend(name, self.series(name), self.clock(), self.window, self.min_span)

    def report(self) -> MetricsReport:
        """A frozen summary for the UI."""
        return MetricsReport(
            trends={name: self.trend(name) for name in SERIES},
            latest=self.latest,
            error=self.error,
            consecutive_failures=self.consecutive_failures,
            breaks=tuple(self.breaks),
        )

    def _values(self, metrics: GoMetrics) -> Iterable[tuple[str, float | None]]:
        yield "goroutines", metrics.goroutines
        yield "heap_inuse_bytes", metrics.heap_inuse_bytes
        yield "rss_bytes", metrics.rss_bytes
        yield "gc_pause_p50_seconds", metrics.gc_pause_p50_seconds
        yield "gc_pause_recent_seconds", _recent_pause(self.latest, metrics)


def _recent_pause(before: GoMetrics | None, after: GoMetrics) -> float | None:
    """Mean GC pause between two scrapes; None without new collections or on a restart."""
    if before is None:
        return None
    sum0, count0 = before.gc_pause_sum_seconds, before.gc_count
    sum1, count1 = after.gc_pause_sum_seconds, after.gc_count
    if sum0 is None or count0 is None or sum1 is None or count1 is None:
        return None
    collections = count1 - count0
    if collections <= 0:  # none since, or the counters restarted with the process
        return None
    return (sum1 - sum0) / collections
