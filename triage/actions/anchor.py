"""The rollback anchor: a revision an operator marked as known good.

Kept as an annotation on the revision's ReplicaSet (so every session and
every teammate sees it, with no store of our own): ``triage.dev/rollback-anchor``
holding who marked it and when. At most one revision of a Deployment carries
it: marking one removes it from the others in the same plan. A rollback
without ``--to-revision`` goes to the anchor when one is set (and is not the
current revision), else to the previous revision as kubectl does.
``triage rollback deployment/NAME --mark-anchor N`` sets it through the same
pipeline as every action (RBAC, dry run and diff, approval, audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from triage.actions import paths
from triage.actions.base import RequestAction
from triage.actions.executor import Executor
from triage.actions.model import JSON, MERGE_PATCH, ApiRequest, Check, Plan, Risk

ANCHOR = "triage.dev/rollback-anchor"


def anchor_of(replicasets: list[JSON]) -> JSON | None:
    """The ReplicaSet marked as the anchor (the newest revision if several are)."""
    from triage.actions.rollback import revision_of

    marked = [
        rs
        for rs in replicasets
        if ((rs.get("metadata") or {}).get("annotations") or {}).get(ANCHOR)
        and revision_of(rs) is not None
    ]
    return max(marked, key=lambda rs: revision_of(rs) or 0, default=None)


def is_anchor(rs: JSON) -> bool:
    """True when this ReplicaSet carries the mark."""
    return bool(((rs.get("metadata") or {}).get("annotations") or {}).get(ANCHOR))


@dataclass
class MarkAnchor(RequestAction):
    """Mark revision N of a Deployment as its rollback anchor."""

    namespace: str
    deployment: str
    revision: int
    name = "mark-anchor"

    def plan(self, ex: Executor) -> Plan:
        """Read the Deployment's ReplicaSets; one merge patch to mark, one per old mark."""
        from triage.actions.rollback import controlled_by, pick, revision_of
        from triage.actions.workloads import object_ref

        dep_path = paths.path("deployments", self.namespace, self.deployment)
        dep = ex.read(dep_path)
        meta = dep["metadata"]
        selector = paths.selector_text((dep.get("spec") or {}).get("selector"))
        listed = ex.read(paths.path("replicasets", self.namespace), (("labelSelector", selector),))
        owned = [rs for rs in listed.get("items") or [] if controlled_by(rs, meta["uid"])]
        chosen = pick(owned, self.revision, self.deployment)
        ref = object_ref(dep, "deployments")
        plan = Plan(
            self.name,
            ref,
            Risk.LOW,
            f"mark revision {self.revision} of deployment/{self.deployment} as the rollback anchor",
            checks=[
                Check("get", "deployments", "apps", namespace=self.namespace),
                Check("list", "replicasets", "apps", namespace=self.namespace),
                Check("patch", "replicasets", "apps", namespace=self.namespace),
            ],
        )
        if is_anchor(chosen) and not any(is_anchor(rs) for rs in owned if rs is not chosen):
            plan.skipped = f"skipped: revision {self.revision} is already the rollback anchor"
            return plan
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        value = f"marked by {ex.identity()} at {stamp}"
        for rs in owned:
            if rs is not chosen and not is_anchor(rs):
                continue
            name = rs["metadata"]["name"]
            path = paths.path("replicasets", self.namespace, name)
            plan.before[path] = rs
            mark = value if rs is chosen else None
            plan.requests.append(
                ApiRequest(
                    "PATCH",
                    path,
                    {"metadata": {"annotations": {ANCHOR: mark}}},
                    MERGE_PATCH,
                    what=("marking" if mark else "unmarking") + f" replicaset {name}",
                )
            )
            if rs is not chosen:
                plan.notes.append(f"revision {revision_of(rs)} is no longer the anchor")
        return plan
