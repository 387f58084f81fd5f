"""API server answers and transport failures as one-line errors (pure: status, body, text in).

The API server explains every refusal in a ``Status`` object (``message``,
``reason``, ``details.kind``); we keep its message, name what we were doing and
add what to try. Exit codes follow :mod:`triage.errors`: 401 and 403 are
*forbidden* (4), 404/400/409/410/422 *bad input* (2), 429 and 5xx, timeouts,
refused connections and TLS failures *unreachable* (3).
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
from typing import Any

from triage.errors import BadInput, Forbidden, TriageError, Unreachable

#: statuses a safe read may retry (with backoff) before giving up
RETRYABLE = frozenset({429, 500, 502, 503, 504})


class Gone(BadInput):
    """410: a resourceVersion or continue token too old; the caller lists again."""


_EXPIRED_HINT = (
    "the credentials may have expired: log in again (your cloud's login command, or "
    "`kubectl get pods` to refresh an exec plugin's token) and retry"
)


def status_message(body: bytes | str) -> tuple[str, str]:
    """``(message, reason)`` of a Status body; the raw text when it is not one."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200], ""
    if isinstance(doc, dict) and doc.get("kind") == "Status":
        return str(doc.get("message") or ""), str(doc.get("reason") or "")
    return " ".join(text.split())[:200], ""


def api_error(status: int, body: bytes | str, what: str, *, context: str = "") -> TriageError:
    """The error for an HTTP ``status`` answer to the request described by ``what``."""
    message, reason = status_message(body)
    where = f" (context {context})" if context else ""
    if status == 401:
        return Forbidden(f"{what}: the API server rejected the credentials{where}", _EXPIRED_HINT)
    if status == 403:
        return Forbidden(
            f"{what}: {message or 'forbidden'}",
            "ask for that permission (kubectl auth can-i ... shows what you have), "
            "or use a --context that has it",
        )
    if status == 404:
        return BadInput(
            f"{what}: {message or 'not found'}", "check the name and the namespace (-n/-A)"
        )
    if status == 409:
        return BadInput(
            f"{what}: {message or 'conflict'}", "it changed meanwhile: re-read and retry"
        )
    if status == 410:
        return BadInput(f"{what}: {message or 'resource version expired'}", "re-list and retry")
    if status in (400, 422):
        return BadInput(f"{what}: {message or reason or f'HTTP {status}'}")
    if status == 429:
        return Unreachable(
            f"{what}: the API server is throttling requests (429 {reason or 'TooManyRequests'})",
            "wait a few seconds and retry",
        )
    if status >= 500:
        return Unreachable(
            f"{what}: the API server failed ({status} {message or reason})".rstrip(),
            "retry shortly; if it persists the control plane is in trouble",
        )
    return TriageError(f"{what}: unexpected HTTP {status} {message}".rstrip())


def transport_error(text: str, server: str, what: str, *, context: str = "") -> TriageError:
    """The error for a request that got no HTTP answer (``text``: the exception's words)."""
    low = text.lower()
    where = f"the API server {server}" + (f" of context {context}" if context else "")
    if "certificate" in low or "ssl" in low or "tls" in low:
        return Unreachable(
            f"{what}: TLS with {where} failed ({_short(text)})",
            "the kubeconfig's certificate-authority or client certificate does not match "
            "the server; check the context",
        )
    if "timed out" in low or "timeout" in low:
        return Unreachable(
            f"{what}: {where} did not answer in time",
            "check the VPN or bastion tunnel and retry",
        )
    if "name or service not known" in low or "nodename nor servname" in low or "resolve" in low:
        return Unreachable(
            f"{what}: cannot resolve the host of {where}", "check the server name and your DNS/VPN"
        )
    if "refused" in low:
        return Unreachable(
            f"{what}: cannot reach {where} (connection refused)",
            "check that the cluster is up and the VPN or tunnel is open, or pick another --context",
        )
    return Unreachable(f"{what}: cannot reach {where} ({_short(text)})", "check the network")


def _short(text: str) -> str:
    """The last, most specific clause of a chained urllib3 message."""
    words = " ".join(text.split())
    for marker in ("Caused by ", "] "):
        if marker in words:
            words = words.rsplit(marker, 1)[-1]
    return words.strip("()'\" ")[:160]


def handshake_error(text: str, server: str, what: str, *, context: str = "") -> TriageError:
    """A refused websocket upgrade (port-forward) as our error.

    websocket-client words it ``Handshake status 403 Forbidden -+-+- {headers}
    -+-+- {"kind":"Status",...}`` (the body as text, or as a bytes literal): the
    status code and the API server's Status.
    """
    m = re.match(r"Handshake status (\d{3})", text)
    if m is None:
        return transport_error(text, server, what, context=context)
    body: bytes | str = ""
    last = text.rsplit(" -+-+- ", 1)[-1].strip()
    if last.startswith(("b'", 'b"')):
        with contextlib.suppress(ValueError, SyntaxError):
            body = ast.literal_eval(last)
    elif last.startswith("{"):
        body = last
    return api_error(int(m.group(1)), body, what, context=context)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (capped at 5 s), None if absent."""
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), 5.0)
    except ValueError:
        return None
