"""The two-person rule: a request recorded on the object, approved by someone else.

``--two-person --reason TEXT`` plans, checks and previews an action as usual,
then, instead of executing it, records the request as an annotation on the
object it would change (``triage.io/approval-request``: id, requester, action,
target, the action's arguments, reason, expiry). ``triage approve ID`` run by
a *different* identity rebuilds the action from the recorded arguments and
takes it through the same pipeline (RBAC, dry run, audit naming both
people), then removes the annotation; ``triage reject ID`` removes it. The
requester can never approve their own request, and an expired one is
ignored. Keeping the request on the object means every triage session of
the team sees it, with no server of our own.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from triage.actions import paths
from triage.actions.executor import Executor
from triage.actions.model import JSON, MERGE_PATCH, ApiRequest, ObjectRef
from triage.errors import BadInput, TriageError

ANNOTATION = "triage.io/approval-request"
#: where requests can live: the kinds actions change
_WHERE = ("deployments", "statefulsets", "daemonsets")


@dataclass(frozen=True, slots=True)
class Request:
    """One pending request."""

    id: str
    requester: str
    action: str
    target: str  # deployment/checkout, node/node-1
    namespace: str
    reason: str
    expires: str  # RFC 3339, UTC
    args: dict[str, Any]
    path: str  # the annotated object's API path

    def expired(self, now: datetime | None = None) -> bool:
        """True once the expiry has passed (an unreadable expiry counts as expired)."""
        try:
            when = datetime.fromisoformat(self.expires.replace("Z", "+00:00"))
        except ValueError:
            return True
        return (now or datetime.now(UTC)) >= when

    def as_json(self) -> JSON:
        """The ``triage approvals --json`` form."""
        return {
            "id": self.id,
            "requester": self.requester,
            "action": self.action,
            "target": self.target,
            "namespace": self.namespace,
            "reason": self.reason,
            "expires": self.expires,
        }


def new(
    requester: str,
    action: str,
    target: ObjectRef,
    args: dict[str, Any],
    *,
    reason: str,
    ttl: float,
) -> tuple[JSON, str]:
    """The annotation value of a new request, and its id."""
    rid = secrets.token_hex(4)
    expires = (datetime.now(UTC) + timedelta(seconds=ttl)).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {
        "id": rid,
        "requester": requester,
        "action": action,
        "target": target.label,
        "reason": reason,
        "expires": expires,
        "args": args,
    }
    return doc, rid


def annotate(path: str, value: JSON | None, what: str) -> ApiRequest:
    """The merge patch that records (or, with None, removes) the request."""
    text = None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True)
    return ApiRequest(
        "PATCH",
        path,
        {"metadata": {"annotations": {ANNOTATION: text}}},
        MERGE_PATCH,
        what=what,
    )


def _parse(obj: JSON, path: str) -> Request | None:
    meta = obj.get("metadata") or {}
    text = (meta.get("annotations") or {}).get(ANNOTATION)
    if not text:
        return None
    try:
        doc = json.loads(text)
        return Request(
            str(doc["id"]),
            str(doc["requester"]),
            str(doc["action"]),
            str(doc["target"]),
            str(meta.get("namespace") or ""),
            str(doc.get("reason") or ""),
            str(doc["expires"]),
            dict(doc.get("args") or {}),
            path,
        )
    except (ValueError, KeyError, TypeError):
        return None  # not ours to read: never act on a request we cannot parse


def pending(ex: Executor, namespace: str, now: datetime | None = None) -> list[Request]:
    """Requests in the namespace's workloads and on nodes, expired ones left out."""
    return [r for r in _all(ex, namespace) if not r.expired(now)]


def _all(ex: Executor, namespace: str) -> list[Request]:
    found: list[Request] = []
    sources = [(r, namespace) for r in _WHERE] + [("nodes", "")]
    for resource, ns in sources:
        try:
            items = ex.read(paths.path(resource, ns)).get("items") or []
        except TriageError:
            continue  # not listable here: requests there are not shown
        for obj in items:
            meta = obj.get("metadata") or {}
            path = paths.path(resource, meta.get("namespace") or "", meta.get("name", ""))
            request = _parse(obj, path)
            if request is not None:
                found.append(request)
    return found


def find(ex: Executor, namespace: str, rid: str) -> Request:
    """The request with that id (expired ones included: the caller says so)."""
    for request in _all(ex, namespace):
        if request.id == rid:
            return request
    raise BadInput(
        f"no approval request {rid} in namespace {namespace} or on nodes",
        "list them with `triage approvals`",
    )
