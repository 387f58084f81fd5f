"""One keep-alive HTTP client for everything a live Go service exposes.

The app polls the same port-forwarded address every few seconds (health,
metrics, goroutine dumps), so one :class:`httpx.Client` is kept open and its
connections reused. Methods block: call them from Textual thread workers.
httpx clients are thread-safe, so several workers may share one ProbeClient.

Failures of the data calls (goroutines, profiles, metrics) raise the
:mod:`triage.errors` classes through the helpers in :mod:`triage.sources`.
Health checks never raise for a network failure: a refused or timed-out probe
is a :class:`HealthSample` with ``ok=False``, because recording failures is
the point of a health check.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from triage.errors import BadInput
from triage.probes.endpoints import (
    HEALTH_PATHS,
    METRICS_PATH,
    PROFILE_KINDS,
    Capability,
    goroutine_path,
    is_loopback,
    normalize_base_url,
    profile_path,
)
from triage.probes.endpoints import slash as _slash
from triage.sources import describe_unreadable, fetch, network_error, sniff

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 10.0
#: kubelet probes give up after 1 s by default; a little more for a laptop.
DEFAULT_HEALTH_TIMEOUT = 2.0
_HEALTH_BODY_BYTES = 4096
_DETAIL_CHARS = 200
# Ask for the classic text format: client_golang would otherwise negotiate protobuf.
_ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1"


@dataclass(frozen=True, slots=True)
class HealthSample:
    """One health probe: what came back, how fast, and when."""

    path: str
    ok: bool
    """True for an HTTP 2xx or 3xx answer, as the kubelet judges a probe."""
    status: int | None
    """HTTP status, or None when no answer came (refused, timeout, reset)."""
    latency: float
    """Seconds from sending the request to the end of the answer (or the failure)."""
    detail: str
    """First line of the body (``ok``, ``not ready: warming cache``) or why it failed."""
    at: float
    """When the probe started, on the client's clock."""
    suspicious: str = ""
    """Why a passing answer is doubtful (an HTML page: a login or proxy page behind a
    misrouted ``/healthz``); empty when there is no doubt."""


class ProbeClient:
    """pprof, health and metrics of one Go service, over one keep-alive client.

    It is the HTTP implementation of :class:`triage.live.fetcher.Fetcher`: a
    debug port answers everything, so it has every capability.
    """

    capabilities: frozenset[Capability] = frozenset(Capability)

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        health_timeout: float = DEFAULT_HEALTH_TIMEOUT,
        health_paths: tuple[str, ...] = HEALTH_PATHS,
        metrics_path: str = METRICS_PATH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import httpx

        self.base_url = normalize_base_url(base_url)
        self.timeout = timeout
        self.health_timeout = health_timeout
        self.health_paths = tuple(_slash(p) for p in health_paths)
        self.metrics_path = _slash(metrics_path)
        self._clock = clock
        # Proxy variables must not capture a port-forward on 127.0.0.1.
        self._http = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            trust_env=not is_loopback(self.base_url),
            headers={"Accept": _ACCEPT},
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
        )

    @property
    def label(self) -> str:
        """What titles and status lines call the target: its base URL."""
        return self.base_url

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this service."""
        return self.base_url + _slash(path)

    def goroutines(self, debug: int = 2) -> bytes:
        """``/debug/pprof/goroutine?debug=N``: 2 full stacks, 1 counted, 0 protobuf."""
        url = self.url(goroutine_path(debug))
        expected = "pprof profile" if debug == 0 else "goroutine dump"
        return self._get(url, self.timeout, expected)

    def profile(self, kind: str, seconds: int | None = None) -> bytes:
        """A gzipped pprof profile; ``seconds`` samples CPU or takes a delta profile.

        The request timeout is extended by the sampling time: a 30 s CPU
        profile answers after 30 s by design.
        """
        path, wait = profile_path(kind, seconds)
        return self._get(self.url(path), self.timeout + wait, "pprof profile")

    def metrics(self) -> bytes:
        """The Prometheus text exposition (parse it with :mod:`triage.probes.metrics`)."""
        return self._get(self.url(self.metrics_path), self.timeout, "metrics page")

    def health(self, path: str) -> HealthSample:
        """Probe ``path`` once; every failure is a sample with ``ok=False``, never raised."""
        path = _slash(path)
        url = self.url(path)
        at = self._clock()
        start = time.perf_counter()
        try:
            with self._http.stream("GET", url, timeout=self.health_timeout) as resp:
                head = _read_head(resp)
                status = resp.status_code
                content_type = resp.headers.get("content-type", "")
        except Exception as exc:  # httpx raises many kinds; all are a failed probe
            reason = network_error(url, exc, self.health_timeout).message
            detail = reason.removeprefix(url + ": ")
            return HealthSample(path, False, None, time.perf_counter() - start, detail, at)
        latency = time.perf_counter() - start
        detail = _first_line(head)
        ok = kubelet_success(status)
        if not 200 <= status < 300:
            detail = f"HTTP {status}" + (f": {detail}" if detail else "")
        doubt = _html_doubt(head, content_type) if ok else ""
        if doubt:
            detail = f"HTTP {status}: {doubt}"
        return HealthSample(path, ok, status, latency, detail, at, doubt)

    def health_all(self) -> list[HealthSample]:
        """One sample for each of ``health_paths``, in order."""
        return [self.health(p) for p in self.health_paths]

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> ProbeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, url: str, timeout: float, expected: str) -> bytes:
        payload = fetch(url, timeout=timeout, client=self._http)
        data = bytes(payload.data)
        kind = sniff(data)
        if kind == "empty":
            raise BadInput(f"{url}: empty answer", "is this the service's debug/metrics port?")
        # A proxy or SSO login page answers 200 with HTML; say so here, by URL.
        if kind == "html":
            raise describe_unreadable(url, data, expected)
        return data


def kubelet_success(status: int) -> bool:
    """The kubelet's httpGet verdict: any status from 200 to 399 passes."""
    return 200 <= status < 400


def _html_doubt(head: bytes, content_type: str) -> str:
    """Why a passing body looks like a web page rather than a health answer, or ``""``.

    A Go health handler answers ``ok`` in plain text; an HTML page means a proxy,
    an SSO login or a catch-all route answered instead, and the service behind it
    was never asked. The kubelet would still pass it, so it stays ``ok``: flagged.
    """
    media = content_type.partition(";")[0].strip().lower()
    if sniff(head) == "html" or media == "text/html":
        return "an HTML page (login or proxy?), not the service's answer"
    return ""


def _read_head(resp: httpx.Response) -> bytes:
    """The first few KiB of a health body (enough for its first line)."""
    buf = bytearray()
    for chunk in resp.iter_bytes():
        buf += chunk
        if len(buf) >= _HEALTH_BODY_BYTES:
            break
    return bytes(buf[:_HEALTH_BODY_BYTES])


def _first_line(data: bytes) -> str:
    for line in data.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()[:_DETAIL_CHARS]
    return ""


__all__ = [
    "HEALTH_PATHS",
    "PROFILE_KINDS",
    "Capability",
    "HealthSample",
    "ProbeClient",
    "is_loopback",
    "normalize_base_url",
]
