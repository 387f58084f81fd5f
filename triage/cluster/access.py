"""What this user may do in a namespace, asked once (SelfSubjectAccessReviews).

Views offer only what is allowed (logs, port-forward) and say which permission
would show more, in RBAC's words so it can be pasted into a request to the
cluster admins. Port-forward is checked for both verbs: a websocket upgrade
needs ``create`` since Kubernetes 1.35 and ``get`` before (kubernetes#134577), so
we ask for both. Reviews run in parallel (one round trip of latency); a review
that fails counts as allowed, so the real request decides and its 403 is shown.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from triage.errors import TriageError

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient

#: (what it enables, verb, resource, subresource, group)
CHECKS: tuple[tuple[str, str, str, str, str], ...] = (
    ("list pods", "list", "pods", "", ""),
    ("logs", "get", "pods", "log", ""),
    ("port-forward (get)", "get", "pods", "portforward", ""),
    ("port-forward (create)", "create", "pods", "portforward", ""),
    ("events", "list", "events", "", ""),
    ("revisions", "list", "replicasets", "", "apps"),
)


@dataclass(frozen=True, slots=True)
class Permissions:
    """The answers, by what they enable."""

    namespace: str | None
    allowed: dict[str, bool]

    @property
    def logs(self) -> bool:
        """``get pods/log``: previous logs, full tracebacks."""
        return self.allowed.get("logs", True)

    @property
    def port_forward(self) -> bool:
        """``get`` and ``create`` on ``pods/portforward``: live pprof, health, metrics."""
        return self.allowed.get("port-forward (get)", True) and self.allowed.get(
            "port-forward (create)", True
        )

    def missing(self) -> list[str]:
        """One line per thing denied: what it would show and the permission it needs."""
        where = f" in namespace {self.namespace}" if self.namespace else " cluster-wide"
        out: list[str] = []
        if not self.logs:
            out.append(f"full logs and tracebacks need `get pods/log`{where}")
        if not self.port_forward:
            out.append(
                f"live pprof, health and metrics need `get` and `create` on pods/portforward{where}"
            )
        if not self.allowed.get("events", True):
            out.append(f"events need `list events`{where}")
        if not self.allowed.get("revisions", True):
            out.append(f"revisions need `list replicasets` (apps){where}")
        return out


def permissions(client: KubeClient, namespace: str | None) -> Permissions:
    """Ask the API server about each of :data:`CHECKS` in ``namespace`` (None: all)."""

    def ask(check: tuple[str, str, str, str, str]) -> tuple[str, bool]:
        name, verb, resource, sub, group = check
        try:
            answer: Any = client.can_i(verb, resource, namespace, subresource=sub, group=group)
        except TriageError:
            return name, True
        return name, bool(answer.allowed)

    with ThreadPoolExecutor(len(CHECKS)) as pool:
        return Permissions(namespace, dict(pool.map(ask, CHECKS)))
