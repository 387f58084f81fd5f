"""API paths of the objects actions touch (kubectl resource names -> URL pieces)."""

from __future__ import annotations

from urllib.parse import quote

from triage.actions.model import JSON
from triage.errors import BadInput

#: resource -> (API prefix, kind, namespaced)
KINDS: dict[str, tuple[str, str, bool]] = {
    "deployments": ("/apis/apps/v1", "Deployment", True),
    "statefulsets": ("/apis/apps/v1", "StatefulSet", True),
    "daemonsets": ("/apis/apps/v1", "DaemonSet", True),
    "replicasets": ("/apis/apps/v1", "ReplicaSet", True),
    "pods": ("/api/v1", "Pod", True),
    "nodes": ("/api/v1", "Node", False),
    "poddisruptionbudgets": ("/apis/policy/v1", "PodDisruptionBudget", True),
}


def path(resource: str, namespace: str = "", name: str = "") -> str:
    """``/apis/apps/v1/namespaces/shop/deployments/checkout`` (no namespace: all)."""
    prefix, _, namespaced = KINDS[resource]
    out = prefix
    if namespaced and namespace:
        out += f"/namespaces/{quote(namespace, safe='')}"
    out += f"/{resource}"
    if name:
        out += f"/{quote(name, safe='')}"
    return out


def of(kind: str, namespace: str, name: str) -> tuple[str, str]:
    """(resource, API path) of an object named by its kind (``Deployment``...)."""
    for resource, (_, k, namespaced) in KINDS.items():
        if k == kind:
            return resource, path(resource, namespace if namespaced else "", name)
    raise BadInput(f"no API path known for kind {kind}")


def api_version(resource: str) -> str:
    """``apps/v1`` or ``v1``."""
    return KINDS[resource][0].removeprefix("/apis/").removeprefix("/api/")


def group(resource: str) -> str:
    """The API group ("" for core)."""
    version = api_version(resource)
    return version.rsplit("/", 1)[0] if "/" in version else ""


def selector_text(selector: JSON | None) -> str:
    """A LabelSelector as a ``labelSelector`` query (matchLabels and matchExpressions)."""
    parts: list[str] = []
    sel = selector or {}
    for key, value in (sel.get("matchLabels") or {}).items():
        parts.append(f"{key}={value}")
    for expr in sel.get("matchExpressions") or []:
        key, op = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(expr.get("values") or [])
        if op == "In":
            parts.append(f"{key} in ({values})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({values})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    if not parts:
        raise BadInput("the workload has an empty selector", "check its spec.selector")
    return ",".join(parts)
