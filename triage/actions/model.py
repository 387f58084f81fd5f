"""The pieces of a plan: permission checks, API requests, diffs, outcomes (plain data)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from triage.errors import BadInput, TriageError, Unreachable

JSON = dict[str, Any]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
#: who we say we are in Events and field managers
COMPONENT = "triage"


class Risk(enum.Enum):
    """How much damage a mistaken approval does, which sets how approval is asked."""

    LOW = "low"  # one key: restart, scale, cordon, uncordon
    HIGH = "high"  # typed name: rollback, drain, delete, patch


@dataclass(frozen=True, slots=True)
class Check:
    """One SelfSubjectAccessReview: may we ``verb`` this resource?"""

    verb: str
    resource: str
    group: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""

    @property
    def words(self) -> str:
        """RBAC's wording, pasteable into a request to the cluster admins."""
        res = f"{self.resource}/{self.subresource}" if self.subresource else self.resource
        if self.group:
            res += f" ({self.group})"
        where = f" in namespace {self.namespace}" if self.namespace else " cluster-wide"
        return f"`{self.verb} {res}`{where}"


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """One request an action sends, exactly as it goes on the wire."""

    method: str
    path: str
    body: Any = None
    content_type: str = "application/json"
    query: tuple[tuple[str, str], ...] = ()
    #: what it does, for messages ("patching deployment checkout")
    what: str = ""

    def as_json(self) -> JSON:
        """The audit and ``--dry-run`` form."""
        out: JSON = {"method": self.method, "path": self.path}
        if self.query:
            out["query"] = dict(self.query)
        if self.body is not None:
            out["content_type"] = self.content_type
            out["body"] = self.body
        return out


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The object an action changes."""

    kind: str  # Deployment, Node, Pod...
    name: str
    namespace: str = ""  # "" for cluster-scoped objects
    api_version: str = "v1"
    uid: str = ""
    resource_version: str = ""

    @property
    def label(self) -> str:
        """``deployment/checkout`` (kubectl's spelling)."""
        return f"{self.kind.lower()}/{self.name}"


@dataclass(slots=True)
class Diff:
    """An object before and after the change, as the server's dry run answered."""

    title: str
    text: str  # unified diff; "" when the dry run changes nothing visible


@dataclass(slots=True)
class Plan:
    """What an action will do: reads are done, nothing is changed yet."""

    action: str  # rollback, restart...
    target: ObjectRef
    risk: Risk
    summary: str  # one line: "roll back deployment/checkout from revision 2 to 1"
    requests: list[ApiRequest] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    #: object path -> the object as read, to diff the dry run against
    before: dict[str, JSON] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    diffs: list[Diff] = field(default_factory=list)
    #: set when there is nothing to do ("skipped rollback: ...")
    skipped: str = ""
    #: what the action carries to execute and verify (drain: the pods)
    data: JSON = field(default_factory=dict)


class Conflict(BadInput):
    """409: the object changed since it was read; re-read and re-plan."""


class NotFound(BadInput):
    """404."""


class TooManyRequests(Unreachable):
    """429: an eviction a PodDisruptionBudget forbids now (or throttling)."""

    def __init__(self, message: str, hint: str = "", causes: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.causes = causes or []


class ActionFailed(TriageError):
    """The action ran and failed, or did not finish in time (exit 1)."""


@dataclass(slots=True)
class Outcome:
    """How it ended, for the CLI's exit code and the audit record."""

    plan: Plan
    result: str  # done | skipped | dry-run | refused | failed | timed out | conflict
    message: str
    identity: str = ""
    sent: list[ApiRequest] = field(default_factory=list)
    #: the id of a recorded two-person request
    request_id: str = ""

    @property
    def ok(self) -> bool:
        """True for done, skipped, dry-run and a recorded request."""
        return self.result in ("done", "skipped", "dry-run", "requested")
