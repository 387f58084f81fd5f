"""A pod as a source of crash text: previous log, else current, else termination message.

``kubectl logs --previous`` is where a crash-looping Go service's panic lives.
When it is missing (the container never restarted: the API server answers 400)
the current log is read. When logs are not ours to read (no ``get pods/log``)
or hold nothing, the container's ``lastState.terminated.message`` is the last
resort: the kubelet keeps at most 4096 bytes there (the service's termination
message file, or the log's tail under ``FallbackToLogsOnError``), so a partial
traceback is normal and the engine still names the crash when the panic line
survived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from triage.cluster.jsonshape import at
from triage.cluster.model import ContainerCrash, pod_crash
from triage.errors import BadInput, Forbidden, TriageError

if TYPE_CHECKING:  # the client is passed in; its kubernetes import stays lazy
    from triage.cluster.client import KubeClient

JSON = dict[str, Any]
Which = Literal["previous", "current", "termination-message"]


def logs_allowed(client: KubeClient, namespace: str | None) -> bool:
    """One SelfSubjectAccessReview: may we ``get pods/log``? (unknown counts as yes:
    the read itself will then say 403 and we fall back per pod)."""
    try:
        return bool(client.can_i("get", "pods", namespace, subresource="log").allowed)
    except TriageError:
        return True


@dataclass(frozen=True, slots=True)
class CrashLog:
    """The text a crash was read from and where it came from."""

    data: bytes
    which: Which
    container: str


def crash_container(pod: JSON, container: str | None = None) -> ContainerCrash | None:
    """The container to read: the one asked for, else the worst one of the pod."""
    crash = pod_crash(pod)
    if container is not None:
        return next((c for c in crash.containers if c.name == container), None)
    return crash.worst


def termination_message(pod: JSON, container: str | None = None) -> bytes:
    """The chosen container's termination message (current death first), or b""."""
    chosen = crash_container(pod, container)
    if chosen is None:
        return b""
    term = chosen.worst_termination
    return term.message.encode() if term is not None and term.message else b""


def read_crash_log(
    reader: KubeClient,
    pod: JSON,
    *,
    container: str | None = None,
    logs_allowed: bool = True,
    tail_lines: int | None = None,
) -> CrashLog:
    """Read the best crash text of ``pod`` (its JSON), as the module doc orders it.

    ``tail_lines`` bounds each log read to its end (where a crash is printed),
    for reports that read many pods. Raises BadInput when nothing holds text,
    Forbidden when logs are refused and there is no termination message either.
    """
    meta = at(pod, "metadata")
    namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    chosen = crash_container(pod, container)
    cname = chosen.name if chosen is not None else (container or "")
    refused: Forbidden | None = None
    if logs_allowed:
        try:
            return _from_logs(reader, namespace, name, cname, tail_lines)
        except Forbidden as exc:
            refused = exc
        except _Empty:
            pass
    message = termination_message(pod, cname or None)
    if message:
        return CrashLog(message, "termination-message", cname)
    if refused is not None:
        raise refused
    if not logs_allowed:
        raise Forbidden(
            f"pod {name}: no termination message (and logs are not readable)",
            "reading logs needs `get pods/log` in namespace " + namespace,
        )
    raise BadInput(f"pod {name}: its log and termination message are empty")


class _Empty(Exception):
    """Both logs were empty."""


def _from_logs(
    reader: KubeClient, namespace: str, name: str, container: str, tail: int | None
) -> CrashLog:
    cont = container or None
    try:
        data = reader.read_log(namespace, name, container=cont, previous=True, tail_lines=tail)
    except BadInput:
        data = b""  # no previous container (400), or it was garbage-collected
    if data.strip():
        return CrashLog(data, "previous", container)
    data = reader.read_log(namespace, name, container=cont, tail_lines=tail)
    if data.strip():
        return CrashLog(data, "current", container)
    raise _Empty
