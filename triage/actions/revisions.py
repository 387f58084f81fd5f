"""``kubectl rollout undo`` for StatefulSets and DaemonSets, through ControllerRevisions.

As kubectl does (rollback.go, StatefulSetRollbacker/DaemonSetRollbacker): the
ControllerRevisions the workload controls, each with its ``revision``; the
previous one by default or ``--to-revision N``; the revision's ``data`` (a
strategic merge patch replacing ``spec.template``) is sent back as a
strategic merge patch. A template already equal is skipped. We add the
resourceVersion we read as a precondition (409 instead of an overwrite).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

from triage.actions import paths
from triage.actions.base import Progress, RequestAction
from triage.actions.executor import Executor
from triage.actions.model import (
    JSON,
    STRATEGIC_PATCH,
    ActionFailed,
    ApiRequest,
    Check,
    ObjectRef,
    Plan,
    Risk,
)
from triage.actions.rollback import controlled_by
from triage.actions.rollout import wait_rolled_out
from triage.errors import BadInput


def _number(cr: JSON) -> int | None:
    try:
        return int(cr.get("revision"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def choose(revisions: list[JSON], to_revision: int, label: str) -> JSON:
    """The ControllerRevision to go back to (previous, or exactly N)."""
    numbered = sorted(
        ((n, cr) for cr in revisions if (n := _number(cr)) is not None),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if to_revision:
        for n, cr in numbered:
            if n == to_revision:
                return cr
        raise BadInput(f"unable to find specified revision {to_revision} in history of {label}")
    if len(numbered) < 2:
        raise ActionFailed(f"no rollout history found for {label}")
    return numbered[1][1]


def _template_of(data: JSON) -> JSON:
    template = copy.deepcopy(((data.get("spec") or {}).get("template")) or {})
    template.pop("$patch", None)
    return template


@dataclass
class RevisionRollback(RequestAction):
    """Roll a StatefulSet or DaemonSet back to an earlier ControllerRevision."""

    resource: str  # statefulsets | daemonsets
    namespace: str
    target: str
    to_revision: int = 0
    name = "rollback"

    def plan(self, ex: Executor) -> Plan:
        """Read the workload and its ControllerRevisions; the patch is the revision's data."""
        kind = paths.KINDS[self.resource][1]
        label = f"{kind.lower()}/{self.target}"
        obj_path = paths.path(self.resource, self.namespace, self.target)
        obj = ex.read(obj_path)
        meta = obj["metadata"]
        selector = paths.selector_text((obj.get("spec") or {}).get("selector"))
        listed = ex.read(
            f"/apis/apps/v1/namespaces/{self.namespace}/controllerrevisions",
            (("labelSelector", selector),),
        )
        owned = [cr for cr in listed.get("items") or [] if controlled_by(cr, meta["uid"])]
        chosen = choose(owned, self.to_revision, label)
        number = _number(chosen)
        data = copy.deepcopy(chosen.get("data") or {})
        plan = Plan(
            self.name,
            ObjectRef(
                kind, self.target, self.namespace, "apps/v1", meta["uid"], meta["resourceVersion"]
            ),
            Risk.HIGH,
            f"roll back {label} to revision {number}",
            checks=[
                Check("list", "controllerrevisions", "apps", namespace=self.namespace),
                Check("patch", self.resource, "apps", namespace=self.namespace, name=self.target),
            ],
            before={obj_path: obj},
        )
        if json.dumps(_template_of(data), sort_keys=True) == json.dumps(
            (obj.get("spec") or {}).get("template") or {}, sort_keys=True
        ):
            plan.skipped = f"skipped rollback (current template already matches revision {number})"
            return plan
        data.setdefault("metadata", {})["resourceVersion"] = meta["resourceVersion"]
        plan.notes.append(f"revision {number} is ControllerRevision {chosen['metadata']['name']}")
        plan.requests.append(
            ApiRequest("PATCH", obj_path, data, STRATEGIC_PATCH, what=f"rolling back {label}")
        )
        return plan

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """The controller has seen the restored template."""
        return wait_rolled_out(
            ex, plan.requests[0].path, plan.target.kind, progress, deadline, poll=self.poll
        )
