"""What a live target can give, whatever carries it (HTTP today, a pod tomorrow).

The session only ever talks to a :class:`Fetcher`. Its methods block (call
them from worker threads) and raise :class:`~triage.errors.TriageError` with
one line, except :meth:`Fetcher.health_all`, whose failures are samples.
``capabilities`` says which of the four a target has, so the session polls
only what exists (a pod without a debug port still has logs to read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from triage.probes.endpoints import Capability

if TYPE_CHECKING:
    from triage.config import Config
    from triage.probes.client import HealthSample, ProbeClient

__all__ = ["Capability", "Fetcher", "http_fetcher"]


class Fetcher(Protocol):
    """A live target: goroutine dumps, health checks, metrics and profiles."""

    @property
    def label(self) -> str:
        """The target's base label for titles: ``http://127.0.0.1:6060``, ``pod/api-0``."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Which of goroutines, health, metrics and profiles this target can give."""
        ...

    def goroutines(self, debug: int = 2) -> bytes:
        """A goroutine dump (debug=2 full stacks, 1 counted)."""
        ...

    def health_all(self) -> list[HealthSample]:
        """One sample per health check; a failed check is a sample, never raised."""
        ...

    def metrics(self) -> bytes:
        """The Prometheus text exposition."""
        ...

    def profile(self, kind: str, seconds: int | None = None) -> bytes:
        """A gzipped pprof profile (``seconds``: CPU sampling or a delta profile)."""
        ...

    def close(self) -> None:
        """Release connections (and, for a pod, the port-forward)."""
        ...


def http_fetcher(url: str, config: Config) -> ProbeClient:
    """The fetcher of a service's debug port (BadInput for an address that is none)."""
    from triage.probes.client import ProbeClient

    return ProbeClient(
        url, timeout=config.attach.timeout, health_paths=tuple(config.attach.health_paths)
    )
