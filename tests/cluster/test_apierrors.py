"""API answers and transport failures as one-line errors with the right exit code.

The Status bodies are the ones a real kube-apiserver sent (reference transcript ops
``auth.bad-credential-401``, ``logs.forbidden-podreader-403``, ``notfound.pod-404``,
``logs.previous.no-previous-container-400``, ``eviction.catalog-pdb-429``).
"""

from __future__ import annotations

import json

import pytest

from triage.cluster.apierrors import api_error, handshake_error, retry_after, transport_error
from triage.errors import BadInput, Forbidden, TriageError, Unreachable


def status(code: int, reason: str, message: str, details: dict[str, object] | None = None) -> bytes:
    doc: dict[str, object] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        doc["details"] = details
    return json.dumps(doc).encode()


FORBIDDEN_LOG = (
    'pods "checkout-68c66446d8-l5lls" is forbidden: User "podreader" cannot get resource '
    '"pods/log" in API group "" in the namespace "tx1"'
)


@pytest.mark.parametrize(
    ("code", "body", "cls", "needles"),
    [
        (
            401,
            status(401, "Unauthorized", "Unauthorized"),
            Forbidden,
            ["rejected the credentials", "context prod", "expired", "log in again"],
        ),
        (
            403,
            status(403, "Forbidden", FORBIDDEN_LOG, {"name": "x", "kind": "pods"}),
            Forbidden,
            ['cannot get resource "pods/log"', "kubectl auth can-i"],
        ),
        (
            404,
            status(404, "NotFound", 'pods "no-such-pod" not found', {"kind": "pods"}),
            BadInput,
            ['pods "no-such-pod" not found', "namespace"],
        ),
        (
            400,
            status(
                400, "BadRequest", 'previous terminated container "catalog" in pod "c" not found'
            ),
            BadInput,
            ["previous terminated container"],
        ),
        (409, status(409, "Conflict", "the object has been modified"), BadInput, ["re-read"]),
        (
            410,
            status(410, "Expired", "too old resource version: 1 (3024)"),
            BadInput,
            ["too old resource version"],
        ),
        (
            422,
            status(422, "Invalid", "spec.replicas: Invalid value: -1"),
            BadInput,
            ["Invalid value"],
        ),
        (
            429,
            status(429, "TooManyRequests", "Cannot evict pod"),
            Unreachable,
            ["throttling", "retry"],
        ),
        (503, b"service unavailable", Unreachable, ["503", "control plane"]),
        (
            500,
            status(500, "InternalError", "etcdserver: request timed out"),
            Unreachable,
            ["etcdserver"],
        ),
    ],
)
def test_status_answers(code: int, body: bytes, cls: type[TriageError], needles: list[str]) -> None:
    err = api_error(code, body, "listing pods in namespace tx1", context="prod")
    assert type(err) is cls
    line = err.line()
    assert line.startswith("listing pods in namespace tx1: ")
    assert "\n" not in line
    for needle in needles:
        assert needle in line


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "HTTPSConnectionPool(host='10.0.0.1', port=6443): Max retries exceeded with url: /api "
            "(Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] "
            "Connection refused'))",
            "connection refused",
        ),
        ("Read timed out. (read timeout=30.0)", "did not answer in time"),
        (
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate",
            "TLS with the API server",
        ),
        (
            "Failed to resolve 'kube.example' ([Errno -2] Name or service not known)",
            "cannot resolve the host",
        ),
    ],
)
def test_transport_failures_are_unreachable(text: str, needle: str) -> None:
    err = transport_error(text, "https://10.0.0.1:6443", "listing pods", context="prod")
    assert isinstance(err, Unreachable) and err.exit_code == 3
    assert needle in err.line() and "https://10.0.0.1:6443" in err.line()
    assert "\n" not in err.line()


def test_refused_port_forward_handshake_keeps_the_servers_reason() -> None:
    body = status(
        403,
        "Forbidden",
        'pods "p" is forbidden: User "viewer" cannot get resource '
        '"pods/portforward" in API group "" in the namespace "default"',
    )
    for shown in (body.decode(), repr(body)):  # websocket-client prints either
        headers = "{'content-type': 'application/json'}"
        text = f"Handshake status 403 Forbidden -+-+- {headers} -+-+- {shown}"
        err = handshake_error(text, "https://k:6443", "port-forwarding to p:6060")
        assert isinstance(err, Forbidden)
        assert 'cannot get resource "pods/portforward"' in err.line()


@pytest.mark.parametrize(
    ("header", "seconds"), [(None, None), ("2", 2.0), ("600", 5.0), ("soon", None), ("-1", 0.0)]
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds
