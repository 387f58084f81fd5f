"""A pod as a live target: its pprof, the kubelet's own probes and /metrics.

:class:`PodFetcher` implements :class:`triage.live.fetcher.Fetcher` (the live
session does not know it is talking to a pod). Each port the pod's spec names
(the pprof port, each HTTP probe's port, the metrics port) is reached through a
loopback port-forward over the API server (:mod:`triage.cluster.forward`, the
websocket protocol of ``kubernetes.stream.portforward``, no kubectl), or, with
``direct``, at ``http://POD_IP:PORT`` from a bastion inside the cluster network.

The health checks are the pod's own HTTP probes (liveness, readiness, startup):
same path and port, each answer judged by the probe's ``timeoutSeconds``, polled
every ``periodSeconds`` and declared failing after ``failureThreshold`` failures
in a row — so the health pane shows what the kubelet sees. Probes that share a
path and port are one check (named by their kinds, judged by the strictest).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from triage.cluster.endpoints import PodEndpoints, Probe, pod_endpoints
from triage.cluster.model import pod_crash
from triage.errors import BadInput, Forbidden, TriageError
from triage.probes.endpoints import Capability

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient
    from triage.cluster.forward import PortForward
    from triage.cluster.source import KubeRef
    from triage.config import Config
    from triage.probes.client import HealthSample, ProbeClient

JSON = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """One HTTP probe of the pod, as the health pane shows and judges it."""

    key: str  # "/healthz (liveness)": what the pane calls it
    path: str
    port: int
    timeout: float
    failure_threshold: int
    period: int


def health_checks(endpoints: PodEndpoints) -> tuple[HealthCheck, ...]:
    """The pod's plain-HTTP probes, one check per (port, path), in probe order."""
    grouped: dict[tuple[int, str], list[Probe]] = {}
    for probe in endpoints.http_probes:
        if probe.scheme.upper() == "HTTP" and probe.port is not None and probe.path:
            grouped.setdefault((probe.port, probe.path), []).append(probe)
    paths = [path for _, path in grouped]
    checks = []
    for (port, path), probes in grouped.items():
        kinds = "/".join(dict.fromkeys(p.kind for p in probes))
        where = f":{port}{path}" if paths.count(path) > 1 else path
        checks.append(
            HealthCheck(
                key=f"{where} ({kinds})",
                path=path,
                port=port,
                timeout=float(min(p.timeout_seconds for p in probes)),
                failure_threshold=min(p.failure_threshold for p in probes),
                period=min(p.period_seconds for p in probes),
            )
        )
    return tuple(checks)


class PodFetcher:
    """pprof, probes and metrics of one pod, each port at its own base URL."""

    def __init__(
        self,
        pod: str,
        endpoints: PodEndpoints,
        bases: dict[int, str],
        *,
        timeout: float = 10.0,
        note: str = "",
        closers: tuple[Callable[[], None], ...] = (),
        forwards: tuple[PortForward, ...] = (),
    ) -> None:
        from triage.probes.client import ProbeClient

        self.pod = pod
        self.endpoints = endpoints
        #: which pod of a workload was chosen, and why ("" for a pod target)
        self.note = note
        self.checks = health_checks(endpoints)
        self._bases = bases
        self._forwards = forwards
        self._closers = closers
        self._clients: list[ProbeClient] = []

        def client(port: int, health_timeout: float = 1.0) -> ProbeClient:
            made = ProbeClient(
                bases[port], timeout=timeout, health_timeout=health_timeout, health_paths=()
            )
            self._clients.append(made)
            return made

        pprof, metrics = endpoints.pprof_port, endpoints.metrics_port
        self._pprof = client(pprof) if pprof is not None else None
        self._metrics = client(metrics) if metrics is not None else None
        self._health = [(check, client(check.port, check.timeout)) for check in self.checks]

    @property
    def label(self) -> str:
        """``pod/NAME``."""
        return f"pod/{self.pod}"

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Goroutines and profiles with a pprof port, health with HTTP probes, metrics."""
        caps: set[Capability] = set()
        if self._pprof is not None:
            caps |= {Capability.GOROUTINES, Capability.PROFILES}
        if self._health:
            caps.add(Capability.HEALTH)
        if self._metrics is not None:
            caps.add(Capability.METRICS)
        return frozenset(caps)

    @property
    def missing(self) -> str:
        """One line saying why goroutines or health cannot be shown ("" when both can)."""
        if self._pprof is None:
            return (
                f"{self.label} declares no pprof, http or debug port: no goroutines or "
                "profiles (annotate the pod triage.dev/pprof-port=PORT)"
            )
        if not self._health:
            return f"{self.label} has no HTTP liveness/readiness/startup probe to repeat"
        return ""

    def session_config(self, config: Config) -> Config:
        """``config`` with the pod's checks as the health paths, polled at the probes'
        period (the per-check thresholds are set by :func:`triage.workspace.pod_session`)."""
        if not self.checks:
            return config
        attach = replace(
            config.attach,
            health_paths=[c.key for c in self.checks],
            failure_threshold=min(c.failure_threshold for c in self.checks),
        )
        refresh = replace(config.refresh, health=float(min(c.period for c in self.checks)))
        return replace(config, attach=attach, refresh=refresh)

    def goroutines(self, debug: int = 2) -> bytes:
        """The pod's goroutine dump."""
        pprof = self._need(self._pprof, "goroutines")
        return self._call(pprof, self.endpoints.pprof_port, lambda: pprof.goroutines(debug))

    def profile(self, kind: str, seconds: int | None = None) -> bytes:
        """A pprof profile of the pod."""
        pprof = self._need(self._pprof, "profiles")
        return self._call(pprof, self.endpoints.pprof_port, lambda: pprof.profile(kind, seconds))

    def metrics(self) -> bytes:
        """The pod's /metrics page."""
        metrics = self._need(self._metrics, "metrics")
        return self._call(metrics, self.endpoints.metrics_port, metrics.metrics)

    def health_all(self) -> list[HealthSample]:
        """Each probe once, named by its check (failures are samples)."""
        return [
            replace(client.health(check.path), path=check.key) for check, client in self._health
        ]

    def close(self) -> None:
        """Close the HTTP clients, the port-forwards and the API client."""
        for client in self._clients:
            client.close()
        for forward in self._forwards:
            forward.close()
        for close in self._closers:
            with contextlib.suppress(Exception):
                close()

    def _need(self, client: ProbeClient | None, what: str) -> ProbeClient:
        if client is None:
            raise BadInput(self.missing or f"{self.label} gives no {what}")
        return client

    def _call(self, client: ProbeClient, port: int | None, fetch: Callable[[], T]) -> T:
        """Errors named by the pod and port, not by the loopback forward; the pod side's
        own answer (the kubelet's "connection refused") when there was one."""
        try:
            return fetch()
        except TriageError as exc:
            exc.message = exc.message.replace(client.base_url, f"{self.label}:{port}")
            pod_side = next((f.last_error for f in self._forwards if f.last_error), None)
            if pod_side:
                exc.message = f"{self.label}:{port}: {pod_side}"
            raise


def live_pod(client: KubeClient, ref: KubeRef) -> tuple[JSON, str]:
    """The pod to take live data from, and a note saying which (for a workload).

    A pod reference is itself. For a workload it is the healthiest running replica
    (ready, fewest restarts): the crashing one is dead or restarting, a sibling
    runs the same code and shows the state that leads to the crash.
    """
    from triage.cluster.source import WORKLOADS, selector_of

    namespace = ref.namespace or client.namespace
    if ref.resource == "pod":
        return client.get("pods", namespace, ref.name), ""
    plural = WORKLOADS.get(ref.resource)
    if plural is None:
        raise BadInput(f"{ref.resource}/{ref.name}: not a pod or a workload triage reads")
    workload = client.get(plural, namespace, ref.name)
    pods, _ = client.list("pods", namespace, label_selector=selector_of(workload))
    running = [p for p in pods if (p.get("status") or {}).get("phase") == "Running"]
    if not running:
        raise BadInput(
            f"{ref.resource}/{ref.name} in namespace {namespace} has no running pod to attach to",
            f"its crash is still readable: triage analyze {ref.resource}/{ref.name}",
        )
    crashes = {id(p): pod_crash(p) for p in pods}
    best = max(
        running,
        key=lambda p: (crashes[id(p)].ready, crashes[id(p)].rank, -crashes[id(p)].restarts),
    )
    worst = min(pods, key=lambda p: crashes[id(p)].sort_key())
    name = crashes[id(best)].name
    note = f"{ref.resource}/{ref.name}: live data from pod/{name}, its healthiest running replica"
    if worst is not best and crashes[id(worst)].crashing:
        note += f" (the crash is from pod/{crashes[id(worst)].name})"
    return best, note


def open_pod_fetcher(ref: KubeRef, *, timeout: float = 10.0, direct: bool = False) -> PodFetcher:
    """Connect, choose the pod, check port-forward is allowed, and open the fetcher.

    Blocks on the API server (call it from a worker thread). Raises Forbidden when
    ``pods/portforward`` is denied, naming the permission, so the caller can say
    in one line why there is no live data while the crash log still shows.
    """
    from triage.cluster.source import open_client

    client = open_client(ref)
    try:
        pod, note = live_pod(client, ref)
        endpoints = pod_endpoints(pod)
        meta = pod.get("metadata") or {}
        name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
        ports = _ports(endpoints)
        if direct:
            client.close()
            return PodFetcher(
                name, endpoints, _direct_bases(pod, name, ports), timeout=timeout, note=note
            )
        if ports:
            _check_port_forward(client, name, namespace)
        forwards = _forwards(client, namespace, name, ports)
    except BaseException:
        client.close()
        raise
    return PodFetcher(
        name,
        endpoints,
        {port: fwd.url for port, fwd in zip(ports, forwards, strict=True)},
        timeout=timeout,
        note=note,
        closers=(client.close,),
        forwards=tuple(forwards),
    )


def _ports(endpoints: PodEndpoints) -> list[int]:
    """Every port the fetcher talks to, without repeats."""
    wanted = [endpoints.pprof_port, endpoints.metrics_port]
    wanted += [c.port for c in health_checks(endpoints)]
    return list(dict.fromkeys(p for p in wanted if p is not None))


def _direct_bases(pod: JSON, name: str, ports: list[int]) -> dict[int, str]:
    ip = str((pod.get("status") or {}).get("podIP") or "")
    if not ip:
        raise BadInput(f"pod/{name} has no IP yet", "wait until it is scheduled and running")
    host = f"[{ip}]" if ":" in ip else ip
    return {port: f"http://{host}:{port}" for port in ports}


def _check_port_forward(client: KubeClient, name: str, namespace: str) -> None:
    """One SelfSubjectAccessReview per verb (a websocket upgrade is ``create`` since
    Kubernetes 1.35, ``get`` before); a review that fails counts as allowed."""
    for verb in ("get", "create"):
        try:
            allowed = client.can_i(verb, "pods", namespace, subresource="portforward").allowed
        except TriageError:
            continue
        if not allowed:
            raise Forbidden(
                f"pod/{name}: live pprof, health and metrics need `get` and `create` on "
                f"pods/portforward in namespace {namespace}",
                "ask for them, or use `triage attach --direct` from inside the cluster network",
            )


def _forwards(client: KubeClient, namespace: str, name: str, ports: list[int]) -> list[PortForward]:
    from triage.cluster.forward import PortForward

    started: list[PortForward] = []
    try:
        for port in ports:

            def remote(port: int = port) -> Any:
                return client.open_port(namespace, name, port)

            started.append(PortForward(remote).start())
    except BaseException:
        for fwd in started:
            fwd.close()
        raise
    return started
