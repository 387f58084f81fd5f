"""A Deployment's revisions, as ``kubectl rollout history`` plus what their pods did.

Each row: revision, age, images, change-cause, and the pods the revision's
ReplicaSet has now (ready, restarts). A revision *ran clean* when it has
pods, all ready, none restarted, the youngest started at least ``clean_for``
seconds ago; the **last good** revision is the newest that ran clean. A
revision scaled to zero has no pods left to judge, so it is never marked (a
mark is a fact seen, not a guess). The **anchor** is the operator's own mark
(:mod:`triage.actions.anchor`), shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from triage.actions import paths
from triage.actions.anchor import is_anchor
from triage.actions.executor import Executor
from triage.actions.model import JSON
from triage.actions.rollback import controlled_by, revision_of

CHANGE_CAUSE = "kubernetes.io/change-cause"


@dataclass(slots=True)
class RevisionRow:
    """One revision of a Deployment."""

    revision: int
    replicaset: str
    age_seconds: float | None
    images: list[str]
    change_cause: str
    current: bool = False
    pods: int = 0
    ready: int = 0
    restarts: int = 0
    #: seconds since the youngest pod started (None without pods)
    youngest: float | None = None
    clean: bool = False
    #: an operator marked it as known good (the rollback anchor)
    anchor: bool = False
    notes: list[str] = field(default_factory=list)


def _seconds_since(stamp: str | None, now: datetime) -> float | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (now - when).total_seconds()


def _pod_facts(pod: JSON, now: datetime) -> tuple[bool, int, float | None]:
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    ready = bool(statuses) and all(c.get("ready") for c in statuses)
    restarts = sum(int(c.get("restartCount") or 0) for c in statuses)
    return ready, restarts, _seconds_since(status.get("startTime"), now)


def rows(
    deployment: JSON, replicasets: list[JSON], pods: list[JSON], clean_for: float, now: datetime
) -> list[RevisionRow]:
    """The revisions, newest first (pure: objects in)."""
    uid = deployment["metadata"]["uid"]
    current = revision_of({"metadata": deployment["metadata"]})
    out: list[RevisionRow] = []
    for rs in replicasets:
        rev = revision_of(rs)
        if rev is None or not controlled_by(rs, uid):
            continue
        meta = rs["metadata"]
        containers = ((rs.get("spec") or {}).get("template") or {}).get("spec") or {}
        row = RevisionRow(
            rev,
            meta["name"],
            _seconds_since(meta.get("creationTimestamp"), now),
            [str(c.get("image", "?")) for c in containers.get("containers") or []],
            str((meta.get("annotations") or {}).get(CHANGE_CAUSE) or ""),
            current=rev == current,
            anchor=is_anchor(rs),
        )
        for pod in pods:
            if not controlled_by(pod, meta["uid"]):
                continue
            ready, restarts, started = _pod_facts(pod, now)
            row.pods += 1
            row.ready += ready
            row.restarts += restarts
            if started is not None:
                row.youngest = started if row.youngest is None else min(row.youngest, started)
        row.clean = (
            row.pods > 0
            and row.ready == row.pods
            and row.restarts == 0
            and row.youngest is not None
            and row.youngest >= clean_for
        )
        out.append(row)
    out.sort(key=lambda r: r.revision, reverse=True)
    return out


def last_good(table: list[RevisionRow]) -> int | None:
    """The newest revision that ran clean."""
    return next((r.revision for r in table if r.clean), None)


def read(ex: Executor, namespace: str, name: str, clean_for: float) -> list[RevisionRow]:
    """Read the Deployment, its ReplicaSets and pods; the table."""
    dep = ex.read(paths.path("deployments", namespace, name))
    selector = (("labelSelector", paths.selector_text((dep.get("spec") or {}).get("selector"))),)
    sets = ex.read(paths.path("replicasets", namespace), selector).get("items") or []
    pods = ex.read(paths.path("pods", namespace), selector).get("items") or []
    return rows(dep, sets, pods, clean_for, datetime.now(UTC))


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def render(table: list[RevisionRow]) -> str:
    """The table as text, the last good revision marked in words (not colour)."""
    good = last_good(table)
    lines = [
        f"{'REVISION':<9} {'AGE':<5} {'PODS':<5} {'RESTARTS':<9} {'MARK':<26} IMAGES  CHANGE-CAUSE"
    ]
    for r in table:
        mark = "last good" if r.revision == good else ("crashing" if r.restarts else "")
        if r.anchor:
            mark = (mark + ", anchor").lstrip(", ")
        if r.current:
            mark = (mark + ", current").lstrip(", ")
        pods = f"{r.ready}/{r.pods}"
        lines.append(
            f"{r.revision:<9} {_age(r.age_seconds):<5} {pods:<5} {r.restarts:<9} {mark:<26} "
            f"{', '.join(r.images)}  {r.change_cause}".rstrip()
        )
    return "\n".join(lines) + "\n"
