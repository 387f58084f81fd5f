"""The crash model: what a pod's JSON says about its containers dying (pure, no I/O).

Everything here reads plain dicts shaped as the API server sends them (``GET
/api/v1/.../pods`` items) and returns frozen dataclasses, so the cluster screen,
``triage crashes`` and the tests share one reading of ``containerStatuses``:
waiting reason, last termination (reason, exit code and what it means, signal,
finishedAt, message), restarts, readiness, owner and ``pod-template-hash``.

Restarts "in the last hour" are derived from one pod object, which keeps no
restart history, so the figure is exact only in two cases and a lower bound
otherwise: a pod created less than an hour ago restarted ``restartCount`` times
in that hour; a container whose last termination finished more than an hour
ago (and is not dead now) restarted 0 times in it; in between we only know the
last termination fell inside the hour, so at least 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from triage.cluster.jsonshape import at, objs

JSON = dict[str, Any]

HOUR = timedelta(hours=1)

#: exit codes with a meaning for a Go service (Go exits 2 on panic and fatal error)
EXIT_MEANINGS: dict[int, str] = {
    0: "exited normally",
    1: "error exit (os.Exit(1) or log.Fatal)",
    2: "Go panic or fatal error",
    66: "data race found (a -race build exits 66)",
    126: "command not executable",
    127: "command not found",
    134: "abort (SIGABRT, e.g. GOTRACEBACK=crash)",
    137: "killed by SIGKILL (OOM killer or kill -9)",
    139: "segmentation fault outside Go (SIGSEGV)",
    143: "terminated by SIGTERM (asked to stop)",
}

_SIGNAL_NAMES = {
    1: "SIGHUP",
    2: "SIGINT",
    3: "SIGQUIT",
    4: "SIGILL",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    11: "SIGSEGV",
    13: "SIGPIPE",
    15: "SIGTERM",
}

#: waiting reasons, worst first; anything else that is not benign ranks after them
_BAD_WAITING = (
    "CrashLoopBackOff",
    "RunContainerError",
    "CreateContainerError",
    "CreateContainerConfigError",
    "InvalidImageName",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
)
_BENIGN_WAITING = frozenset({"ContainerCreating", "PodInitializing", ""})


def exit_meaning(code: int | None) -> str:
    """What an exit code says about how a container ended ("" if nothing known)."""
    if code is None:
        return ""
    if code in EXIT_MEANINGS:
        return EXIT_MEANINGS[code]
    if 128 < code < 160:
        return f"killed by {signal_name(code - 128)}"
    return "error exit"


def signal_name(number: int | None) -> str | None:
    """``SIGKILL`` for 9; ``signal 42`` for the unnamed."""
    if number is None:
        return None
    return _SIGNAL_NAMES.get(number, f"signal {number}")


def parse_time(value: object) -> datetime | None:
    """An RFC 3339 timestamp as the API writes it, or None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Termination:
    """A container's end: ``state.terminated`` or ``lastState.terminated``."""

    reason: str
    exit_code: int | None
    signal: str | None
    finished_at: datetime | None
    message: str

    @property
    def meaning(self) -> str:
        """What the exit code means (OOMKilled beats the code: the kernel killed it)."""
        if self.reason == "OOMKilled":
            return "out of memory: killed by the kernel's OOM killer"
        return exit_meaning(self.exit_code)

    def as_json(self) -> JSON:
        """The ``last_termination`` object of the ``triage crashes --json`` contract."""
        return {
            "reason": self.reason,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "finished_at": _iso(self.finished_at),
            "message": self.message,
            "meaning": self.meaning,
        }


@dataclass(frozen=True, slots=True)
class RecentRestarts:
    """Restarts in the last hour; ``exact`` False means "at least ``count``"."""

    count: int
    exact: bool

    def __str__(self) -> str:
        return str(self.count) if self.exact else f">={self.count}"


@dataclass(frozen=True, slots=True)
class ContainerCrash:
    """One container's crash signals."""

    name: str
    ready: bool
    restarts: int
    waiting_reason: str
    waiting_message: str
    #: set while the container is dead now (``state.terminated``)
    terminated: Termination | None
    #: the previous run's end (``lastState.terminated``)
    last: Termination | None
    init: bool = False

    @property
    def worst_termination(self) -> Termination | None:
        """The termination worth showing: the current one if dead, else the last."""
        return self.terminated or self.last


@dataclass(frozen=True, slots=True)
class PodCrash:
    """A pod's crash signals, read once from its JSON."""

    namespace: str
    name: str
    node: str
    phase: str
    created: datetime | None
    containers: tuple[ContainerCrash, ...]
    owner_kind: str
    owner_name: str
    template_hash: str
    revision_hash: str
    recent: RecentRestarts
    #: when the pod was read: "within the hour" is relative to it
    observed: datetime

    @property
    def ready(self) -> bool:
        """Every app container ready (what the READY column's n/n means)."""
        apps = [c for c in self.containers if not c.init]
        return bool(apps) and all(c.ready for c in apps)

    @property
    def ready_text(self) -> str:
        """``1/2`` as kubectl prints it."""
        apps = [c for c in self.containers if not c.init]
        return f"{sum(c.ready for c in apps)}/{len(apps)}"

    @property
    def restarts(self) -> int:
        """Total restarts of every container."""
        return sum(c.restarts for c in self.containers)

    @property
    def worst(self) -> ContainerCrash | None:
        """The container that best explains the pod's trouble."""
        if not self.containers:
            return None
        return min(self.containers, key=lambda c: _container_rank(c, self.observed))

    @property
    def reason(self) -> str:
        """The waiting reason (CrashLoopBackOff...), else the dead container's reason."""
        worst = self.worst
        if worst is None:
            return self.phase if self.phase in ("Failed", "Unknown") else ""
        if worst.waiting_reason:
            return worst.waiting_reason
        if worst.terminated is not None:
            return worst.terminated.reason or "Terminated"
        return ""

    @property
    def last_termination(self) -> Termination | None:
        """The termination of the worst container."""
        worst = self.worst
        return worst.worst_termination if worst is not None else None

    @property
    def crashing(self) -> bool:
        """True when the pod is dying now or died within the hour (what `crashes` lists)."""
        return self.rank < 4

    @property
    def rank(self) -> int:
        """0 crash-looping or dead, 1 cannot start, 2 restarted in the hour, 3 failed, 4 fine."""
        worst = self.worst
        if worst is None:
            return 3 if self.phase == "Failed" else 4
        rank = _container_rank(worst, self.observed)[0]
        return min(rank, 3) if self.phase == "Failed" else rank

    def sort_key(self) -> tuple[int, int, int, str, str]:
        """Worst first: rank, then most recent restarts, then most restarts."""
        return (self.rank, -self.recent.count, -self.restarts, self.namespace, self.name)


def _container_rank(c: ContainerCrash, now: datetime) -> tuple[int, int]:
    reason = c.waiting_reason
    if reason == "CrashLoopBackOff" or (
        c.terminated is not None and c.terminated.exit_code not in (0, None)
    ):
        return (0, -c.restarts)
    if reason and reason not in _BENIGN_WAITING:
        return (1, -c.restarts)
    if c.restarts and not c.ready:
        return (2, -c.restarts)
    if c.restarts and c.last is not None:
        return (2 if _within_hour(c.last.finished_at, now) else 4, -c.restarts)
    return (4, 0)


def _within_hour(when: datetime | None, now: datetime) -> bool:
    return when is not None and now - when <= HOUR


def termination(raw: object) -> Termination | None:
    """Read a ``terminated`` state dict."""
    if not isinstance(raw, dict):
        return None
    code = raw.get("exitCode")
    code = code if isinstance(code, int) else None
    sig = raw.get("signal")
    sig_name = signal_name(sig) if isinstance(sig, int) and sig else None
    if sig_name is None and code is not None and 128 < code < 160:
        sig_name = signal_name(code - 128)
    return Termination(
        reason=str(raw.get("reason") or ""),
        exit_code=code,
        signal=sig_name,
        finished_at=parse_time(raw.get("finishedAt")),
        message=str(raw.get("message") or ""),
    )


def container_crash(status: JSON, *, init: bool = False) -> ContainerCrash:
    """Read one entry of ``containerStatuses``."""
    state = at(status, "state")
    last_state = at(status, "lastState")
    waiting = at(state, "waiting")
    restarts = status.get("restartCount")
    return ContainerCrash(
        name=str(status.get("name") or ""),
        ready=bool(status.get("ready")),
        restarts=restarts if isinstance(restarts, int) else 0,
        waiting_reason=str(waiting.get("reason") or ""),
        waiting_message=str(waiting.get("message") or ""),
        terminated=termination(state.get("terminated")),
        last=termination(last_state.get("terminated")),
        init=init,
    )


def pod_crash(pod: JSON, now: datetime | None = None) -> PodCrash:
    """Read a pod's crash signals; ``now`` fixes the clock for tests."""
    now = now or datetime.now(UTC)
    meta = at(pod, "metadata")
    spec = at(pod, "spec")
    status = at(pod, "status")
    containers = tuple(
        [container_crash(s, init=True) for s in objs(status.get("initContainerStatuses"))]
        + [container_crash(s) for s in objs(status.get("containerStatuses"))]
    )
    labels = at(meta, "labels")
    owner = _controller(meta)
    created = parse_time(meta.get("creationTimestamp"))
    return PodCrash(
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        node=str(spec.get("nodeName") or ""),
        phase=str(status.get("phase") or ""),
        created=created,
        containers=containers,
        owner_kind=str(owner.get("kind") or ""),
        owner_name=str(owner.get("name") or ""),
        template_hash=str(labels.get("pod-template-hash") or ""),
        revision_hash=str(labels.get("controller-revision-hash") or ""),
        recent=recent_restarts(containers, created, now),
        observed=now,
    )


def recent_restarts(
    containers: tuple[ContainerCrash, ...], created: datetime | None, now: datetime
) -> RecentRestarts:
    """Restarts in the last hour, exact where one pod object allows it (module doc)."""
    total = sum(c.restarts for c in containers)
    if created is not None and now - created <= HOUR:
        return RecentRestarts(total, True)
    count = 0
    exact = True
    for c in containers:
        if not c.restarts:
            continue
        finished = c.last.finished_at if c.last is not None else None
        if finished is not None and now - finished <= HOUR:
            count += 1
            exact = False
        elif finished is None:
            exact = False
    return RecentRestarts(count, exact)


def _controller(meta: JSON) -> JSON:
    refs = objs(meta.get("ownerReferences"))
    for ref in refs:
        if ref.get("controller"):
            return ref
    return refs[0] if refs else {}


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
