"""Health probe history: latency percentiles, error rates and "failing" per endpoint.

An on-call engineer wants to know three things about ``/readyz``: is it failing
right now (N failures in a row, like the kubelet's ``failureThreshold``), how
often did it fail lately (1 and 5 minute windows), and is it slow. A
:class:`HealthTracker` keeps a bounded ring of :class:`HealthSample`s and
answers with frozen dataclasses the UI renders; the arithmetic lives in pure
functions with table-driven tests.

Latency percentiles use only samples that got an HTTP answer: a refused
connection fails in microseconds and a timeout takes exactly the timeout, so
neither says anything about how fast the service answers.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from triage.probes.client import HealthSample

ONE_MINUTE = 60.0
FIVE_MINUTES = 300.0
#: the kubelet's default failureThreshold
DEFAULT_FAILURE_THRESHOLD = 3
#: ten minutes of samples at one per second
DEFAULT_CAPACITY = 600
DEFAULT_HISTORY = 30


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Samples of the last ``window`` seconds, summarised."""

    window: float
    count: int
    failures: int
    error_rate: float
    """failures / count; 0.0 when there are no samples."""
    p50: float | None
    """Median latency in seconds of the answered samples; None when none answered."""
    p95: float | None


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One bar of a sparkline: a latency, and whether the probe passed."""

    latency: float | None
    """None when no HTTP answer came (refused, timeout): there is no bar to draw."""
    ok: bool
    #: when the probe ran (the tracker's clock), to mark a restart between two bars
    at: float | None = field(default=None, compare=False)
    #: passed, but the answer was an HTML page (see ``HealthSample.suspicious``)
    suspicious: bool = False


@dataclass(frozen=True, slots=True)
class HealthStatus:
    """Everything the UI shows about one health endpoint."""

    path: str
    last: HealthSample | None
    last_ok_at: float | None
    consecutive_failures: int
    failing: bool
    one_minute: WindowStats
    five_minutes: WindowStats
    history: tuple[HistoryPoint, ...]
    #: failures in a row that make it "failing" (a pod's probe has its own)
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100): always one of the measured values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def window_stats(samples: Iterable[HealthSample], now: float, window: float) -> WindowStats:
    """Count, error rate and latency percentiles of samples taken in ``(now - window, now]``."""
    recent = [s for s in samples if now - window < s.at <= now]
    failures = sum(1 for s in recent if not s.ok)
    answered = [s.latency for s in recent if s.status is not None]
    return WindowStats(
        window=window,
        count=len(recent),
        failures=failures,
        error_rate=failures / len(recent) if recent else 0.0,
        p50=percentile(answered, 50),
        p95=percentile(answered, 95),
    )


def consecutive_failures(samples: Sequence[HealthSample]) -> int:
    """Failures at the end of ``samples`` since the last success."""
    count = 0
    for sample in reversed(samples):
        if sample.ok:
            break
        count += 1
    return count


def history(samples: Sequence[HealthSample], n: int = DEFAULT_HISTORY) -> tuple[HistoryPoint, ...]:
    """The last ``n`` samples as sparkline points, oldest first."""
    tail = list(samples)[-n:] if n > 0 else []
    return tuple(
        HistoryPoint(s.latency if s.status is not None else None, s.ok, s.at, bool(s.suspicious))
        for s in tail
    )


class HealthTracker:
    """A bounded ring of samples for one endpoint, and its summary on demand.

    ``clock`` must be the clock the samples were stamped with (the ProbeClient's);
    inject the same fake clock into both in tests.
    """

    def __init__(
        self,
        path: str,
        *,
        capacity: int = DEFAULT_CAPACITY,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1 or failure_threshold < 1:
            raise ValueError("capacity and failure_threshold must be at least 1")
        self.path = path
        self.failure_threshold = failure_threshold
        self._clock = clock
        self._samples: deque[HealthSample] = deque(maxlen=capacity)
        self._last_ok_at: float | None = None

    def record(self, sample: HealthSample) -> None:
        """Add one sample; the oldest falls off when the ring is full."""
        self._samples.append(sample)
        if sample.ok:
            self._last_ok_at = sample.at

    @property
    def samples(self) -> tuple[HealthSample, ...]:
        """The samples kept, oldest first."""
        return tuple(self._samples)

    @property
    def last(self) -> HealthSample | None:
        """The most recent sample."""
        return self._samples[-1] if self._samples else None

    @property
    def consecutive_failures(self) -> int:
        """Failures in a row since the last success."""
        return consecutive_failures(self._samples)

    @property
    def failing(self) -> bool:
        """True once ``failure_threshold`` probes in a row have failed."""
        return self.consecutive_failures >= self.failure_threshold

    def stats(self, window: float) -> WindowStats:
        """Statistics of the last ``window`` seconds."""
        return window_stats(self._samples, self._clock(), window)

    def status(self, points: int = DEFAULT_HISTORY) -> HealthStatus:
        """A frozen summary for the UI (safe to post from a worker)."""
        now = self._clock()
        failures = self.consecutive_failures
        return HealthStatus(
            path=self.path,
            last=self.last,
            last_ok_at=self._last_ok_at,
            consecutive_failures=failures,
            failing=failures >= self.failure_threshold,
            one_minute=window_stats(self._samples, now, ONE_MINUTE),
            five_minutes=window_stats(self._samples, now, FIVE_MINUTES),
            history=history(self._samples, points),
            failure_threshold=self.failure_threshold,
        )
