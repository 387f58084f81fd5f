"""``pods/{name}/log``: the API server's checks, then the kubelet's answer.

The API server itself rejects an unknown container (400 "container X is not
valid for pod Y") and asks for a container name when the pod has several; the
kubelet answers 400 when there is no previous terminated container. The body
is ``text/plain``, chunked; ``follow`` sends a chunk per write.
"""

from __future__ import annotations

from typing import Any

from triage.kubeserver.api import get_object
from triage.kubeserver.cluster import Cluster
from triage.kubeserver.logs import parse_query
from triage.kubeserver.status import bad_request
from triage.kubeserver.wire import Reply, Request, Target


def _container(pod: dict[str, Any], name: str, wanted: str) -> str:
    spec = pod.get("spec") or {}
    names = [str(c["name"]) for c in spec.get("containers") or []]
    every = names + [str(c["name"]) for c in spec.get("initContainers") or []]
    if not wanted:
        if len(names) == 1:
            return names[0]
        raise bad_request(
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
        )
    if wanted not in every:
        raise bad_request(f"container {wanted} is not valid for pod {name}")
    return wanted


def read_log(cluster: Cluster, req: Request, target: Target) -> Reply:
    """GET pods/{name}/log."""
    stored = get_object(cluster, target)
    query = parse_query(req.params)
    container = _container(stored.obj, target.name, req.params.get("container", ""))
    key = (target.namespace or "", target.name, container)
    if query.previous and not cluster.logs.has_previous(key):
        raise bad_request(
            f'previous terminated container "{container}" in pod "{target.name}" not found'
        )
    return Reply(200, content_type="text/plain", stream=cluster.logs.read(key, query, req.alive))
