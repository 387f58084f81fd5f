"""A clock the tests move by hand, so no assertion depends on wall time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeClock:
    """Callable like ``time.monotonic``; returns ``now`` until moved."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move forward and return the new time."""
        self.now += seconds
        return self.now
