"""A pod or workload as a source: its crash log, its fleet signature, a port-forward.

Core functions for ``triage analyze pod/NAME|deployment/NAME`` and ``triage
attach pod/NAME`` (wired by the CLI). A reference is anything with kubectl's
parts — ``resource`` (pod, deployment, statefulset, daemonset), ``name``,
``namespace``, ``context``, ``kubeconfig`` — such as ``triage.targets.KubeTarget``.

For a workload, the pod read is the worst one of its selector (kubectl ``logs
deploy/x`` takes the first; a crash report wants the one crashing hardest).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from triage.cluster.kubeconfig import ConnectOptions
from triage.cluster.logs import CrashLog
from triage.cluster.model import pod_crash
from triage.errors import BadInput

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient
    from triage.cluster.crashes import WorkloadReport
    from triage.cluster.endpoints import PodEndpoints
    from triage.cluster.forward import PortForward

JSON = dict[str, Any]
WORKLOADS = {"deployment": "deployments", "statefulset": "statefulsets", "daemonset": "daemonsets"}


class KubeRef(Protocol):
    """What we need of a cluster target (``triage.targets.KubeTarget`` has it)."""

    @property
    def resource(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def namespace(self) -> str | None: ...
    @property
    def context(self) -> str | None: ...
    @property
    def kubeconfig(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class TargetLog:
    """A crash log read for a reference, and which pod/container it came from."""

    data: bytes
    which: str  # previous | current | termination-message
    pod: str
    namespace: str
    container: str
    #: False when ``get pods/log`` was denied (the text is the termination message)
    logs_readable: bool = True

    @property
    def label(self) -> str:
        """``pod/checkout-7d9f-x2 (previous log)``, for titles."""
        words = {"previous": "previous log", "current": "log"}.get(self.which, self.which)
        return f"pod/{self.pod} ({words})"


def open_client(ref: KubeRef) -> KubeClient:
    """Connect with the reference's kubeconfig, context and namespace."""
    from triage.cluster.client import connect

    return connect(ConnectOptions(ref.kubeconfig, ref.context, ref.namespace))


def selector_of(workload: JSON) -> str:
    """``a=b,c=d`` from a workload's ``spec.selector.matchLabels``."""
    labels = ((workload.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not labels:
        raise BadInput("the workload has no matchLabels selector triage can follow")
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def resolve_pod(client: KubeClient, ref: KubeRef) -> JSON:
    """The pod a reference means: itself, or its workload's worst pod."""
    namespace = ref.namespace or client.namespace
    if ref.resource == "pod":
        return client.get("pods", namespace, ref.name)
    plural = WORKLOADS.get(ref.resource)
    if plural is None:
        raise BadInput(f"{ref.resource}/{ref.name}: not a pod or a workload triage reads")
    workload = client.get(plural, namespace, ref.name)
    pods, _ = client.list("pods", namespace, label_selector=selector_of(workload))
    if not pods:
        raise BadInput(
            f"{ref.resource}/{ref.name} in namespace {namespace} has no pods",
            "check its replicas and events (kubectl describe)",
        )
    return min(pods, key=lambda p: pod_crash(p).sort_key())


def read_crash_log(ref: KubeRef, *, container: str | None = None) -> TargetLog:
    """The previous container's log, else the current one, else the termination message
    (least privilege), of the pod the reference means."""
    from triage.cluster import logs

    client = open_client(ref)
    try:
        pod = resolve_pod(client, ref)
        namespace = str((pod.get("metadata") or {}).get("namespace") or client.namespace)
        allowed = logs.logs_allowed(client, namespace)
        got: CrashLog = logs.read_crash_log(client, pod, container=container, logs_allowed=allowed)
    finally:
        client.close()
    name = str((pod.get("metadata") or {}).get("name") or "")
    return TargetLog(got.data, got.which, name, namespace, got.container, allowed)


def workload_report(ref: KubeRef) -> WorkloadReport | None:
    """The crash report of a workload reference (its fleet signature), None if none crash."""
    from triage.cluster.crashes import gather

    plural = WORKLOADS.get(ref.resource)
    if plural is None:
        return None
    client = open_client(ref)
    try:
        namespace = ref.namespace or client.namespace
        workload = client.get(plural, namespace, ref.name)
        report = gather(client, namespace, label_selector=selector_of(workload))
    finally:
        client.close()
    for item in report.workloads:
        if item.ref.name == ref.name and item.ref.kind.lower() == ref.resource:
            return item
    return None


def forward(
    ref: KubeRef, port: int | None = None, *, container: str | None = None
) -> tuple[PortForward, PodEndpoints, KubeClient]:
    """A started port-forward to the pod's pprof port (or ``port``), its endpoints and
    the client (close both when done)."""
    from triage.cluster.forward import forward_pod

    client = open_client(ref)
    try:
        pod = resolve_pod(client, ref)
        fwd, endpoints = forward_pod(client, pod, port, container=container)
    except BaseException:
        client.close()
        raise
    return fwd, endpoints, client
