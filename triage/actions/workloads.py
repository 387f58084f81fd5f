"""Restart and scale, with kubectl's requests (``rollout restart``, ``scale``).

Restart is the strategic merge patch of the pod template's
``kubectl.kubernetes.io/restartedAt`` annotation (RFC 3339, UTC), refused for
a paused Deployment; scale a merge patch of ``spec.replicas`` on ``/scale``.
Both then wait for the rollout as ``kubectl rollout status`` would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from triage.actions import paths
from triage.actions.base import Progress, RequestAction
from triage.actions.executor import Executor
from triage.actions.model import (
    COMPONENT,
    MERGE_PATCH,
    STRATEGIC_PATCH,
    ActionFailed,
    ApiRequest,
    Check,
    ObjectRef,
    Plan,
    Risk,
)
from triage.actions.rollout import wait_rolled_out
from triage.errors import BadInput

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
RESTARTABLE = ("deployments", "statefulsets", "daemonsets")
SCALABLE = ("deployments", "statefulsets", "replicasets")


def object_ref(obj: dict, resource: str) -> ObjectRef:  # type: ignore[type-arg]
    """The reference of an object read from the API (kind, name, uid, resourceVersion)."""
    meta = obj["metadata"]
    return ObjectRef(
        paths.KINDS[resource][1],
        meta["name"],
        meta.get("namespace", ""),
        paths.api_version(resource),
        meta.get("uid", ""),
        meta.get("resourceVersion", ""),
    )


def _check_resource(resource: str, allowed: tuple[str, ...], verb: str) -> None:
    if resource not in allowed:
        kinds = ", ".join(r.removesuffix("s") for r in allowed)
        raise BadInput(f"cannot {verb} a {resource.removesuffix('s')}", f"{verb} works on: {kinds}")


@dataclass
class Restart(RequestAction):
    """``kubectl rollout restart``: new pods from the same template."""

    resource: str
    namespace: str
    target: str
    now: str = ""
    name = "restart"

    def plan(self, ex: Executor) -> Plan:
        """Read the workload; build the restartedAt patch."""
        _check_resource(self.resource, RESTARTABLE, "restart")
        obj_path = paths.path(self.resource, self.namespace, self.target)
        obj = ex.read(obj_path)
        kind = paths.KINDS[self.resource][1]
        if kind == "Deployment" and (obj.get("spec") or {}).get("paused"):
            raise ActionFailed(
                f"can't restart paused deployment {self.target}",
                f"resume it first (kubectl rollout resume deployment/{self.target})",
            )
        stamp = self.now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        return Plan(
            self.name,
            object_ref(obj, self.resource),
            Risk.LOW,
            f"restart {kind.lower()}/{self.target} (new pods, same template)",
            requests=[
                ApiRequest(
                    "PATCH",
                    obj_path,
                    body,
                    STRATEGIC_PATCH,
                    (("fieldManager", COMPONENT),),
                    what=f"restarting {kind.lower()} {self.target}",
                )
            ],
            checks=[
                Check(
                    "patch",
                    self.resource,
                    paths.group(self.resource),
                    namespace=self.namespace,
                    name=self.target,
                )
            ],
            before={obj_path: obj},
        )

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Wait for the new pods."""
        return wait_rolled_out(
            ex, plan.requests[0].path, plan.target.kind, progress, deadline, poll=self.poll
        )


@dataclass
class Scale(RequestAction):
    """``kubectl scale --replicas N`` through the ``/scale`` subresource."""

    resource: str
    namespace: str
    target: str
    replicas: int
    name = "scale"

    def plan(self, ex: Executor) -> Plan:
        """Read ``/scale``; build the merge patch."""
        _check_resource(self.resource, SCALABLE, "scale")
        if self.replicas < 0:
            raise BadInput(f"--replicas {self.replicas}: must be 0 or more")
        obj_path = paths.path(self.resource, self.namespace, self.target)
        scale_path = obj_path + "/scale"
        scale = ex.read(scale_path)
        current = int((scale.get("spec") or {}).get("replicas") or 0)
        kind = paths.KINDS[self.resource][1]
        plan = Plan(
            self.name,
            object_ref(scale, self.resource),
            Risk.LOW,
            f"scale {kind.lower()}/{self.target} from {current} to {self.replicas} replicas",
            checks=[
                Check(
                    "patch",
                    self.resource,
                    paths.group(self.resource),
                    "scale",
                    self.namespace,
                    self.target,
                )
            ],
            before={scale_path: scale},
            data={"object": obj_path},
        )
        if current == self.replicas:
            plan.skipped = f"{kind.lower()}/{self.target} already has {current} replicas"
            return plan
        plan.requests.append(
            ApiRequest(
                "PATCH",
                scale_path,
                {"spec": {"replicas": self.replicas}},
                MERGE_PATCH,
                what=f"scaling {kind.lower()} {self.target}",
            )
        )
        return plan

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Wait for the replicas."""
        return wait_rolled_out(
            ex, str(plan.data["object"]), plan.target.kind, progress, deadline, poll=self.poll
        )
