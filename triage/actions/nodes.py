"""Cordon, uncordon and delete pod: kubectl's requests, previewed.

Cordon and uncordon are the strategic merge patch ``{"spec":{"unschedulable":
true|null}}`` kubectl sends, and nothing at all when the node is already so.
Deleting a pod waits until it is gone (404, or a new pod under the same name
with another UID, as a StatefulSet makes).
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.actions import paths
from triage.actions.base import Progress, RequestAction, sleep_until
from triage.actions.executor import Executor
from triage.actions.model import (
    STRATEGIC_PATCH,
    ActionFailed,
    ApiRequest,
    Check,
    NotFound,
    ObjectRef,
    Plan,
    Risk,
)


def node_ref(node: dict) -> ObjectRef:  # type: ignore[type-arg]
    """The Node as an ObjectRef."""
    meta = node["metadata"]
    return ObjectRef("Node", meta["name"], "", "v1", meta.get("uid", ""), meta["resourceVersion"])


def cordon_request(node: str, on: bool) -> ApiRequest:
    """kubectl's (un)cordon patch."""
    return ApiRequest(
        "PATCH",
        paths.path("nodes", "", node),
        {"spec": {"unschedulable": True if on else None}},
        STRATEGIC_PATCH,
        what=f"{'cordoning' if on else 'uncordoning'} node {node}",
    )


@dataclass
class Cordon(RequestAction):
    """Mark a node unschedulable (``on``) or schedulable again."""

    node: str
    on: bool = True

    @property
    def name(self) -> str:  # type: ignore[override]
        """``cordon`` or ``uncordon``."""
        return "cordon" if self.on else "uncordon"

    def plan(self, ex: Executor) -> Plan:
        """Read the node; nothing to send when it is already as asked."""
        node_path = paths.path("nodes", "", self.node)
        node = ex.read(node_path)
        plan = Plan(
            self.name,
            node_ref(node),
            Risk.LOW,
            f"{self.name} node/{self.node}",
            checks=[Check("patch", "nodes", name=self.node)],
            before={node_path: node},
        )
        if bool((node.get("spec") or {}).get("unschedulable")) == self.on:
            plan.skipped = f"node/{self.node} already {self.name}ed"
            return plan
        plan.requests.append(cordon_request(self.node, self.on))
        return plan

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Read the node back."""
        node = ex.read(plan.requests[0].path)
        if bool((node.get("spec") or {}).get("unschedulable")) != self.on:
            raise ActionFailed(f"node/{self.node} is not {self.name}ed after the patch")
        return f"node/{self.node} {self.name}ed"


def wait_gone(ex: Executor, pod_path: str, uid: str, deadline: float, poll: float) -> bool:
    """Poll until the pod is 404 or has another UID; False at the deadline."""
    while True:
        try:
            pod = ex.read(pod_path)
        except NotFound:
            return True
        if pod["metadata"].get("uid") != uid:
            return True
        if not sleep_until(deadline, poll):
            return False


@dataclass
class DeletePod(RequestAction):
    """Delete one pod (its controller, if any, makes a new one)."""

    namespace: str
    pod: str
    grace_period: int = -1
    name = "delete"

    def plan(self, ex: Executor) -> Plan:
        """Read the pod; build the DELETE."""
        pod_path = paths.path("pods", self.namespace, self.pod)
        pod = ex.read(pod_path)
        meta = pod["metadata"]
        body = {"apiVersion": "v1", "kind": "DeleteOptions"}
        if self.grace_period >= 0:
            body["gracePeriodSeconds"] = self.grace_period  # type: ignore[assignment]
        owners = [
            r.get("kind", "") for r in meta.get("ownerReferences") or [] if r.get("controller")
        ]
        plan = Plan(
            self.name,
            ObjectRef(
                "Pod",
                self.pod,
                self.namespace,
                "v1",
                meta.get("uid", ""),
                meta.get("resourceVersion", ""),
            ),
            Risk.HIGH,
            f"delete pod/{self.pod}",
            requests=[ApiRequest("DELETE", pod_path, body, what=f"deleting pod {self.pod}")],
            checks=[Check("delete", "pods", namespace=self.namespace, name=self.pod)],
        )
        plan.notes.append(
            f"its {owners[0]} will replace it"
            if owners
            else "it has no controller: it will not come back"
        )
        return plan

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Wait until the pod is gone."""
        if not wait_gone(ex, plan.requests[0].path, plan.target.uid, deadline, self.poll):
            raise ActionFailed(f"timed out waiting for pod/{self.pod} to be deleted")
        return f"pod/{self.pod} deleted"
