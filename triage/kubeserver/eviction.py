"""``POST pods/{name}/eviction``: a delete that respects PodDisruptionBudgets.

Answers as the real server: 201 with a Success Status; 429 TooManyRequests
with a ``DisruptionBudget`` cause (and no Retry-After) when the budget allows
no disruption; 400 when the body names another pod; 500 when several budgets
match. ``deleteOptions.dryRun`` (or ``?dryRun=All``) checks without deleting
and gets the same answers.
"""

from __future__ import annotations

import json

from triage.kubeserver import controllers
from triage.kubeserver.api import get_object, parse_body
from triage.kubeserver.cluster import Cluster
from triage.kubeserver.status import ApiError, bad_request, success
from triage.kubeserver.wire import Reply, Request, Target


def _blocked(name: str, desired: int, healthy: int) -> ApiError:
    return ApiError(
        429,
        "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.",
        {
            "causes": [
                {
                    "reason": "DisruptionBudget",
                    "message": f"The disruption budget {name} needs {desired} healthy pods "
                    f"and has {healthy} currently",
                }
            ]
        },
    )


def _check_and_evict(cluster: Cluster, target: Target, dry: bool) -> None:
    """Refuse (429/500) or delete the pod; its ReplicaSet then replaces it."""
    pod = get_object(cluster, target).obj
    namespace = target.namespace or ""
    controllers.reconcile_pdbs(cluster, namespace)
    budgets = controllers.pdb_for(cluster, pod)
    if len(budgets) > 1:
        raise ApiError(
            500,
            "InternalError",
            "This pod has more than one PodDisruptionBudget, which the eviction subresource "
            "does not support.",
            {},
        )
    ready = controllers.is_ready(pod)
    if budgets:
        status = budgets[0].get("status") or {}
        healthy, desired = (
            int(status.get("currentHealthy", 0)),
            int(status.get("desiredHealthy", 0)),
        )
        if (ready and int(status.get("disruptionsAllowed", 0)) <= 0) or (
            not ready and healthy < desired
        ):
            raise _blocked(budgets[0]["metadata"]["name"], desired, healthy)
    if not dry:
        cluster.delete("Pod", target.name, namespace)
        controllers.after_delete(cluster, "Pod", pod)


def evict(cluster: Cluster, req: Request, target: Target) -> Reply:
    """Evict a pod unless a PodDisruptionBudget forbids it."""
    body = parse_body(req)
    named = (body.get("metadata") or {}).get("name")
    if named and named != target.name:
        raise bad_request("name in URL does not match name in Eviction object")
    dry = (
        "All" in ((body.get("deleteOptions") or {}).get("dryRun") or [])
        or req.params.get("dryRun") == "All"
    )
    # Decide and delete under the controllers' lock: concurrent evictions (a drain
    # sends them in parallel) must not both spend the budget's last disruption.
    with cluster.reconcile_lock:
        _check_and_evict(cluster, target, dry)
    return Reply(201, json.dumps(success(), separators=(",", ":")).encode())
