"""Server-side printing: the ``meta.k8s.io/v1`` Table kubectl asks for.

``kubectl get`` sends ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...``
and prints the rows the server computes. Pods and Deployments get the real
printers' columns (READY, STATUS, RESTARTS with "(Xs ago)", AGE...); other kinds
get the default Name / Created At table. Each row carries the object's metadata
as a ``PartialObjectMetadata``. Ages use kubectl's HumanDuration.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

JSON = dict[str, Any]


def wants_table(accept: str) -> bool:
    """True when the Accept header asks for a meta.k8s.io Table."""
    return any("as=Table" in part and "g=meta.k8s.io" in part for part in accept.split(","))


def human_duration(seconds: int) -> str:
    """k8s.io/apimachinery duration.HumanDuration."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m" if seconds % 60 == 0 else f"{minutes}m{seconds % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        days, rest = divmod(hours, 24)
        return f"{days}d" if rest == 0 else f"{days}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    years, days = divmod(hours // 24, 365)
    if hours < 24 * 365 * 8:
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{years}y"


def _since(stamp: str | None) -> str:
    if not stamp:
        return "<unknown>"
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return human_duration(int((dt.datetime.now(dt.UTC) - moment).total_seconds()))


def _column(name: str, fmt: str = "", priority: int = 0, kind: str = "string") -> JSON:
    return {"name": name, "type": kind, "format": fmt, "description": "", "priority": priority}


_POD_COLUMNS = [
    _column("Name", "name"),
    _column("Ready"),
    _column("Status"),
    _column("Restarts"),
    _column("Age"),
    _column("IP", priority=1),
    _column("Node", priority=1),
    _column("Nominated Node", priority=1),
    _column("Readiness Gates", priority=1),
]
_DEPLOYMENT_COLUMNS = [
    _column("Name", "name"),
    _column("Ready"),
    _column("Up-to-date"),
    _column("Available"),
    _column("Age"),
    _column("Containers", priority=1),
    _column("Images", priority=1),
    _column("Selector", priority=1),
]
_REPLICASET_COLUMNS = [
    _column("Name", "name"),
    _column("Desired", kind="integer"),
    _column("Current", kind="integer"),
    _column("Ready", kind="integer"),
    _column("Age"),
    _column("Containers", priority=1),
    _column("Images", priority=1),
    _column("Selector", priority=1),
]
_NODE_COLUMNS = [
    _column("Name", "name"),
    _column("Status"),
    _column("Roles"),
    _column("Age"),
    _column("Version"),
]
_EVENT_COLUMNS = [
    _column("Last Seen"),
    _column("Type"),
    _column("Reason"),
    _column("Object"),
    _column("Subobject", priority=1),
    _column("Source", priority=1),
    _column("Message"),
    _column("First Seen", priority=1),
    _column("Count", priority=1, kind="integer"),
    _column("Name", "name", priority=1),
]
_NAMESPACE_COLUMNS = [_column("Name", "name"), _column("Status"), _column("Age")]
_DEFAULT_COLUMNS = [_column("Name", "name"), _column("Created At", kind="date")]


def _pod_status(pod: JSON) -> str:
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or ""
    for cs in reversed(status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            signal = terminated.get("signal")
            reason = f"Signal:{signal}" if signal else f"ExitCode:{terminated.get('exitCode', 0)}"
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    return str(reason)


def _pod_cells(pod: JSON) -> list[Any]:
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    total = len((pod.get("spec") or {}).get("containers") or [])
    ready = sum(1 for cs in statuses if cs.get("ready"))
    restarts = sum(int(cs.get("restartCount", 0)) for cs in statuses)
    finished = [
        cs["lastState"]["terminated"]["finishedAt"]
        for cs in statuses
        if ((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
    ]
    restart_text = str(restarts)
    if restarts and finished:
        restart_text = f"{restarts} ({_since(max(finished))} ago)"
    return [
        pod["metadata"]["name"],
        f"{ready}/{total}",
        _pod_status(pod),
        restart_text,
        _since(pod["metadata"].get("creationTimestamp")),
        status.get("podIP") or "<none>",
        (pod.get("spec") or {}).get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        "<none>",
    ]


def _deployment_cells(dep: JSON) -> list[Any]:
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    labels = ((spec.get("selector") or {}).get("matchLabels")) or {}
    return [
        dep["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
        _since(dep["metadata"].get("creationTimestamp")),
        ",".join(c["name"] for c in containers),
        ",".join(c.get("image", "") for c in containers),
        ",".join(f"{k}={v}" for k, v in labels.items()) or "<none>",
    ]


def _replicaset_cells(rs: JSON) -> list[Any]:
    spec, status = rs.get("spec") or {}, rs.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    labels = ((spec.get("selector") or {}).get("matchLabels")) or {}
    return [
        rs["metadata"]["name"],
        spec.get("replicas", 0),
        status.get("replicas", 0),
        status.get("readyReplicas", 0),
        _since(rs["metadata"].get("creationTimestamp")),
        ",".join(c["name"] for c in containers),
        ",".join(c.get("image", "") for c in containers),
        ",".join(f"{k}={v}" for k, v in labels.items()) or "<none>",
    ]


def _node_cells(node: JSON) -> list[Any]:
    ready = next(
        (c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"),
        None,
    )
    status = "Ready" if ready and ready.get("status") == "True" else "NotReady"
    if (node.get("spec") or {}).get("unschedulable"):
        status += ",SchedulingDisabled"
    roles = sorted(
        k.split("/", 1)[1]
        for k in (node["metadata"].get("labels") or {})
        if k.startswith("node-role.kubernetes.io/")
    )
    version = ((node.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", "")
    return [
        node["metadata"]["name"],
        status,
        ",".join(roles) or "<none>",
        _since(node["metadata"].get("creationTimestamp")),
        version,
    ]


def _event_cells(event: JSON) -> list[Any]:
    """kubectl's event row; also accepts the events.k8s.io shape."""
    involved = event.get("involvedObject") or event.get("regarding") or {}
    source = event.get("source") or event.get("deprecatedSource") or {}
    last = (
        event.get("lastTimestamp") or event.get("deprecatedLastTimestamp") or event.get("eventTime")
    )
    first = event.get("firstTimestamp") or event.get("deprecatedFirstTimestamp") or last
    count = event.get("count") or event.get("deprecatedCount") or 1
    last_seen = _since(last)
    if count > 1:
        last_seen = f"{last_seen} (x{count} over {_since(first)})"
    origin = ", ".join(v for v in (source.get("component", ""), source.get("host", "")) if v)
    return [
        last_seen,
        event.get("type", ""),
        event.get("reason", ""),
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        involved.get("fieldPath", ""),
        origin,
        str(event.get("message") or event.get("note") or "").strip(),
        _since(first),
        count,
        event["metadata"]["name"],
    ]


def _namespace_cells(ns: JSON) -> list[Any]:
    phase = (ns.get("status") or {}).get("phase", "")
    return [ns["metadata"]["name"], phase, _since(ns["metadata"].get("creationTimestamp"))]


def _printer(kind: str) -> tuple[list[JSON], Any]:
    if kind == "Pod":
        return _POD_COLUMNS, _pod_cells
    if kind == "Deployment":
        return _DEPLOYMENT_COLUMNS, _deployment_cells
    if kind == "ReplicaSet":
        return _REPLICASET_COLUMNS, _replicaset_cells
    if kind == "Node":
        return _NODE_COLUMNS, _node_cells
    if kind == "Namespace":
        return _NAMESPACE_COLUMNS, _namespace_cells
    if kind == "Event":
        return _EVENT_COLUMNS, _event_cells
    return _DEFAULT_COLUMNS, lambda o: [
        o["metadata"]["name"],
        o["metadata"].get("creationTimestamp"),
    ]


def _row_object(obj: JSON, kind: str, api_version: str, include: str) -> JSON | None:
    """What a row carries, per ``includeObject`` (kubectl asks for Object to sort)."""
    if include == "None":
        return None
    if include == "Object":
        return {"kind": kind, "apiVersion": api_version, **obj}
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj["metadata"],
    }


def table(
    kind: str, objects: list[JSON], meta: JSON, api_version: str = "v1", include: str = "Metadata"
) -> JSON:
    """A Table of ``objects`` (of one kind) with list ``meta`` (resourceVersion, continue)."""
    columns, cells = _printer(kind)
    rows = []
    for obj in objects:
        row: JSON = {"cells": cells(obj)}
        carried = _row_object(obj, kind, api_version, include)
        if carried is not None:
            row["object"] = carried
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": columns,
        "rows": rows,
    }
