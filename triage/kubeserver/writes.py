"""Updates and patches: preconditions, validation, generation, dry runs, subresources.

Both PUT and PATCH end in :func:`commit`: immutable metadata is kept, the
status of a kind with a ``status`` subresource only changes through it, a
spec change bumps ``metadata.generation``, validation answers the real 422,
a stale ``resourceVersion`` the real 409, and ``dryRun=All`` returns the
would-be object (generation bumped, resourceVersion unchanged) storing nothing.
Real writes then run the controllers, as kube-controller-manager would.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from triage.kubeserver import controllers, patch
from triage.kubeserver.api import full_bytes, get_object, parse_body
from triage.kubeserver.cluster import Cluster
from triage.kubeserver.resources import ResourceType
from triage.kubeserver.status import ApiError, bad_request, conflict, invalid
from triage.kubeserver.store import Stored
from triage.kubeserver.wire import Reply, Request, Target

JSON = dict[str, Any]

GENERATION_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "PodDisruptionBudget"}
)
STALE = (
    "the object has been modified; please apply your changes to the latest version and try again"
)
_IMMUTABLE = ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp")
_REPLICA_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "Scale"})


def _replicas_cause(value: Any) -> JSON | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return {
            "reason": "FieldValueInvalid",
            "message": f"Invalid value: {json.dumps(value)}: must be an integer",
            "field": "spec.replicas",
        }
    if value < 0:
        return {
            "reason": "FieldValueInvalid",
            "message": f"Invalid value: {value}: must be greater than or equal to 0",
            "field": "spec.replicas",
        }
    return None


def validate(kind: str, group: str, obj: JSON) -> None:
    """The checks of the real validators for the fields triage writes (422 Invalid)."""
    causes: list[JSON] = []
    spec = obj.get("spec") or {}
    if kind in _REPLICA_KINDS:
        cause = _replicas_cause(spec.get("replicas"))
        if cause:
            causes.append(cause)
    template = spec.get("template") if kind != "Pod" else {"spec": spec}
    if isinstance(template, dict):
        prefix = "spec.containers" if kind == "Pod" else "spec.template.spec.containers"
        for i, container in enumerate((template.get("spec") or {}).get("containers") or []):
            for field in ("name", "image"):
                if not (isinstance(container, dict) and container.get(field)):
                    causes.append(
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value",
                            "field": f"{prefix}[{i}].{field}",
                        }
                    )
    if causes:
        raise invalid(kind, obj["metadata"].get("name", ""), group, causes)


def _merge_into(rtype: ResourceType, current: JSON, new: JSON, sub: str) -> JSON:
    """The object to store: immutable metadata kept; status only via ``/status``."""
    if sub == "status":
        merged = copy.deepcopy(current)
        merged["status"] = copy.deepcopy(new.get("status"))
        return merged
    new = copy.deepcopy(new)
    new.pop("kind", None)
    new.pop("apiVersion", None)
    meta = new.setdefault("metadata", {})
    for key in _IMMUTABLE:
        if key in current["metadata"]:
            meta[key] = current["metadata"][key]
        else:
            meta.pop(key, None)
    if rtype.subresource("status") is not None:
        if "status" in current:
            new["status"] = copy.deepcopy(current["status"])
        else:
            new.pop("status", None)
    if rtype.kind in GENERATION_KINDS:
        generation = int(current["metadata"].get("generation", 1))
        if new.get("spec") != current.get("spec"):
            generation += 1
        meta["generation"] = generation
    return new


def commit(
    cluster: Cluster,
    req: Request,
    target: Target,
    current: Stored,
    new: JSON,
    *,
    expect_rv: str | None,
) -> Stored | JSON:
    """Validate and store ``new`` (or, with ``dryRun=All``, return what would be stored)."""
    rtype = target.rtype
    obj = _merge_into(rtype, current.obj, new, target.sub)
    validate(rtype.kind, rtype.group, obj)
    if expect_rv and expect_rv != str(current.rv):
        raise conflict(rtype.plural, target.name, rtype.group, STALE)
    if req.params.get("dryRun") == "All":
        obj["metadata"]["resourceVersion"] = str(current.rv)
        return obj
    stored = cluster.store.replace(rtype.store_key, obj, rtype.plural, rtype.group, expect_rv)
    controllers.after_write(cluster, rtype.kind, stored.obj)
    return stored


def _answer(rtype: ResourceType, result: Stored | JSON) -> Reply:
    if isinstance(result, Stored):
        return Reply(200, full_bytes(result, rtype))
    body = {"kind": rtype.kind, "apiVersion": rtype.api_version, **result}
    return Reply(200, json.dumps(body, separators=(",", ":")).encode())


def update(cluster: Cluster, req: Request, target: Target) -> Reply:
    """PUT: replace an object; its resourceVersion is a precondition (409 when stale)."""
    current = get_object(cluster, target)
    body = parse_body(req)
    meta = body.get("metadata") or {}
    if meta.get("name") not in (None, target.name):
        raise bad_request(
            f"the name of the object ({meta.get('name')}) does not match the name "
            f"on the URL ({target.name})"
        )
    rv = str(meta.get("resourceVersion") or "")
    if not rv:
        raise invalid(
            target.rtype.kind,
            target.name,
            target.rtype.group,
            [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: 0x0: must be specified for an update",
                    "field": "metadata.resourceVersion",
                }
            ],
        )
    return _answer(target.rtype, commit(cluster, req, target, current, body, expect_rv=rv))


def patch_object(cluster: Cluster, req: Request, target: Target) -> Reply:
    """PATCH with a JSON, merge or strategic-merge patch."""
    current = get_object(cluster, target)
    try:
        body = json.loads(req.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"error decoding patch: {exc}") from exc
    view = {"kind": target.rtype.kind, "apiVersion": target.rtype.api_version, **current.obj}
    patched = patch.apply(req.header("Content-Type"), view, body)
    if not isinstance(patched, dict):
        raise patch.rejected()
    expect = str((patched.get("metadata") or {}).get("resourceVersion") or "")
    expect_rv = expect if expect and expect != str(current.rv) else None
    return _answer(
        target.rtype, commit(cluster, req, target, current, patched, expect_rv=expect_rv)
    )


# -- /scale (autoscaling/v1 Scale) -------------------------------------------------


def _scale_of(obj: JSON) -> JSON:
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": ",".join(f"{k}={v}" for k, v in labels.items()),
        },
    }


def scale(cluster: Cluster, req: Request, target: Target) -> Reply:
    """GET, PUT or PATCH on ``/scale``: the replicas of a Deployment/ReplicaSet/StatefulSet."""
    current = get_object(cluster, target)
    before = _scale_of(current.obj)
    if req.method == "GET":
        return Reply(200, json.dumps(before, separators=(",", ":")).encode())
    if req.method == "PUT":
        wanted = parse_body(req)
    elif req.method == "PATCH":
        try:
            body = json.loads(req.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"error decoding patch: {exc}") from exc
        wanted = patch.apply(req.header("Content-Type"), before, body)
    else:
        raise ApiError(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            {},
        )
    replicas = (wanted.get("spec") or {}).get("replicas")
    cause = _replicas_cause(replicas)
    if cause:
        raise invalid("Scale", target.name, "autoscaling", [cause])
    new = copy.deepcopy(current.obj)
    new.setdefault("spec", {})["replicas"] = replicas
    main = Target(target.rtype, target.namespace, target.name, "")
    result = commit(cluster, req, main, current, new, expect_rv=None)
    obj = result.obj if isinstance(result, Stored) else result
    return Reply(200, json.dumps(_scale_of(obj), separators=(",", ":")).encode())
