"""``kubectl rollout undo deployment`` on the API, previewed and preconditioned.

As kubectl does (polymorphichelpers/rollback.go): the ReplicaSets *controlled*
by the Deployment (controller ownerReference with its UID), each one's
revision from ``deployment.kubernetes.io/revision``; ``--to-revision 0`` picks
the second newest, N an exact match. A paused Deployment is refused; a
template equal but for ``pod-template-hash`` is skipped. The patch is
kubectl's JSON patch (replace ``/spec/template``, replace
``/metadata/annotations``) plus one more op replacing
``/metadata/resourceVersion`` with the version we read: the API server then
answers 409 if the Deployment changed since, instead of overwriting it.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from triage.actions import paths
from triage.actions.anchor import is_anchor
from triage.actions.base import Progress, RequestAction
from triage.actions.executor import Executor
from triage.actions.model import (
    JSON,
    JSON_PATCH,
    ActionFailed,
    ApiRequest,
    Check,
    Plan,
    Risk,
)
from triage.actions.rollout import wait_rolled_out
from triage.actions.workloads import object_ref
from triage.errors import BadInput, TriageError

REVISION = "deployment.kubernetes.io/revision"
HASH = "pod-template-hash"
#: annotations kept from the Deployment rather than copied from the ReplicaSet
SKIP = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)


def revision_of(rs: JSON) -> int | None:
    """The ReplicaSet's revision number, None when absent or not a number."""
    try:
        return int(((rs.get("metadata") or {}).get("annotations") or {}).get(REVISION, ""))
    except ValueError:
        return None


def controlled_by(rs: JSON, uid: str) -> bool:
    """kubectl's IsControlledBy: a controller ownerReference with that UID."""
    return any(
        ref.get("controller") and ref.get("uid") == uid
        for ref in (rs.get("metadata") or {}).get("ownerReferences") or []
    )


def pick(replicasets: list[JSON], to_revision: int, name: str) -> JSON:
    """The ReplicaSet to roll back to (kubectl's deploymentRevision)."""
    numbered = [(rev, rs) for rs in replicasets if (rev := revision_of(rs)) is not None]
    if to_revision:
        for rev, rs in numbered:
            if rev == to_revision:
                return rs
        raise BadInput(
            f"unable to find specified revision {to_revision} in history of deployment {name}",
            f"list them with `triage rollback deployment/{name} --history`",
        )
    numbered.sort(key=lambda pair: pair[0], reverse=True)
    if len(numbered) < 2:
        raise ActionFailed(f"no rollout history found for deployment {name}")
    return numbered[1][1]


def default_target(replicasets: list[JSON], current: int | None, name: str) -> JSON:
    """No ``--to-revision``: the rollback anchor when one is set (and is not the current
    revision), else the previous revision, as kubectl picks it."""
    from triage.actions.anchor import anchor_of

    anchor = anchor_of(replicasets)
    if anchor is not None and revision_of(anchor) != current:
        return anchor
    return pick(replicasets, 0, name)


def _canonical(template: JSON) -> str:
    clean = copy.deepcopy(template)
    labels = (clean.get("metadata") or {}).get("labels") or {}
    labels.pop(HASH, None)
    return json.dumps(clean, sort_keys=True)


def rollback_patch(deployment: JSON, rs: JSON) -> list[JSON]:
    """kubectl's two operations and our resourceVersion precondition."""
    template = copy.deepcopy(rs["spec"]["template"])
    (template.setdefault("metadata", {}).get("labels") or {}).pop(HASH, None)
    current = deployment["metadata"].get("annotations") or {}
    annotations = {k: current[k] for k in SKIP if k in current}
    for key, value in (rs["metadata"].get("annotations") or {}).items():
        if key not in SKIP:
            annotations[key] = value
    return [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
        {
            "op": "replace",
            "path": "/metadata/resourceVersion",
            "value": deployment["metadata"]["resourceVersion"],
        },
    ]


@dataclass
class Rollback(RequestAction):
    """Roll a Deployment back to an earlier revision."""

    namespace: str
    deployment: str
    to_revision: int = 0
    #: seconds a revision's pods must have run without restarts to count as good
    clean_for: float = 600.0
    name = "rollback"

    def plan(self, ex: Executor) -> Plan:
        """Read the Deployment and its ReplicaSets; build the patch."""
        dep_path = paths.path("deployments", self.namespace, self.deployment)
        dep = ex.read(dep_path)
        meta = dep["metadata"]
        if (dep.get("spec") or {}).get("paused"):
            raise ActionFailed(
                f"deployment/{self.deployment} is paused: you cannot roll back a paused deployment",
                f"resume it first (kubectl rollout resume deployment/{self.deployment})",
            )
        selector = paths.selector_text((dep.get("spec") or {}).get("selector"))
        listed = ex.read(paths.path("replicasets", self.namespace), (("labelSelector", selector),))
        owned = [rs for rs in listed.get("items") or [] if controlled_by(rs, meta["uid"])]
        current = revision_of({"metadata": meta})
        target = (
            pick(owned, self.to_revision, self.deployment)
            if self.to_revision
            else default_target(owned, current, self.deployment)
        )
        ref = object_ref(dep, "deployments")
        rev = revision_of(target)
        plan = Plan(
            self.name,
            ref,
            Risk.HIGH,
            f"roll back deployment/{self.deployment} from revision {current} to {rev}",
            checks=[
                Check("get", "deployments", "apps", namespace=self.namespace),
                Check("list", "replicasets", "apps", namespace=self.namespace),
                Check(
                    "patch", "deployments", "apps", namespace=self.namespace, name=self.deployment
                ),
            ],
            before={dep_path: dep},
            data={"revision": rev, "replicaset": target["metadata"]["name"]},
        )
        if _canonical(target["spec"]["template"]) == _canonical(dep["spec"]["template"]):
            plan.skipped = f"skipped rollback (current template already matches revision {rev})"
            return plan
        images = ", ".join(
            c.get("image", "?") for c in target["spec"]["template"]["spec"].get("containers") or []
        )
        plan.notes.append(f"revision {rev} (ReplicaSet {target['metadata']['name']}) runs {images}")
        if is_anchor(target):
            plan.notes.append(f"revision {rev} is the rollback anchor (an operator marked it good)")
        plan.notes.extend(self._history_notes(ex, rev))
        plan.requests.append(
            ApiRequest(
                "PATCH",
                dep_path,
                rollback_patch(dep, target),
                JSON_PATCH,
                what=f"rolling back deployment {self.deployment}",
            )
        )
        return plan

    def _history_notes(self, ex: Executor, target: int | None) -> list[str]:
        """What the revisions' pods say about the target (nothing if pods cannot be read)."""
        from triage.actions import history

        try:
            table = history.read(ex, self.namespace, self.deployment, self.clean_for)
        except TriageError:
            return []
        good = history.last_good(table)
        minutes = f"{self.clean_for / 60:g} min"
        notes = [
            f"last good revision: {good} (pods ran {minutes}+ without restarts)"
            if good is not None
            else f"no revision has pods that ran {minutes}+ without restarts now"
        ]
        row = next((r for r in table if r.revision == target), None)
        if row is not None and row.restarts:
            notes.append(f"careful: revision {target}'s pods restarted {row.restarts} times")
        return notes

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Wait for the rollout of the old template, as ``kubectl rollout status``."""
        return wait_rolled_out(
            ex, plan.requests[0].path, "Deployment", progress, deadline, poll=self.poll
        )
