"""The controllers triage's actions rely on, run synchronously after each write.

- Deployment: the ReplicaSet whose template equals the Deployment's (ignoring
  ``pod-template-hash``) becomes current with revision max+1 (a new one is
  made when none matches: that is a rollout; an old one matching is a
  rollback), the others are scaled to 0, and ``deployment.kubernetes.io/revision``
  follows. Rollouts complete at once: there is no rolling pace.
- ReplicaSet: owned pods are created or deleted to match ``spec.replicas``;
  new pods go to the first schedulable node (none: Pending). A pod's status
  comes from the image's registered behaviour (``Cluster.image_states``), else
  it runs ready.
- StatefulSet / DaemonSet: a ControllerRevision per distinct template (no pods).
- Deletion: a ReplicaSet replaces a deleted pod; owners' dependents are collected.
- Scheduler: a pod with no schedulable node stays Pending; a node write binds them.
- PodDisruptionBudget: status (currentHealthy, desiredHealthy, disruptionsAllowed)
  recomputed from the pods its selector matches.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from triage.kubeserver.objects import (
    REVISION,
    ago,
    owner_ref,
    template_hash,
)
from triage.kubeserver.resources import RESOURCES
from triage.kubeserver.selectors import label_matcher

if TYPE_CHECKING:
    from triage.kubeserver.cluster import Cluster

JSON = dict[str, Any]
HASH = "pod-template-hash"


def _selector_text(selector: JSON | None) -> str:
    labels = (selector or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in labels.items())


def _owned(cluster: Cluster, kind: str, owner: JSON) -> list[JSON]:
    uid = owner["metadata"]["uid"]
    ns = owner["metadata"]["namespace"]
    return [
        o
        for o in cluster.store.objects(kind)
        if o["metadata"].get("namespace") == ns
        and any(
            r.get("uid") == uid and r.get("controller")
            for r in o["metadata"].get("ownerReferences") or []
        )
    ]


def _canonical(template: JSON) -> str:
    clean = copy.deepcopy(template)
    meta = clean.setdefault("metadata", {})
    (meta.get("labels") or {}).pop(HASH, None)
    if meta.get("creationTimestamp") is None:
        meta.pop("creationTimestamp", None)
    return json.dumps(clean, sort_keys=True)


def _revision(rs: JSON) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def reconcile_deployment(cluster: Cluster, deployment: JSON) -> None:
    """Make ReplicaSets, revisions and pods follow a Deployment's template and replicas."""
    template = deployment["spec"]["template"]
    replicas = int(deployment["spec"].get("replicas", 1))
    owned = _owned(cluster, "replicasets", deployment)
    top = max((_revision(rs) for rs in owned), default=0)
    wanted = _canonical(template)
    current = next((rs for rs in owned if _canonical(rs["spec"]["template"]) == wanted), None)
    promoted = False
    if current is None:
        current = _new_replicaset(cluster, deployment, top + 1)
        owned.append(current)
    elif _revision(current) != top:
        # A rollback: the old ReplicaSet becomes the newest revision.
        current["metadata"].setdefault("annotations", {})[REVISION] = str(top + 1)
        promoted = True
    revision = _revision(current)
    for rs in owned:
        want = replicas if rs["metadata"]["uid"] == current["metadata"]["uid"] else 0
        if rs["spec"].get("replicas") != want or (promoted and rs is current):
            rs["spec"]["replicas"] = want
            cluster.update("ReplicaSet", rs)
    for rs in _owned(cluster, "replicasets", deployment):
        reconcile_replicaset(cluster, rs)
    _deployment_status(
        cluster, deployment["metadata"]["namespace"], deployment["metadata"]["name"], revision
    )


def _new_replicaset(cluster: Cluster, deployment: JSON, revision: int) -> JSON:
    template = copy.deepcopy(deployment["spec"]["template"])
    template.setdefault("metadata", {}).setdefault("labels", {})
    hash_ = template_hash(template)
    template["metadata"]["labels"][HASH] = hash_
    meta = deployment["metadata"]
    selector = copy.deepcopy(deployment["spec"].get("selector") or {})
    selector.setdefault("matchLabels", {})[HASH] = hash_
    return cluster.put(
        "ReplicaSet",
        {
            "metadata": {
                "name": f"{meta['name']}-{hash_}",
                "namespace": meta["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "annotations": {REVISION: str(revision)},
                "ownerReferences": [owner_ref("Deployment", deployment)],
                "generation": 1,
            },
            "spec": {"replicas": 0, "selector": selector, "template": template},
            "status": {"replicas": 0, "observedGeneration": 1},
        },
    )


def _schedulable_node(cluster: Cluster) -> str:
    for node in cluster.store.objects("nodes"):
        if not node.get("spec", {}).get("unschedulable"):
            return str(node["metadata"]["name"])
    return ""


def reconcile_replicaset(cluster: Cluster, rs: JSON) -> None:
    """Create or delete owned pods until they match ``spec.replicas``; update RS status."""
    pods = [p for p in _owned(cluster, "pods", rs) if not p["metadata"].get("deletionTimestamp")]
    want = int(rs["spec"].get("replicas", 0))
    name = rs["metadata"]["name"]
    namespace = rs["metadata"]["namespace"]
    while len(pods) < want:
        # A fresh name each time: a replacement never reuses an evicted pod's name.
        pod_name = cluster.free_pod_name(namespace, name, cluster.next_serial())
        containers = cluster.containers_for(rs["spec"]["template"])
        node = _schedulable_node(cluster)
        template = rs["spec"]["template"]
        pods.append(
            cluster.add_pod(
                namespace,
                pod_name,
                containers,
                owner=rs,
                node=node,
                labels=(template.get("metadata") or {}).get("labels") or {},
                phase="Running" if node else "Pending",
                age=0,
                template_spec=template.get("spec"),
            )
        )
    for extra in sorted(pods, key=lambda p: p["metadata"]["creationTimestamp"], reverse=True)[
        : len(pods) - want
    ]:
        cluster.delete("Pod", extra["metadata"]["name"], namespace)
        pods.remove(extra)
    ready = sum(1 for p in pods if _ready(p))
    fresh = cluster.get("ReplicaSet", name, namespace)
    if fresh is None:
        return
    status = {
        "replicas": len(pods),
        "fullyLabeledReplicas": len(pods),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": fresh["metadata"].get("generation", 1),
    }
    status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
    if fresh.get("status") != status:
        fresh["status"] = status
        cluster.update("ReplicaSet", fresh)
    reconcile_pdbs(cluster, namespace)


def is_ready(pod: JSON) -> bool:
    """True when the pod's Ready condition is True."""
    return _ready(pod)


def schedule_pending(cluster: Cluster) -> None:
    """Bind unscheduled pods to the first schedulable node (after an uncordon or a new node)."""
    node = _schedulable_node(cluster)
    if not node:
        return
    touched = set()
    for pod in cluster.store.objects("pods"):
        meta = pod["metadata"]
        if pod["spec"].get("nodeName") or meta.get("deletionTimestamp"):
            continue
        cluster.bind_pod(pod, node)
        touched.add(meta["namespace"])
    for namespace in touched:
        reconcile_pdbs(cluster, namespace)


def _ready(pod: JSON) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _deployment_status(cluster: Cluster, namespace: str, name: str, revision: int) -> None:
    dep = cluster.get("Deployment", name, namespace)
    if dep is None:
        return
    owned = _owned(cluster, "replicasets", dep)
    current = next((rs for rs in owned if _revision(rs) == revision), None)
    pods = [p for rs in owned for p in _owned(cluster, "pods", rs)]
    updated = [
        p
        for p in pods
        if current and p["metadata"]["ownerReferences"][0]["uid"] == current["metadata"]["uid"]
    ]
    ready = sum(1 for p in pods if _ready(p))
    dep["metadata"].setdefault("annotations", {})[REVISION] = str(revision)
    status: JSON = {
        "observedGeneration": dep["metadata"].get("generation", 1),
        "replicas": len(pods),
        "updatedReplicas": len(updated),
        "readyReplicas": ready,
        "availableReplicas": ready,
    }
    if len(pods) - ready:
        status["unavailableReplicas"] = len(pods) - ready
    dep["status"] = {
        k: v for k, v in status.items() if v or k in ("observedGeneration", "replicas")
    }
    cluster.update("Deployment", dep)


def _desired(pdb: JSON, expected: int) -> int:
    spec = pdb.get("spec") or {}

    def amount(value: Any) -> int:
        if isinstance(value, str) and value.endswith("%"):
            return -(-int(value[:-1]) * expected // 100)
        return int(value)

    if "minAvailable" in spec:
        return amount(spec["minAvailable"])
    if "maxUnavailable" in spec:
        return max(0, expected - amount(spec["maxUnavailable"]))
    return 0


def pdb_for(cluster: Cluster, pod: JSON) -> list[JSON]:
    """The PodDisruptionBudgets whose selector matches a pod."""
    namespace = pod["metadata"].get("namespace")
    found = []
    for pdb in cluster.store.objects("poddisruptionbudgets"):
        match = label_matcher(_selector_text((pdb.get("spec") or {}).get("selector")))
        if pdb["metadata"].get("namespace") == namespace and match is not None and match(pod):
            found.append(pdb)
    return found


def reconcile_pdbs(cluster: Cluster, namespace: str) -> None:
    """Recompute every PDB's status in a namespace from its pods."""
    pods = [p for p in cluster.store.objects("pods") if p["metadata"].get("namespace") == namespace]
    for pdb in cluster.store.objects("poddisruptionbudgets"):
        if pdb["metadata"].get("namespace") != namespace:
            continue
        match = label_matcher(_selector_text((pdb.get("spec") or {}).get("selector")))
        mine = [
            p
            for p in pods
            if match is not None and match(p) and not p["metadata"].get("deletionTimestamp")
        ]
        healthy = sum(1 for p in mine if _ready(p))
        desired = _desired(pdb, len(mine))
        allowed = max(0, healthy - desired)
        status = dict(pdb.get("status") or {})
        status.update(
            {
                "observedGeneration": pdb["metadata"].get("generation", 1),
                "disruptionsAllowed": allowed,
                "currentHealthy": healthy,
                "desiredHealthy": desired,
                "expectedPods": len(mine),
            }
        )
        status["conditions"] = [
            {
                "type": "DisruptionAllowed",
                "status": "True" if allowed else "False",
                "observedGeneration": pdb["metadata"].get("generation", 1),
                "lastTransitionTime": ago(0),
                "reason": "SufficientPods" if allowed else "InsufficientPods",
                "message": "",
            }
        ]
        old = dict(pdb.get("status") or {})
        if {k: v for k, v in old.items() if k != "conditions"} != {
            k: v for k, v in status.items() if k != "conditions"
        }:
            pdb["status"] = status
            cluster.update("PodDisruptionBudget", pdb)


def after_delete(cluster: Cluster, kind: str, obj: JSON) -> None:
    """A deleted pod is replaced by its ReplicaSet; a deleted owner's dependents are collected."""
    with cluster.reconcile_lock:
        _after_delete(cluster, kind, obj)


def _after_delete(cluster: Cluster, kind: str, obj: JSON) -> None:
    namespace = obj["metadata"].get("namespace", "")
    if kind == "Namespace":  # everything in it goes too (at once: no Terminating phase)
        gone = obj["metadata"]["name"]
        for rtype in RESOURCES:
            if rtype.namespaced and not rtype.virtual and rtype.group != "events.k8s.io":
                for child in cluster.store.objects(rtype.store_key):
                    if child["metadata"].get("namespace") == gone:
                        cluster.delete(rtype.kind, child["metadata"]["name"], gone)
        return
    if kind == "Pod":
        for ref in obj["metadata"].get("ownerReferences") or []:
            owner = cluster.get("ReplicaSet", ref.get("name", ""), namespace)
            if ref.get("kind") == "ReplicaSet" and owner is not None:
                reconcile_replicaset(cluster, owner)
        reconcile_pdbs(cluster, namespace)
        return
    dependents = {
        "Deployment": ("ReplicaSet", "replicasets"),
        "ReplicaSet": ("Pod", "pods"),
        "StatefulSet": ("ControllerRevision", "controllerrevisions"),
        "DaemonSet": ("ControllerRevision", "controllerrevisions"),
    }
    if kind in dependents:
        child_kind, bucket = dependents[kind]
        for child in _owned(cluster, bucket, obj):
            cluster.delete(child_kind, child["metadata"]["name"], namespace)
            _after_delete(cluster, child_kind, child)


def reconcile_revisions(cluster: Cluster, kind: str, obj: JSON) -> None:
    """StatefulSet/DaemonSet history: one ControllerRevision per distinct template.

    A template seen before gets its old revision renumbered max+1 (a rollback),
    a new one gets a new revision; a StatefulSet's status names it.
    """
    template = copy.deepcopy(obj["spec"].get("template") or {})
    data = {"spec": {"template": {"$patch": "replace", **template}}}
    owned = _owned(cluster, "controllerrevisions", obj)
    top = max((int(r.get("revision", 0)) for r in owned), default=0)
    match = next((r for r in owned if r.get("data") == data), None)
    meta = obj["metadata"]
    if match is None:
        hash_ = template_hash(template)
        labels = dict(((obj["spec"].get("selector") or {}).get("matchLabels")) or {})
        labels["controller.kubernetes.io/hash"] = hash_
        match = cluster.put(
            "ControllerRevision",
            {
                "metadata": {
                    "name": f"{meta['name']}-{hash_}",
                    "namespace": meta["namespace"],
                    "labels": labels,
                    "ownerReferences": [owner_ref(kind, obj)],
                },
                "data": data,
                "revision": top + 1,
            },
        )
    elif int(match.get("revision", 0)) != top:
        match["revision"] = top + 1
        cluster.update("ControllerRevision", match)
    current = cluster.get(kind, meta["name"], meta["namespace"])
    if current is None:
        return
    status = dict(current.get("status") or {})
    status["observedGeneration"] = current["metadata"].get("generation", 1)
    if kind == "StatefulSet":
        status.update(
            {
                "currentRevision": match["metadata"]["name"],
                "updateRevision": match["metadata"]["name"],
                "collisionCount": 0,
            }
        )
    if status != current.get("status"):
        current["status"] = status
        cluster.update(kind, current)


def after_write(cluster: Cluster, kind: str, obj: JSON) -> None:
    """Run the controllers a write to ``kind`` wakes (one at a time)."""
    with cluster.reconcile_lock:
        _after_write(cluster, kind, obj)


def _after_write(cluster: Cluster, kind: str, obj: JSON) -> None:
    if kind == "Deployment":
        reconcile_deployment(cluster, copy.deepcopy(obj))
    elif kind == "ReplicaSet":
        reconcile_replicaset(cluster, copy.deepcopy(obj))
    elif kind == "Node":
        schedule_pending(cluster)
    elif kind in ("StatefulSet", "DaemonSet"):
        reconcile_revisions(cluster, kind, copy.deepcopy(obj))
    elif kind in ("Pod", "PodDisruptionBudget"):
        reconcile_pdbs(cluster, obj["metadata"].get("namespace", ""))
