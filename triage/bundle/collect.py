"""Gather a bundle of a pod or workload through :mod:`triage.cluster`, each part optional.

Only finding the pod is required (no pod, no bundle: the error says why, exit 2/3/4).
Every other part — an object, events, a log, the goroutine dump, a profile,
metrics — is tried on its own; a refusal (403 on logs, no port-forward, no pprof
port) is written into the manifest's ``failed`` list with its one-line reason, and
the bundle is still written. The crash is read as ``triage analyze`` reads it
(previous log, else current, else the termination message), so a viewer who may
read neither logs nor port-forward still gets the crash and the findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from triage import __version__
from triage.bundle import parts
from triage.bundle.archive import FORMAT, Bundle
from triage.errors import TriageError

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient
    from triage.cluster.source import KubeRef

JSON = dict[str, Any]
Progress = Callable[[str], None]
T = TypeVar("T")
#: what cannot be collected through /debug/pprof at all, said once in every manifest
SKIPPED = {
    "buildinfo": "the binary's build info needs the executable; /debug/pprof does not serve "
    "it (open the binary with --binary)",
}


@dataclass(frozen=True, slots=True)
class Options:
    """``triage bundle``'s knobs."""

    cpu_seconds: int = 10
    #: above this many goroutines the dump is taken with debug=1 (counted stacks)
    debug1_above: int = 10_000
    timeout: float = 10.0


class Collector:
    """The files gathered so far and what failed, with why."""

    def __init__(self, progress: Progress | None) -> None:
        self.files: dict[str, bytes] = {}
        self.failed: list[JSON] = []
        self.notes: list[str] = []
        self._progress = progress or (lambda _text: None)

    def step(self, text: str) -> None:
        """Say what is being collected (the CLI prints it, the app shows it)."""
        self._progress(text)

    def take(self, part: str, fetch: Callable[[], T]) -> T | None:
        """Run one part; a TriageError is recorded as failed, never raised."""
        try:
            return fetch()
        except TriageError as exc:
            self.failed.append({"part": part, "reason": exc.line()})
            return None

    def put(self, path: str, data: bytes | str) -> None:
        """Keep one file."""
        self.files[path] = data.encode() if isinstance(data, str) else data


def collect(
    ref: KubeRef, options: Options | None = None, progress: Progress | None = None
) -> Bundle:
    """Everything we may read of ``ref``'s pod, as a bundle ready to write."""
    from triage.cluster.source import open_client, resolve_pod

    options = options or Options()
    out = Collector(progress)
    started = datetime.now(UTC)
    client = open_client(ref)
    try:
        out.step("reading the pod")
        pod = resolve_pod(client, ref)
        identity = whoami(client)
        meta = pod.get("metadata") or {}
        namespace = str(meta.get("namespace") or client.namespace)
        workload = parts.objects(client, out, pod, namespace)
        parts.events(client, out, pod, workload, namespace)
        parts.logs(client, out, pod, namespace)
        parts.crash(client, out, pod, namespace, str(meta.get("name") or ""))
        if workload is not None:
            parts.signature(client, out, workload, namespace)
        context, server = client.context, client.server
    finally:
        client.close()
    live_pod = parts.live(ref, out, options)
    manifest: JSON = {
        "format": FORMAT,
        "triage_version": __version__,
        "created_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "target": f"{ref.resource}/{ref.name}",
        "context": context,
        "server": server,
        "namespace": namespace,
        "pod": str(meta.get("name") or ""),
        "live_pod": live_pod,
        "by": identity,
        "options": {"cpu_seconds": options.cpu_seconds, "debug1_above": options.debug1_above},
        "files": {path: len(data) for path, data in sorted(out.files.items())},
        "failed": out.failed,
        "skipped": SKIPPED,
        "notes": out.notes,
    }
    return Bundle(manifest, out.files)


def whoami(client: KubeClient) -> str:
    """SelfSubjectReview's username (Kubernetes >= 1.28), else the kubeconfig's user."""
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    try:
        status, doc = client.send(
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            "asking who we are",
            body=body,
        )
    except TriageError:
        status, doc = 0, None
    if status < 300 and isinstance(doc, dict):
        name = str(((doc.get("status") or {}).get("userInfo") or {}).get("username") or "")
        if name:
            return name
    return kubeconfig_user(client) or f"unknown user of context {client.context}"


def kubeconfig_user(client: KubeClient) -> str:
    """The user the kubeconfig's context names (``alice (kubeconfig)``), or ""."""
    from triage.cluster.kubeconfig import read_config
    from triage.errors import BadInput

    for path in client.selection.paths:
        try:
            doc = read_config(path)
        except BadInput:
            continue
        for entry in doc.get("contexts") or []:
            if isinstance(entry, dict) and entry.get("name") == client.context:
                user = (entry.get("context") or {}).get("user")
                if user:
                    return f"{user} (kubeconfig)"
    return ""
