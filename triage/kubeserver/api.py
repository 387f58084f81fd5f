"""Object handlers: list (with selectors, paging, watch), get, create, update, delete.

Objects are stored without ``kind``/``apiVersion`` and rendered per served
version (core and events.k8s.io events share storage). Lists join each
object's cached JSON bytes, so a list costs one join, not one encode per item.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import secrets
from collections.abc import Callable
from typing import Any

from triage.kubeserver import controllers, events, selectors, table, watch
from triage.kubeserver.cluster import Cluster
from triage.kubeserver.objects import SAFE_ALPHABET
from triage.kubeserver.resources import ResourceType
from triage.kubeserver.status import ApiError, bad_request, expired, invalid, not_found
from triage.kubeserver.store import Stored
from triage.kubeserver.wire import Reply, Request, Target

JSON = dict[str, Any]

_GENERIC_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
_FIELDS: dict[str, frozenset[str]] = {
    "pods": _GENERIC_FIELDS
    | {
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    },
    "events": events.CORE_EVENT_FIELDS,
    "nodes": _GENERIC_FIELDS | {"spec.unschedulable"},
    "namespaces": _GENERIC_FIELDS | {"status.phase"},
    "replicasets": _GENERIC_FIELDS | {"status.replicas"},
}


# What the API server (defaulting, not a controller) puts in status at creation.
_STATUS_DEFAULTS: dict[str, JSON] = {
    "Pod": {"phase": "Pending", "qosClass": "BestEffort"},
    "StatefulSet": {"replicas": 0, "availableReplicas": 0},
    "ReplicaSet": {"replicas": 0},
    "DaemonSet": {
        "currentNumberScheduled": 0,
        "numberMisscheduled": 0,
        "desiredNumberScheduled": 0,
        "numberReady": 0,
    },
    "Deployment": {},
    "Namespace": {"phase": "Active"},
    "PodDisruptionBudget": {
        "disruptionsAllowed": 0,
        "currentHealthy": 0,
        "desiredHealthy": 0,
        "expectedPods": 0,
    },
}


def _render_fn(rtype: ResourceType) -> tuple[str, Callable[[JSON], JSON]]:
    if rtype.group == "events.k8s.io":
        return "events.k8s.io", events.to_events_v1
    return "", lambda obj: obj


def item_bytes(stored: Stored, rtype: ResourceType) -> bytes:
    """The object as a list item (no kind/apiVersion), encoded once per version."""
    view, render = _render_fn(rtype)
    return stored.encoded(view, render)


def full_bytes(stored: Stored, rtype: ResourceType) -> bytes:
    """The object with kind and apiVersion first, as get and watch return it."""
    view, render = _render_fn(rtype)
    key = view + ":full"
    data = stored._cache.get(key)
    if data is None:
        item = stored.encoded(view, render)
        head = json.dumps(
            {"kind": rtype.kind, "apiVersion": rtype.api_version}, separators=(",", ":")
        )
        data = head[:-1].encode() + b"," + item[1:]
        stored._cache[key] = data
    return data


def _view(stored: Stored, rtype: ResourceType) -> JSON:
    """The object as this version serves it (a fresh dict)."""
    result: JSON = json.loads(item_bytes(stored, rtype))
    return result


def _table_bytes(stored: Stored, rtype: ResourceType, include: str) -> bytes:
    meta = {"resourceVersion": str(stored.rv)}
    one = table.table(rtype.kind, [_view(stored, rtype)], meta, rtype.api_version, include)
    return json.dumps(one).encode()


def _json_reply(obj: JSON, code: int = 200) -> Reply:
    return Reply(code, json.dumps(obj, separators=(",", ":")).encode())


# -- reading ---------------------------------------------------------------


def _matchers(
    req: Request, rtype: ResourceType
) -> tuple[selectors.Matcher | None, selectors.Matcher | None]:
    rename = events.NEW_TO_CORE_FIELDS if rtype.group == "events.k8s.io" else None
    allowed = _FIELDS.get(rtype.store_key, _GENERIC_FIELDS)
    return (
        selectors.label_matcher(req.params.get("labelSelector")),
        selectors.field_matcher(req.params.get("fieldSelector"), allowed, rename),
    )


def _list_options_invalid(message: str) -> ApiError:
    cause = {
        "reason": "FieldValueForbidden",
        "message": f"Forbidden: {message}",
        "field": "resourceVersionMatch",
    }
    return ApiError(
        422,
        "Invalid",
        f'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: {message}',
        {"group": "meta.k8s.io", "kind": "ListOptions", "causes": [cause]},
    )


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return int(data["rv"]), str(data["start"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise bad_request(f"invalid continue token: continue key is not valid: {exc}") from exc


def _encode_continue(rv: int, start: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _page_key(stored: Stored, all_namespaces: bool) -> str:
    """The etcd key of an object relative to the listed prefix (as continue tokens hold it)."""
    ns, name = stored.key
    return f"{ns}/{name}" if all_namespaces and ns else name


def list_objects(cluster: Cluster, req: Request, target: Target, bookmark_interval: float) -> Reply:
    """GET on a collection: a list, or a watch stream with ``watch=true``."""
    rtype = target.rtype
    labels, fields = _matchers(req, rtype)
    rv_text = req.params.get("resourceVersion", "")
    match = req.params.get("resourceVersionMatch", "")
    if req.flag("watch"):
        return _watch(
            cluster, req, target, labels=labels, fields=fields, bookmark_interval=bookmark_interval
        )
    if match and not rv_text:
        raise _list_options_invalid(
            "resourceVersionMatch is forbidden unless resourceVersion is provided"
        )
    rv, items = cluster.store.snapshot(rtype.store_key, target.namespace)
    if match == "Exact" and rv_text != str(rv):
        # No snapshots are kept: only the current version can be served exactly.
        raise expired("The resourceVersion for the provided list is too old.")
    found = [
        s for s in items if (labels is None or labels(s.obj)) and (fields is None or fields(s.obj))
    ]
    all_ns = target.namespace is None and rtype.namespaced
    token = req.params.get("continue", "")
    if token:
        _, start = _decode_continue(token)
        start = start.removeprefix("/")  # the real server's first token keeps the prefix's slash
        found = [s for s in found if _page_key(s, all_ns) + "\x00" > start]
    meta: JSON = {"resourceVersion": str(rv)}
    limit = _int_param(req, "limit")
    if limit and limit > 0 and len(found) > limit:
        rest = len(found) - limit
        found = found[:limit]
        meta["continue"] = _encode_continue(rv, _page_key(found[-1], all_ns) + "\x00")
        meta["remainingItemCount"] = rest
    if table.wants_table(req.accept):
        objects = [_view(s, rtype) for s in found]
        include = req.params.get("includeObject", "Metadata")
        return _json_reply(table.table(rtype.kind, objects, meta, rtype.api_version, include))
    head = {"kind": rtype.kind + "List", "apiVersion": rtype.api_version, "metadata": meta}
    prefix = json.dumps(head, separators=(",", ":"))[:-1].encode()
    body = prefix + b',"items":[' + b",".join(item_bytes(s, rtype) for s in found) + b"]}"
    return Reply(200, body)


def _int_param(req: Request, name: str) -> int | None:
    raw = req.params.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise bad_request(f'invalid value for {name}: "{raw}"') from exc


def _watch(
    cluster: Cluster,
    req: Request,
    target: Target,
    *,
    labels: selectors.Matcher | None,
    fields: selectors.Matcher | None,
    bookmark_interval: float,
) -> Reply:
    initial = req.flag("sendInitialEvents")
    match = req.params.get("resourceVersionMatch", "")
    if initial and match != "NotOlderThan":
        raise _list_options_invalid(
            "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
        )
    rv_text = req.params.get("resourceVersion", "")
    if rv_text and not rv_text.isdigit():
        raise bad_request(f'invalid resource version "{rv_text}"')
    timeout = _int_param(req, "timeoutSeconds")
    spec = watch.WatchSpec(
        target.rtype,
        target.namespace,
        labels,
        fields,
        rv_text,
        req.flag("allowWatchBookmarks"),
        initial,
        float(timeout) if timeout else watch.DEFAULT_TIMEOUT,
        bookmark_interval,
    )
    rtype = target.rtype
    if table.wants_table(req.accept):
        include = req.params.get("includeObject", "Metadata")
        chunks = watch.stream(
            cluster.store, spec, lambda s: _table_bytes(s, rtype, include), req.alive
        )
    else:
        chunks = watch.stream(cluster.store, spec, lambda s: full_bytes(s, rtype), req.alive)
    return Reply(200, stream=chunks)


def get_object(cluster: Cluster, target: Target) -> Stored:
    """The stored object a URL names; 404 with the real Status when missing."""
    rtype = target.rtype
    stored = cluster.store.get(rtype.store_key, (target.namespace or "", target.name))
    if stored is None:
        raise not_found(rtype.plural, target.name, rtype.group)
    return stored


def read(cluster: Cluster, req: Request, target: Target) -> Reply:
    """GET on one object (a one-row Table when kubectl asks for one)."""
    stored = get_object(cluster, target)
    if table.wants_table(req.accept):
        include = req.params.get("includeObject", "Metadata")
        return Reply(200, _table_bytes(stored, target.rtype, include))
    return Reply(200, full_bytes(stored, target.rtype))


# -- writing ---------------------------------------------------------------


def parse_body(req: Request) -> JSON:
    """The JSON request body (Python client POSTs carry no Content-Type: JSON)."""
    try:
        data = json.loads(req.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from exc
    if not isinstance(data, dict):
        raise bad_request("couldn't get version/kind; json parse error: not an object")
    return data


def _check_namespace(cluster: Cluster, namespace: str) -> None:
    if cluster.store.get("namespaces", ("", namespace)) is None:
        raise not_found("namespaces", namespace)


def prepare_new(cluster: Cluster, target: Target, obj: JSON) -> JSON:
    """Validate and default an object about to be created (name, namespace, events)."""
    rtype = target.rtype
    meta = obj.setdefault("metadata", {})
    if rtype.namespaced:
        namespace = target.namespace or ""
        if meta.get("namespace") not in (None, "", namespace):
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent "
                "on the request"
            )
        meta["namespace"] = namespace
        _check_namespace(cluster, namespace)
    if not meta.get("name"):
        if meta.get("generateName"):
            meta["name"] = meta["generateName"] + "".join(
                secrets.choice(SAFE_ALPHABET) for _ in range(5)
            )
        else:
            raise invalid(
                rtype.kind,
                "",
                rtype.group,
                [
                    {
                        "reason": "FieldValueRequired",
                        "message": "Required value: name or generateName is required",
                        "field": "metadata.name",
                    }
                ],
            )
    if rtype.store_key == "events":
        if rtype.group == "events.k8s.io":
            if not obj.get("eventTime"):
                raise invalid(
                    "Event",
                    meta["name"],
                    "",
                    [
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value",
                            "field": "eventTime",
                        }
                    ],
                )
            obj = events.from_events_v1(obj)
        else:
            obj = events.normalise_core(obj)
    obj.pop("kind", None)
    obj.pop("apiVersion", None)
    if rtype.kind in _STATUS_DEFAULTS:
        obj["status"] = copy.deepcopy(_STATUS_DEFAULTS[rtype.kind])
    if rtype.kind in (
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "PodDisruptionBudget",
    ):
        meta["generation"] = 1
    return obj


def create(cluster: Cluster, req: Request, target: Target) -> Reply:
    """POST on a collection: 201 with the stored object (dryRun=All stores nothing)."""
    rtype = target.rtype
    obj = prepare_new(cluster, target, parse_body(req))
    if req.params.get("dryRun") == "All":
        preview = copy.deepcopy(obj)
        preview["metadata"].setdefault("creationTimestamp", None)
        return _json_reply({"kind": rtype.kind, "apiVersion": rtype.api_version, **preview}, 201)
    stored = cluster.store.create(rtype.store_key, obj, rtype.plural, rtype.group)
    controllers.after_write(cluster, rtype.kind, stored.obj)
    return Reply(201, full_bytes(stored, rtype))


def delete(cluster: Cluster, req: Request, target: Target) -> Reply:
    """DELETE on an object: pods answer with the terminating pod, others with Success."""
    rtype = target.rtype
    current = get_object(cluster, target)
    if req.params.get("dryRun") == "All":
        return Reply(200, full_bytes(current, rtype))
    gone = cluster.store.delete(rtype.store_key, current.key, rtype.plural, rtype.group)
    if rtype.kind == "Pod":
        cluster.logs.forget(*current.key)
    controllers.after_delete(cluster, rtype.kind, current.obj)
    if rtype.kind == "Pod":
        return Reply(200, full_bytes(gone, rtype))
    details: JSON = {"name": target.name}
    if rtype.group:
        details["group"] = rtype.group
    details["kind"] = rtype.plural
    details["uid"] = current.obj["metadata"]["uid"]
    return _json_reply(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": details,
        }
    )
