"""What serves the demo pods' HTTP ports: one loopback address per role, and the panic text.

Roles: ``leak`` (goroutines grow while you watch), ``contention`` (a mutex
profile worth reading), ``healthy`` (a quiet service). Either backing
(:mod:`triage.demo.golive`, :mod:`triage.demo.replay`) fills one of these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Address = tuple[str, int]


@dataclass
class Backends:
    """Loopback addresses per role, what the bad revision printed, and how to stop it all."""

    kind: str  # "go" (live Go processes) or "recorded" (replayed artefacts)
    leak: Address
    contention: Address
    healthy: Address
    panic: str
    closers: list[Callable[[], None]] = field(default_factory=list)
    #: child processes (Go backing), so a caller can see they are gone after close
    pids: list[int] = field(default_factory=list)

    def close(self) -> None:
        """Stop every process and server (idempotent: closers run once)."""
        while self.closers:
            closer = self.closers.pop()
            try:
                closer()
            except Exception:  # one stubborn child must not keep the others alive
                continue
