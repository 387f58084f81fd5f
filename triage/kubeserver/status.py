"""Status objects: the one error shape every kube-apiserver answer uses.

Handlers raise :class:`ApiError`; the HTTP layer turns it into the JSON
``Status`` a real API server sends, with the same ``reason``, ``code`` and
``details`` keys (``details.kind`` is the plural resource; ``group`` only
outside the core group; the 401 and some 400s carry no details at all).
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


class ApiError(Exception):
    """An error answer: HTTP code plus the Status body the real server sends."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: JSON | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> JSON:
        """The ``Status`` object, keys in the real server's order."""
        body: JSON = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(name: str, group: str, plural: str) -> JSON:
    details: JSON = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = plural
    return details


def not_found(plural: str, name: str, group: str = "") -> ApiError:
    """404 for a missing object: ``pods "x" not found``."""
    qualified = f"{plural}.{group}" if group else plural
    return ApiError(
        404, "NotFound", f'{qualified} "{name}" not found', _details(name, group, plural)
    )


def unknown_resource() -> ApiError:
    """404 for a resource the group/version does not serve (``details: {}``)."""
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def unauthorized() -> ApiError:
    """401 for a bad bearer token: no details, exactly as the real server."""
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(
    user: str,
    verb: str,
    plural: str,
    group: str,
    *,
    namespace: str,
    name: str = "",
    subresource: str = "",
) -> ApiError:
    """403 worded like the RBAC authorizer's refusal."""
    resource = f"{plural}/{subresource}" if subresource else plural
    qualified = f"{plural}.{group}" if group else plural
    subject = f'{qualified} "{name}"' if name else qualified
    scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
        f'in API group "{group}"{scope}'
    )
    return ApiError(403, "Forbidden", message, _details(name, group, plural))


def forbidden_path(user: str, path: str) -> ApiError:
    """403 for a non-resource URL (discovery) the user may not read."""
    return ApiError(403, "Forbidden", f'forbidden: User "{user}" cannot get path "{path}"', {})


def bad_request(message: str) -> ApiError:
    """400 with no details (log errors, malformed bodies)."""
    return ApiError(400, "BadRequest", message)


def expired(message: str) -> ApiError:
    """410 Expired: a resourceVersion older than the server keeps."""
    return ApiError(410, "Expired", message)


def invalid(kind: str, name: str, group: str, causes: list[JSON]) -> ApiError:
    """422 Invalid with field causes, message built like the real server's."""
    qualified = f"{kind}.{group}" if group else kind
    texts = ", ".join(f"{c['field']}: {c['message']}" for c in causes)
    details: JSON = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    details["causes"] = causes
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {texts}', details)


def conflict(plural: str, name: str, group: str, why: str) -> ApiError:
    """409 Conflict, e.g. a stale resourceVersion on update."""
    qualified = f"{plural}.{group}" if group else plural
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified} "{name}": {why}',
        _details(name, group, plural),
    )


def already_exists(plural: str, name: str, group: str = "") -> ApiError:
    """409 AlreadyExists on create of an existing name."""
    qualified = f"{plural}.{group}" if group else plural
    return ApiError(
        409,
        "AlreadyExists",
        f'{qualified} "{name}" already exists',
        _details(name, group, plural),
    )


def method_not_allowed() -> ApiError:
    """405 for a verb the resource does not support."""
    return ApiError(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
        {},
    )


def success() -> JSON:
    """The Success Status (eviction, delete of some kinds)."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "code": 201,
    }
