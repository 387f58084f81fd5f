"""The trail every executed action leaves: a JSONL record and a Kubernetes Event.

The record (``$XDG_STATE_HOME/triage/audit.jsonl``, one JSON object a line,
owner-only) holds the time, who (SelfSubjectReview), the context, the action,
its objects, the request bodies sent and the result. The Event (reason
``TriageAction``) puts the same fact where the team looks: ``kubectl
describe`` and ``kubectl events`` of the object.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from triage.actions.model import COMPONENT, JSON, ApiRequest, ObjectRef, Outcome
from triage.errors import BadInput
from triage.locations import ensure, state_dir

AUDIT_FILE = "audit.jsonl"
REASON = "TriageAction"


def audit_path() -> Path:
    """Where records are appended."""
    return state_dir() / AUDIT_FILE


def now() -> str:
    """The time in RFC 3339, UTC, to the second (as the API server writes it)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(outcome: Outcome, context: str, reason: str) -> JSON:
    """The audit record of one run."""
    plan = outcome.plan
    target = plan.target
    return {
        "time": now(),
        "identity": outcome.identity,
        "context": context,
        "action": plan.action,
        "summary": plan.summary,
        "reason": reason,
        "objects": [
            {
                "kind": target.kind,
                "namespace": target.namespace,
                "name": target.name,
                "uid": target.uid,
            }
        ],
        "requests": [r.as_json() for r in outcome.sent],
        "result": outcome.result,
        "message": outcome.message,
    }


def check_writable(path: Path | None = None) -> None:
    """Before anything changes: the audit log can be written (an untraced change is worse
    than none)."""
    path = path or audit_path()
    try:
        ensure(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise BadInput(
            f"the audit log {path} cannot be written ({exc.strerror}); nothing was changed",
            "fix its directory's permissions, or point TRIAGE_STATE_DIR elsewhere",
        ) from None


def append(doc: JSON, path: Path | None = None) -> Path:
    """Append one record (the file is created owner-only: it names people and objects)."""
    path = path or audit_path()
    ensure(path.parent)
    line = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(line)
    return path


def event_request(
    target: ObjectRef, identity: str, action: str, result: str, reason: str
) -> ApiRequest:
    """A core/v1 Event about the object (nodes' events live in ``default``, as kubectl's)."""
    namespace = target.namespace or "default"
    why = f"; reason: {reason}" if reason else ""
    stamp = now()
    body: JSON = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": f"{target.name}.triage-", "namespace": namespace},
        "involvedObject": {
            "apiVersion": target.api_version,
            "kind": target.kind,
            "name": target.name,
            "uid": target.uid,
        },
        "reason": REASON,
        "message": (
            f"{identity} requested {action} of {target.label} with triage{why}"
            if result == "requested"
            else f"{identity} ran {action} on {target.label} with triage ({result}){why}"
        ),
        "type": "Normal",
        "source": {"component": COMPONENT},
        "reportingComponent": COMPONENT,
        "reportingInstance": COMPONENT,
        "action": action.capitalize(),
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
    }
    if target.namespace:
        body["involvedObject"]["namespace"] = target.namespace
    return ApiRequest(
        "POST",
        f"/api/v1/namespaces/{namespace}/events",
        body,
        what=f"recording an Event on {target.label}",
    )
