"""The actions' Executor over the cluster client: plain JSON in and out.

Statuses the actions react to become their own error types (404 NotFound, 409
Conflict, 429 TooManyRequests with the budget's words); every other refusal
is the client's one-line error with its exit code (403: forbidden, 4).
"""

from __future__ import annotations

import json
from typing import Any

from triage.actions.model import JSON, ApiRequest, Check, Conflict, NotFound, TooManyRequests
from triage.cluster import apierrors
from triage.cluster.client import KubeClient
from triage.cluster.kubeconfig import read_config
from triage.errors import BadInput, TriageError

_WHOAMI = "/apis/authentication.k8s.io/v1/selfsubjectreviews"


class ClientExecutor:
    """Runs action requests through a :class:`KubeClient`."""

    def __init__(self, client: KubeClient) -> None:
        self.client = client
        self._identity = ""

    @property
    def context(self) -> str:
        """The kubeconfig context name."""
        return self.client.context

    def read(self, path: str, query: tuple[tuple[str, str], ...] = ()) -> JSON:
        """GET; a list's pages are joined into one ``items``."""
        what = describe(path)
        doc = self._call("GET", path, what, list(query))
        token = str((doc.get("metadata") or {}).get("continue") or "")
        while token:
            page = self._call("GET", path, what, [*query, ("continue", token)])
            doc.setdefault("items", []).extend(page.get("items") or [])
            token = str((page.get("metadata") or {}).get("continue") or "")
        return doc

    def send(self, request: ApiRequest, *, dry_run: bool = False) -> JSON:
        """One action request, as planned (plus ``dryRun=All`` for a preview)."""
        query = list(request.query) + ([("dryRun", "All")] if dry_run else [])
        what = request.what or f"{request.method} {request.path}"
        if dry_run:
            what += " (server dry run)"
        return self._call(
            request.method,
            request.path,
            what,
            query,
            body=request.body,
            content_type=request.content_type,
        )

    def allowed(self, check: Check) -> tuple[bool, str]:
        """Ask the API server (SelfSubjectAccessReview)."""
        attrs: JSON = {"verb": check.verb, "resource": check.resource, "group": check.group}
        for key, value in (
            ("subresource", check.subresource),
            ("namespace", check.namespace),
            ("name", check.name),
        ):
            if value:
                attrs[key] = value
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attrs},
        }
        doc = self._call(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            f"checking permission {check.words}",
            [],
            body=body,
        )
        status = doc.get("status") or {}
        return bool(status.get("allowed")), str(status.get("reason") or "")

    def identity(self) -> str:
        """SelfSubjectReview's username (Kubernetes >= 1.28), else the kubeconfig user."""
        if self._identity:
            return self._identity
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
        try:
            doc = self._call("POST", _WHOAMI, "asking who we are", [], body=body)
            name = str(((doc.get("status") or {}).get("userInfo") or {}).get("username") or "")
        except TriageError:
            name = ""
        self._identity = name or self._kubeconfig_user()
        return self._identity

    def _kubeconfig_user(self) -> str:
        sel = self.client.selection
        for path in sel.paths:
            try:
                doc = read_config(path)
            except BadInput:
                continue
            for entry in doc.get("contexts") or []:
                if isinstance(entry, dict) and entry.get("name") == sel.context:
                    user = (entry.get("context") or {}).get("user")
                    if user:
                        return f"{user} (kubeconfig)"
        return f"unknown user of context {sel.context}"

    def _call(
        self,
        method: str,
        path: str,
        what: str,
        query: list[tuple[str, str]],
        *,
        body: Any = None,
        content_type: str = "",
    ) -> JSON:
        status, doc = self.client.send(
            method,
            path,
            what,
            query=query,
            body=body,
            content_type=content_type or "application/json",
        )
        if status < 400:
            if not isinstance(doc, dict):
                raise BadInput(f"{what}: the API server's answer is not a JSON object")
            return doc
        raise _error(status, doc, what, self.context)


def describe(path: str) -> str:
    """``reading pod nope in namespace shop`` for ``/api/v1/namespaces/shop/pods/nope``."""
    parts = [p for p in path.split("/") if p]
    where = ""
    if "namespaces" in parts[:-1]:
        i = parts.index("namespaces")
        where = f" in namespace {parts[i + 1]}"
        parts = parts[:i] + parts[i + 2 :]
    tail = parts[2:] if parts[:1] == ["api"] else parts[3:]
    if len(tail) >= 2:
        sub = f" ({'/'.join(tail[2:])})" if len(tail) > 2 else ""
        return f"reading {tail[0].removesuffix('s')} {tail[1]}{sub}{where}"
    return f"listing {tail[0] if tail else path}{where or ' in all namespaces'}"


def _error(status: int, doc: Any, what: str, context: str) -> TriageError:
    text = doc if isinstance(doc, dict) else {}
    message = str(text.get("message") or "")
    if status == 404:
        return NotFound(f"{what}: {message or 'not found'}", "check the name and the namespace")
    if status == 409:
        return Conflict(f"{what}: {message or 'conflict'}", "it changed meanwhile")
    if status == 429:
        causes = [
            str(c.get("message") or c.get("reason") or "")
            for c in (text.get("details") or {}).get("causes") or []
            if isinstance(c, dict)
        ]
        return TooManyRequests(f"{what}: {message or 'too many requests'}", causes=causes)
    return apierrors.api_error(status, json.dumps(text) if text else "", what, context=context)
