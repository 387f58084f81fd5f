"""Which workload owns a pod, and which revision it runs (pure, plain dicts in).

A Deployment's pod is owned by a ReplicaSet named ``<deployment>-<pod-template-hash>``
whose annotation ``deployment.kubernetes.io/revision`` is the revision kubectl's
``rollout history`` prints. A StatefulSet's or DaemonSet's pod carries the label
``controller-revision-hash`` naming (StatefulSet) or ending (DaemonSet) a
ControllerRevision whose ``revision`` field is the number. When ReplicaSets cannot
be listed the deployment name still follows from the naming rule, without a
revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from triage.cluster.jsonshape import at, obj, objs
from triage.cluster.model import PodCrash

JSON = dict[str, Any]

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"


@dataclass(frozen=True, slots=True, order=True)
class WorkloadRef:
    """A workload: ``Deployment``, ``StatefulSet``, ``DaemonSet``, ``Job``... or a bare ``Pod``."""

    namespace: str
    kind: str
    name: str

    @property
    def label(self) -> str:
        """``deployment/checkout`` in kubectl's grammar."""
        return f"{self.kind.lower()}/{self.name}"


@dataclass(slots=True)
class Revisions:
    """Lookup tables built from ReplicaSet and ControllerRevision lists."""

    #: (namespace, replicaset) -> (deployment or "", revision or None)
    replicasets: dict[tuple[str, str], tuple[str, int | None]] = field(default_factory=dict)
    #: (namespace, controllerrevision name) -> revision
    controller: dict[tuple[str, str], int] = field(default_factory=dict)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def build_revisions(replicasets: Iterable[JSON], controller_revisions: Iterable[JSON]) -> Revisions:
    """Index ReplicaSets (owner and revision) and ControllerRevisions (revision)."""
    out = Revisions()
    for rs in replicasets:
        meta = at(rs, "metadata")
        owner = _controller_of(meta, "Deployment")
        rev = _int(at(meta, "annotations").get(REVISION_ANNOTATION))
        out.replicasets[(str(meta.get("namespace")), str(meta.get("name")))] = (owner, rev)
    for cr in controller_revisions:
        meta = at(cr, "metadata")
        rev = _int(obj(cr).get("revision"))
        if rev is not None:
            out.controller[(str(meta.get("namespace")), str(meta.get("name")))] = rev
    return out


def _controller_of(meta: JSON, kind: str) -> str:
    for ref in objs(meta.get("ownerReferences")):
        if ref.get("controller") and ref.get("kind") == kind:
            return str(ref.get("name") or "")
    return ""


def workload_of(pod: PodCrash, revisions: Revisions) -> WorkloadRef:
    """The workload a pod belongs to (its own name when it has no controller)."""
    kind, name = pod.owner_kind, pod.owner_name
    if kind == "ReplicaSet":
        deployment, _ = revisions.replicasets.get((pod.namespace, name), ("", None))
        if not deployment and pod.template_hash and name.endswith("-" + pod.template_hash):
            deployment = name[: -len(pod.template_hash) - 1]
        if deployment:
            return WorkloadRef(pod.namespace, "Deployment", deployment)
    if not kind:
        return WorkloadRef(pod.namespace, "Pod", pod.name)
    return WorkloadRef(pod.namespace, kind, name)


def revision_of(pod: PodCrash, revisions: Revisions) -> int | None:
    """The revision number the pod runs, when the lists allow knowing it."""
    if pod.owner_kind == "ReplicaSet":
        return revisions.replicasets.get((pod.namespace, pod.owner_name), ("", None))[1]
    value = pod.revision_hash
    if not value:
        return None
    exact = revisions.controller.get((pod.namespace, value))
    if exact is not None:
        return exact
    return revisions.controller.get((pod.namespace, f"{pod.owner_name}-{value}"))
