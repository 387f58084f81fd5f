"""The cluster screen's model: pods kept by a watch, grouped into workloads (pure, no UI).

It lives in the watch's thread: each coalesced batch re-reads only the pods it
names (``pod_crash``), then the workloads are regrouped and sorted worst first
(a linear pass), so the UI thread receives a finished, immutable snapshot and
only swaps it in. Fleet signatures come from what a pod object holds, with no
log read: each crashing container's termination message (read by the goroutine
engine, cached by its text, since replicas of one crash write the same bytes)
or, without one, its last termination (reason and exit code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triage.cluster.model import PodCrash, pod_crash
from triage.cluster.signature import Sample, Signature, fleet_signature
from triage.cluster.watch import Batch, Key, key_of
from triage.cluster.workloads import (
    Revisions,
    WorkloadRef,
    build_revisions,
    revision_of,
    workload_of,
)

JSON = dict[str, Any]
Analyzer = Callable[[bytes], JSON | None]


@dataclass(frozen=True, slots=True)
class PodView:
    """One pod as the screen shows it: its crash signals, revision and raw JSON."""

    crash: PodCrash
    revision: int | None
    raw: JSON


@dataclass(frozen=True, slots=True)
class WorkloadView:
    """A workload and its pods, worst first; the counts are computed once, when built
    (sorting 200 workloads must not walk 5,000 pods' containers again)."""

    ref: WorkloadRef
    pods: tuple[PodView, ...]
    signature: Signature | None
    #: its worst pod's rank (0 crash-looping ... 4 fine)
    rank: int = 4
    #: how many of its pods are crashing now or died within the hour
    crashing: int = 0
    #: how many of its pods are ready
    ready: int = 0
    #: total restarts of its pods
    restarts: int = 0
    #: the replicas its spec asks for (None: not listed, or a DaemonSet's node count)
    desired: int | None = None

    @classmethod
    def of(
        cls,
        ref: WorkloadRef,
        pods: tuple[PodView, ...],
        signature: Signature | None,
        desired: int | None = None,
    ) -> WorkloadView:
        """Build one, with its counts. A workload that wants pods and has none (quota,
        admission, a missing ServiceAccount...) ranks as "cannot start"."""
        ranks = [p.crash.rank for p in pods]
        empty = 1 if not pods and desired else 4
        return cls(
            ref,
            pods,
            signature,
            desired=desired,
            rank=min(ranks, default=empty),
            crashing=sum(1 for r in ranks if r < 4),
            ready=sum(1 for p in pods if p.crash.ready),
            restarts=sum(p.crash.restarts for p in pods),
        )

    def sort_key(self) -> tuple[int, int, int, str, str, str]:
        """Worst first: rank, most crashing pods, most restarts, then by name."""
        ref = self.ref
        return (self.rank, -self.crashing, -self.restarts, ref.namespace, ref.kind, ref.name)


@dataclass(slots=True)
class ClusterModel:
    """Pods by key, re-read on change; :meth:`workloads` gives the sorted snapshot.

    Incremental: a batch marks the workloads it touches, and only those are
    regrouped, re-sorted and re-signed (a 500-event burst on 5,000 pods rebuilds
    the few workloads it names, not all 200).
    """

    clock: Callable[[], datetime]
    analyze: Analyzer | None = None
    revisions: Revisions = field(default_factory=Revisions)
    pods: dict[Key, PodView] = field(default_factory=dict)
    _refs: dict[Key, WorkloadRef] = field(default_factory=dict)
    _groups: dict[WorkloadRef, dict[Key, PodView]] = field(default_factory=dict)
    _views: dict[WorkloadRef, WorkloadView] = field(default_factory=dict)
    _dirty: set[WorkloadRef] = field(default_factory=set)
    _crashes: dict[bytes, JSON | None] = field(default_factory=dict)
    #: Deployments, StatefulSets and DaemonSets listed, with their desired replicas
    declared: dict[WorkloadRef, int | None] = field(default_factory=dict)

    def set_workloads(self, items: Iterable[tuple[str, JSON]]) -> None:
        """The workloads themselves (``(kind, object)``), so one without pods still shows."""
        declared: dict[WorkloadRef, int | None] = {}
        for kind, obj in items:
            meta = obj.get("metadata") or {}
            ref = WorkloadRef(str(meta.get("namespace") or ""), kind, str(meta.get("name") or ""))
            status = obj.get("status") or {}
            want = (obj.get("spec") or {}).get("replicas")
            if kind == "DaemonSet":
                want = status.get("desiredNumberScheduled")
            declared[ref] = want if isinstance(want, int) else None
        self._dirty |= set(declared) | set(self.declared)
        self.declared = declared

    def set_revisions(self, replicasets: Iterable[JSON], controller: Iterable[JSON]) -> None:
        """Index the revision sources (listed when the watch (re)starts)."""
        self.revisions = build_revisions(replicasets, controller)

    def reindex(self) -> None:
        """Re-derive every pod's workload and revision after the revision sources changed."""
        for key, view in list(self.pods.items()):
            self._put(key, PodView(view.crash, revision_of(view.crash, self.revisions), view.raw))

    def _view(self, raw: JSON, now: datetime) -> PodView:
        crash = pod_crash(raw, now)
        return PodView(crash, revision_of(crash, self.revisions), raw)

    def _put(self, key: Key, view: PodView) -> None:
        self._drop(key)
        ref = workload_of(view.crash, self.revisions)
        self.pods[key] = view
        self._refs[key] = ref
        self._groups.setdefault(ref, {})[key] = view
        self._dirty.add(ref)

    def _drop(self, key: Key) -> None:
        ref = self._refs.pop(key, None)
        self.pods.pop(key, None)
        if ref is not None:
            self._groups.get(ref, {}).pop(key, None)
            self._dirty.add(ref)

    def apply(self, batch: Batch) -> None:
        """Take one coalesced batch: a whole snapshot, or events in order."""
        now = self.clock()
        if batch.snapshot is not None:
            self.pods, self._refs, self._groups, self._views = {}, {}, {}, {}
            self._dirty = set(self.declared)
            for key, raw in batch.snapshot.items():
                self._put(key, self._view(raw, now))
            return
        for kind, obj in batch.events:
            key = key_of(obj)
            if kind == "DELETED":
                self._drop(key)
            else:
                self._put(key, self._view(obj, now))

    def workloads(self) -> list[WorkloadView]:
        """Every workload with its pods, worst first (pods worst first within)."""
        for ref in self._dirty:
            members = self._groups.get(ref)
            desired = self.declared.get(ref)
            if not members and ref not in self.declared:
                self._groups.pop(ref, None)
                self._views.pop(ref, None)
                continue
            views = sorted((members or {}).values(), key=lambda v: v.crash.sort_key())
            signature = self._signature(views)
            self._views[ref] = WorkloadView.of(ref, tuple(views), signature, desired)
        self._dirty = set()
        return sorted(self._views.values(), key=WorkloadView.sort_key)

    def _signature(self, views: list[PodView]) -> Signature | None:
        crashing = [v for v in views if v.crash.crashing]
        if not crashing:
            return None
        samples = []
        for v in crashing:
            term = v.crash.last_termination
            message = term.message.encode() if term is not None and term.message else b""
            samples.append(Sample(self._crash_of(message), term, v.revision))
        return fleet_signature(samples, len(views))

    def _crash_of(self, message: bytes) -> JSON | None:
        if not message or self.analyze is None:
            return None
        if message not in self._crashes:
            self._crashes[message] = self.analyze(message)
        return self._crashes[message]


def matches(query: str, workload: WorkloadView) -> tuple[bool, tuple[PodView, ...]]:
    """Whether ``query`` (fuzzy, rapidfuzz) names the workload, else which of its pods.

    Short queries (<= 3 characters) match as substrings: fuzzy scores of one or
    two letters match nearly everything.
    """
    q = query.strip().lower()
    if not q:
        return True, workload.pods
    if _hit(q, workload.ref.label) or _hit(q, workload.ref.namespace):
        return True, workload.pods
    pods = tuple(p for p in workload.pods if _hit(q, p.crash.name) or _hit(q, p.crash.reason))
    return False, pods


def _hit(query: str, text: str) -> bool:
    text = text.lower()
    if query in text:
        return True
    if len(query) <= 3:
        return False
    from rapidfuzz import fuzz

    return fuzz.partial_ratio(query, text) >= 80
