"""Where a pod serves pprof, health and metrics, read from its spec (pure).

The pprof port is, in order: the annotation ``triage.dev/pprof-port`` (a number or
a container port name), a container port named ``pprof`` or ``debug``, then one
named ``http``/``metrics`` (net/http/pprof usually shares the service's mux). The
probes are typed as the kubelet runs them (path, port, scheme, period, timeout,
failureThreshold), so the health pane can check exactly what the kubelet checks and
judge it by the same threshold. A probe's named port is resolved against the
container's ports, as the kubelet does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage.cluster.jsonshape import at, objs

JSON = dict[str, Any]

PPROF_ANNOTATION = "triage.dev/pprof-port"
_PPROF_NAMES = ("pprof", "debug")
_HTTP_NAMES = ("http", "metrics", "http-metrics", "web")


@dataclass(frozen=True, slots=True)
class Probe:
    """One kubelet probe of a container (defaults as the API server fills them)."""

    kind: str  # liveness | readiness | startup
    container: str
    path: str | None  # None: not an HTTP probe (tcpSocket, exec, grpc)
    port: int | None
    scheme: str
    period_seconds: int
    timeout_seconds: int
    failure_threshold: int
    success_threshold: int
    initial_delay_seconds: int


@dataclass(frozen=True, slots=True)
class PodEndpoints:
    """A pod's debug surface: container ports by name, the pprof port, the probes."""

    ports: dict[str, int]
    pprof_port: int | None
    metrics_port: int | None
    probes: tuple[Probe, ...]

    @property
    def http_probes(self) -> tuple[Probe, ...]:
        """Probes an HTTP client can repeat (httpGet ones)."""
        return tuple(p for p in self.probes if p.path is not None and p.port is not None)

    def health_paths(self, port: int | None = None) -> tuple[str, ...]:
        """The HTTP probe paths served on ``port`` (default: the pprof port), in probe
        order without repeats: what a health pane on that port-forward should check."""
        wanted = self.pprof_port if port is None else port
        paths: list[str] = []
        for probe in self.http_probes:
            same = probe.port == wanted and probe.scheme.upper() == "HTTP"
            if same and probe.path and probe.path not in paths:
                paths.append(probe.path)
        return tuple(paths)


def _num(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _resolve(port: object, named: dict[str, int]) -> int | None:
    """A probe or annotation port: a number, a numeric string, or a container port name."""
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    if isinstance(port, str):
        text = port.strip()
        if text.isdigit():
            return int(text)
        return named.get(text)
    return None


def _probe(kind: str, container: str, raw: JSON, named: dict[str, int]) -> Probe:
    http = raw.get("httpGet")
    path = port = None
    scheme = "HTTP"
    if isinstance(http, dict):
        path = str(http.get("path") or "/")
        port = _resolve(http.get("port"), named)
        scheme = str(http.get("scheme") or "HTTP")
    return Probe(
        kind=kind,
        container=container,
        path=path,
        port=port,
        scheme=scheme,
        period_seconds=_num(raw.get("periodSeconds"), 10),
        timeout_seconds=_num(raw.get("timeoutSeconds"), 1),
        failure_threshold=_num(raw.get("failureThreshold"), 3),
        success_threshold=_num(raw.get("successThreshold"), 1),
        initial_delay_seconds=_num(raw.get("initialDelaySeconds"), 0),
    )


def pod_endpoints(pod: JSON, container: str | None = None) -> PodEndpoints:
    """Read the ports and probes of ``container`` (default: every container, first wins)."""
    spec = at(pod, "spec")
    containers = [
        c for c in objs(spec.get("containers")) if container is None or c.get("name") == container
    ]
    named: dict[str, int] = {}
    for c in containers:
        for p in objs(c.get("ports")):
            if isinstance(p.get("containerPort"), int):
                named.setdefault(str(p.get("name") or p["containerPort"]), p["containerPort"])
    probes: list[Probe] = []
    for c in containers:
        own = {
            str(p.get("name")): p["containerPort"]
            for p in objs(c.get("ports"))
            if p.get("name") and isinstance(p.get("containerPort"), int)
        }
        for kind in ("liveness", "readiness", "startup"):
            raw = c.get(f"{kind}Probe")
            if isinstance(raw, dict):
                probes.append(_probe(kind, str(c.get("name") or ""), raw, own))
    annotations = at(pod, "metadata", "annotations")
    pprof = _resolve(annotations.get(PPROF_ANNOTATION), named)
    if pprof is None:
        pprof = _first(named, _PPROF_NAMES) or _first(named, _HTTP_NAMES)
    if pprof is None:
        pprof = next((p.port for p in probes if p.port is not None and p.path), None)
    metrics = _first(named, ("metrics", "http-metrics")) or _first(named, _HTTP_NAMES) or pprof
    return PodEndpoints(named, pprof, metrics, tuple(probes))


def _first(named: dict[str, int], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in named:
            return named[name]
    return None
