"""What the cluster screen proposes for a workload or a node (pure: views in, suggestions out).

The rules live in :mod:`triage.actions.suggest`; this module only feeds them
the facts the watch already holds, so a proposal costs no request: the
revisions come from the pods that run them (a revision with pods, none
restarted, "has no crash on record"), OOMKilled from the pods' last
terminations and the memory limit from their spec, and a node's fate from
every pod the screen knows on it. The history read (ages, the last good mark,
the anchor) happens when the user acts, in the action's own plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from triage.actions.history import RevisionRow
from triage.actions.suggest import Suggestion, node, oom, rollback
from triage.ui.cluster_model import PodView, WorkloadView


def revision_table(pods: Iterable[PodView], known: Iterable[int] = ()) -> list[RevisionRow]:
    """One row per revision: those with pods now, and the ``known`` ones (from the
    workload's ReplicaSets) with none. No age is known here, so none is called clean."""
    rows: dict[int, RevisionRow] = {r: RevisionRow(r, "", None, [], "") for r in known}
    for pod in pods:
        if pod.revision is None:
            continue
        row = rows.setdefault(pod.revision, RevisionRow(pod.revision, "", None, [], ""))
        row.pods += 1
        row.ready += pod.crash.ready
        row.restarts += pod.crash.restarts
    return sorted(rows.values(), key=lambda r: r.revision, reverse=True)


def _oomkilled(pod: PodView) -> str | None:
    """The name of a container the kernel killed for memory, if any."""
    for c in pod.crash.containers:
        term = c.worst_termination
        if term is not None and term.reason == "OOMKilled":
            return c.name
    return None


def _memory_limit(pod: PodView, container: str) -> str | None:
    for c in (pod.raw.get("spec") or {}).get("containers") or []:
        if c.get("name") == container:
            limits = (c.get("resources") or {}).get("limits") or {}
            value = limits.get("memory")
            return str(value) if value else None
    return None


def for_workload(view: WorkloadView, known: Iterable[int] = ()) -> list[Suggestion]:
    """The proposals for one workload, the most useful first (rollback before a patch);
    ``known``: the revisions its ReplicaSets name."""
    ref = view.ref
    target = f"{ref.kind.lower()}/{ref.name}"
    out: list[Suggestion] = []
    if view.signature is not None and ref.kind == "Deployment":
        found = rollback(target, view.signature.since_revision, revision_table(view.pods, known))
        if found is not None:
            out.append(found)
    for pod in view.pods:
        container = _oomkilled(pod)
        if container is not None:
            out.extend(oom(target, container, _memory_limit(pod, container)))
            break
    return out


def for_nodes(workloads: Iterable[WorkloadView]) -> dict[str, list[Suggestion]]:
    """Cordon/drain proposals per node whose every pod fails while its workloads run
    elsewhere."""
    on_node: dict[str, list[tuple[PodView, WorkloadView]]] = defaultdict(list)
    views = list(workloads)
    for view in views:
        for pod in view.pods:
            if pod.crash.node:
                on_node[pod.crash.node].append((pod, view))
    out: dict[str, list[Suggestion]] = {}
    for name, pods in on_node.items():
        failing = sum(1 for pod, _ in pods if pod.crash.rank < 4)
        elsewhere = all(
            any(p.crash.node != name and p.crash.rank == 4 for p in view.pods) for _, view in pods
        )
        found = node(name, len(pods), failing, elsewhere)
        if found:
            out[name] = found
    return out


def known_revisions(
    replicasets: dict[tuple[str, str], tuple[str, int | None]],
) -> dict[tuple[str, str], set[int]]:
    """(namespace, deployment) -> the revisions of its ReplicaSets (one pass)."""
    out: dict[tuple[str, str], set[int]] = defaultdict(set)
    for (namespace, _), (owner, revision) in replicasets.items():
        if owner and revision is not None:
            out[(namespace, owner)].add(revision)
    return out


def first_for(
    view: WorkloadView,
    workloads: Iterable[WorkloadView],
    known: dict[tuple[str, str], set[int]] | None = None,
) -> Suggestion | None:
    """The suggestion shown for a workload: its own first, else its failing node's."""
    ref = view.ref
    revisions = (
        (known or {}).get((ref.namespace, ref.name), set()) if ref.kind == "Deployment" else set()
    )
    own = for_workload(view, revisions)
    if own:
        return own[0]
    nodes = for_nodes(workloads)
    for pod in view.pods:
        if pod.crash.node in nodes:
            return nodes[pod.crash.node][0]
    return None
