"""Injected failures and latency, for testing how clients cope with a struggling API server.

``cluster.faults.inject("GET", "/api/v1/namespaces/shop/pods", 429, times=2)``
makes the next two matching requests fail with the Status a real server sends
for that code (429 with ``Retry-After`` and ``details.retryAfterSeconds``, 500,
503, 504); ``cluster.faults.latency = 0.5`` delays every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from triage.kubeserver.status import ApiError

_STATUS = {
    429: ("TooManyRequests", "Too many requests, please try again later."),
    500: ("InternalError", "Internal error occurred: injected failure"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: (
        "Timeout",
        "the server was unable to return a response in the time allotted, "
        "but may still be processing the request",
    ),
}


@dataclass
class Fault:
    """Fail ``times`` requests whose method and path match with ``code``."""

    method: str
    path_prefix: str
    code: int
    times: int


class Faults:
    """The pending faults of a cluster, consumed by matching requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        self.latency = 0.0  # seconds added to every request

    def inject(self, method: str, path_prefix: str, code: int, times: int = 1) -> None:
        """Queue a failure (``method`` ``*`` matches any)."""
        if code not in _STATUS:
            raise ValueError(f"no injected Status for HTTP {code}; one of {sorted(_STATUS)}")
        with self._lock:
            self._pending.append(Fault(method.upper(), path_prefix, code, times))

    def clear(self) -> None:
        """Drop every pending failure and the latency."""
        with self._lock:
            self._pending.clear()
            self.latency = 0.0

    def take(self, method: str, path: str) -> ApiError | None:
        """The error for this request, if a pending fault matches (counting it down)."""
        with self._lock:
            for fault in self._pending:
                if fault.method in ("*", method) and path.startswith(fault.path_prefix):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._pending.remove(fault)
                    reason, message = _STATUS[fault.code]
                    details = {"retryAfterSeconds": 1} if fault.code == 429 else {}
                    return ApiError(fault.code, reason, message, details)
        return None
