"""URL grammar of the API server: discovery paths and resource paths.

``/api/v1/[namespaces/{ns}/]{resource}[/{name}[/{subresource}]]`` and the same
under ``/apis/{group}/{version}``. An unknown group or version is the Go mux's
plain-text ``404 page not found``; an unknown resource inside a served
group/version is a Status 404 with empty details (after authorization, so an
anonymous caller gets 403 first, as on a real server).
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.kubeserver.resources import RESOURCES, ResourceType, lookup

_SERVED_GV = {(r.group, r.version) for r in RESOURCES}
_GROUPS = {r.group for r in RESOURCES if r.group}


@dataclass(frozen=True)
class Discovery:
    """A discovery document: ``version``, ``api``, ``apis``, ``group`` or ``resources``."""

    doc: str
    group: str = ""
    version: str = ""


@dataclass(frozen=True)
class ResourcePath:
    """A resource URL; ``rtype`` None means the group/version has no such resource."""

    group: str
    version: str
    plural: str
    rtype: ResourceType | None
    namespace: str | None
    name: str
    sub: str


Route = Discovery | ResourcePath | None  # None: 404 page not found


def _discovery(parts: list[str]) -> Route:
    if parts == ["version"]:
        return Discovery("version")
    if len(parts) == 1 and parts[0] in ("healthz", "livez", "readyz"):
        return Discovery("health")
    if parts == ["api"]:
        return Discovery("api")
    if parts == ["apis"]:
        return Discovery("apis")
    if parts == ["api", "v1"]:
        return Discovery("resources", "", "v1")
    if len(parts) == 2 and parts[0] == "apis" and parts[1] in _GROUPS:
        return Discovery("group", parts[1])
    if len(parts) == 3 and parts[0] == "apis" and (parts[1], parts[2]) in _SERVED_GV:
        return Discovery("resources", parts[1], parts[2])
    return None


def parse(path: str) -> Route:
    """Classify a request path (query string already removed)."""
    parts = [p for p in path.split("/") if p]
    found = _discovery(parts)
    if found is not None:
        return found
    if len(parts) >= 3 and parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis" and (parts[1], parts[2]) in _SERVED_GV:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace: str | None = None
    if (
        rest[0] == "namespaces"
        and len(rest) >= 3
        and not (len(rest) == 3 and rest[2] in ("status", "finalize"))
    ):
        namespace, rest = rest[1], rest[2:]
    if len(rest) > 3:
        return None
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    rtype = lookup(group, version, plural)
    if rtype is not None:
        scoped_ok = rtype.namespaced == (namespace is not None) or (rtype.namespaced and not name)
        if not scoped_ok or (sub and rtype.subresource(sub) is None):
            rtype = None
    return ResourcePath(group, version, plural, rtype, namespace, name, sub)


def verb(method: str, path: ResourcePath, watch: bool) -> str:
    """The authorization verb of a request, as the API server derives it."""
    if method in ("GET", "HEAD"):
        if path.name:
            return "get"
        return "watch" if watch else "list"
    return {
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete" if path.name else "deletecollection",
    }.get(method, method.lower())
