"""Self-subject reviews: "can I?", "what may I?" and "who am I?".

Answers mirror the real server: 201 with the spec echoed in Go field order,
``status.allowed`` plus ``reason`` only when RBAC (not system:masters) allowed
it; a denied review is just ``{"allowed": false}``; an empty spec is a 422.
"""

from __future__ import annotations

from typing import Any

from triage.kubeserver.authz import Authorizer, User
from triage.kubeserver.status import ApiError
from triage.kubeserver.store import now_rfc3339

JSON = dict[str, Any]

_ATTRS = ("namespace", "verb", "group", "version", "resource", "subresource", "name")
_DISCOVERY_URLS = [
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/openapi",
    "/openapi/*",
    "/readyz",
    "/version",
    "/version/",
]


def _invalid_spec() -> ApiError:
    message = (
        'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes '
        "must be specified"
    )
    return ApiError(
        422,
        "Invalid",
        f'.authorization.k8s.io "" is invalid: spec.resourceAttributes: {message}',
        {
            "group": "authorization.k8s.io",
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": message,
                    "field": "spec.resourceAttributes",
                }
            ],
        },
    )


def access_review(authz: Authorizer, user: User, body: JSON) -> JSON:
    """Answer a SelfSubjectAccessReview for ``user``."""
    spec = body.get("spec") or {}
    resource = spec.get("resourceAttributes")
    non_resource = spec.get("nonResourceAttributes")
    if (resource is None) == (non_resource is None):
        raise _invalid_spec()
    echoed: JSON
    if resource is not None:
        attrs = {k: str(resource.get(k) or "") for k in _ATTRS}
        echoed = {"resourceAttributes": {k: v for k, v in attrs.items() if v}}
        reason = authz.decide(
            user, attrs["verb"], attrs["group"], attrs["resource"], attrs["subresource"]
        )
    else:
        assert non_resource is not None
        path = str(non_resource.get("path") or "")
        verb = str(non_resource.get("verb") or "")
        echoed = {"nonResourceAttributes": {k: v for k, v in (("path", path), ("verb", verb)) if v}}
        reason = "" if verb == "get" and authz.decide_path(user, path) else None
    status: JSON = {"allowed": reason is not None}
    if reason:
        status["reason"] = reason
    return {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": echoed,
        "status": status,
    }


def rules_review(user: User, body: JSON) -> JSON:
    """Answer a SelfSubjectRulesReview: the user's rules plus the self-review ones."""
    rules: list[JSON] = [
        {
            "verbs": ["create"],
            "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        },
        {
            "verbs": ["create"],
            "apiGroups": ["authentication.k8s.io"],
            "resources": ["selfsubjectreviews"],
        },
    ]
    for rule in user.rules:
        rules.append(
            {
                "verbs": sorted(rule.verbs),
                "apiGroups": sorted(rule.groups),
                "resources": sorted(rule.resources),
            }
        )
    return {
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {},
        "status": {
            "resourceRules": rules,
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": _DISCOVERY_URLS}],
            "incomplete": False,
        },
    }


def self_review(user: User) -> JSON:
    """Answer a SelfSubjectReview (``kubectl auth whoami``)."""
    return {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": now_rfc3339()},
        "status": {
            "userInfo": {"username": user.name, "uid": user.uid, "groups": list(user.groups)}
        },
    }
