"""When to poll next, and what to tell the user while an endpoint is down.

The UI owns the timers (Textual ``set_interval`` plus thread workers); this
module only does the bookkeeping, so it holds no threads and reads no clock of
its own: every call takes ``now``. A :class:`Poller` per endpoint records each
attempt; :meth:`Poller.state` returns a frozen :class:`PollState` the status
line renders, e.g. ``healthz: cannot connect (connection refused), retry in 8s``.

Failures back off exponentially on a fixed schedule (1, 2, 4, 8 ... 60 s) so a
dead port-forward is not hammered, and the delay is predictable enough to
print. The first success returns to the normal interval.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from triage.errors import TriageError

_URL_PREFIX = re.compile(r"^https?://\S+?: ")


@dataclass(frozen=True, slots=True)
class Backoff:
    """A deterministic exponential schedule: ``base * factor**(n-1)``, capped.

    No jitter: there is one client per endpoint, so there is no herd to spread,
    and a predictable delay can be shown to the user.
    """

    base: float = 1.0
    factor: float = 2.0
    maximum: float = 60.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failures (0 -> no wait)."""
        if failures <= 0:
            return 0.0
        # Cap the exponent too: 2.0**2000 would overflow long before min() applies.
        exponent = min(failures - 1, 64)
        return float(min(self.base * self.factor**exponent, self.maximum))


def one_line(error: TriageError | BaseException | str) -> str:
    """The reason of a failure in one short line, without the URL it names.

    Errors from :mod:`triage.sources` read ``URL: reason``; in a status line
    that already names the endpoint the URL is noise.
    """
    if isinstance(error, TriageError):
        text = error.message
    elif isinstance(error, BaseException):
        text = str(error) or type(error).__name__
    else:
        text = error
    lines = text.strip().splitlines()
    first = lines[0] if lines else "failed"
    return _URL_PREFIX.sub("", first, count=1)


@dataclass(frozen=True, slots=True)
class PollState:
    """What the status line shows about one polled endpoint, at one instant."""

    name: str
    ok: bool | None
    """True after a success, False after a failure, None before the first attempt."""
    last_success: float | None
    last_error: str | None
    consecutive_failures: int
    next_attempt: float
    retry_in: float
    """Seconds from the instant of the snapshot to the next attempt (never negative)."""

    @property
    def status_line(self) -> str:
        """``NAME ok``, ``NAME: REASON, retry in 8s`` or ``NAME: waiting``."""
        if self.ok is None:
            return f"{self.name}: waiting"
        if self.ok:
            return f"{self.name} ok"
        wait = math.ceil(self.retry_in)
        when = f"retry in {wait}s" if wait > 0 else "retrying"
        return f"{self.name}: {self.last_error}, {when}"


@dataclass
class Poller:
    """Bookkeeping for one endpoint polled every ``interval`` seconds.

    Call :meth:`succeeded` or :meth:`failed` after each attempt and
    :meth:`due` from the UI timer; nothing here sleeps or schedules.
    """

    name: str
    interval: float = 5.0
    backoff: Backoff = field(default_factory=Backoff)
    last_attempt: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    next_attempt: float = 0.0

    def succeeded(self, now: float) -> None:
        """Record a success: reset the backoff, poll again after ``interval``."""
        self.last_attempt = now
        self.last_success = now
        self.last_error = None
        self.consecutive_failures = 0
        self.next_attempt = now + self.interval

    def failed(self, error: TriageError | BaseException | str, now: float) -> None:
        """Record a failure: remember why in one line and back off."""
        self.last_attempt = now
        self.last_error = one_line(error)
        self.consecutive_failures += 1
        self.next_attempt = now + self.backoff.delay(self.consecutive_failures)

    def due(self, now: float) -> bool:
        """True when the next attempt should start."""
        return now >= self.next_attempt

    def state(self, now: float) -> PollState:
        """A frozen snapshot to hand to the UI."""
        ok: bool | None = None
        if self.last_attempt is not None:
            ok = self.consecutive_failures == 0
        return PollState(
            name=self.name,
            ok=ok,
            last_success=self.last_success,
            last_error=self.last_error,
            consecutive_failures=self.consecutive_failures,
            next_attempt=self.next_attempt,
            retry_in=max(0.0, self.next_attempt - now),
        )
