"""The cluster screen's data source: connect, list revisions, watch pods (no UI).

Runs in one thread worker of the screen. The watch (:mod:`triage.cluster.watch`)
coalesces events into batches; each batch updates the
:class:`~triage.ui.cluster_model.ClusterModel` here, in the worker's thread, and
the finished snapshot goes to ``on_snapshot`` (the screen posts it as one
replaceable message). So a burst of 500 pod updates costs the UI thread one
swap and one screen of strips, whatever its size.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage.cluster.kubeconfig import ConnectOptions
from triage.cluster.watch import Batch, ListWatch
from triage.errors import Forbidden, TriageError, Unreachable
from triage.ui.cluster_model import ClusterModel, WorkloadView

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient

JSON = dict[str, Any]
WORKLOAD_KINDS = (
    ("Deployment", "deployments"),
    ("StatefulSet", "statefulsets"),
    ("DaemonSet", "daemonsets"),
)
#: a pod naming a ReplicaSet we have not indexed re-lists revisions, at most this often
REVISIONS_EVERY = 5.0


def status_of(exc: TriageError) -> str:
    """The status line for a failure: which kind of trouble, then the error's own line."""
    if isinstance(exc, Unreachable):
        return f"cluster unreachable: {exc.line()}"
    if isinstance(exc, Forbidden) and "rejected the credentials" in exc.message:
        return f"credentials expired or rejected: {exc.line()}"
    if isinstance(exc, Forbidden):
        return f"not allowed: {exc.line()}"
    return f"cluster error: {exc.line()}"


class ClusterFeed:
    """Connect with ``options`` and report snapshots until :meth:`stop`."""

    def __init__(
        self,
        options: ConnectOptions,
        clock: Callable[[], datetime],
        on_snapshot: Callable[[list[WorkloadView]], None],
        on_status: Callable[[str | None], None],
        *,
        analyze: Callable[[bytes], JSON | None] | None = None,
        coalesce: float = 0.1,
    ) -> None:
        self.options = options
        self.model = ClusterModel(clock, analyze)
        self.on_snapshot = on_snapshot
        self.on_status = on_status
        self.coalesce = coalesce
        self.client: KubeClient | None = None
        self._watch: ListWatch | None = None
        self._stopped = False
        self._revisions_at = 0.0
        #: namespaces the user may list (for the palette), once connected
        self.namespaces: list[str] = []

    @property
    def namespace(self) -> str | None:
        """The namespace watched (None: all)."""
        if self.options.all_namespaces or self.client is None:
            return None
        return self.client.namespace

    def stop(self) -> None:
        """End :meth:`run` (closes the open watch)."""
        self._stopped = True
        if self._watch is not None:
            self._watch.stop()

    def run(self) -> None:
        """Block: connect, list, watch. Raises TriageError when it cannot start."""
        from triage.cluster.client import connect
        from triage.cluster.crashes import engine_crash

        if self.model.analyze is None:
            self.model.analyze = engine_crash
        self.client = connect(self.options)
        self._refresh_revisions()
        self._list_namespaces()
        self._watch = ListWatch(
            self.client,
            "pods",
            self.namespace,
            self._update,
            on_error=self.on_status,
            coalesce=self.coalesce,
        )
        if not self._stopped:
            self._watch.run()

    def _list_namespaces(self) -> None:
        """For the palette's namespace switch; a refusal leaves the list empty."""
        assert self.client is not None
        try:
            items, _ = self.client.list("namespaces", None)
        except TriageError:
            return
        self.namespaces = sorted(str((i.get("metadata") or {}).get("name") or "") for i in items)

    def _refresh_revisions(self) -> None:
        assert self.client is not None
        lists: list[list[JSON]] = []
        for resource in ("replicasets", "controllerrevisions"):
            try:
                lists.append(self.client.list(resource, self.namespace)[0])
            except Forbidden:
                lists.append([])  # revisions unknown; the pods still show
        self.model.set_revisions(lists[0], lists[1])
        declared: list[tuple[str, JSON]] = []
        for kind, resource in WORKLOAD_KINDS:
            with contextlib.suppress(Forbidden):  # the pods still show, grouped by owner
                declared += [(kind, o) for o in self.client.list(resource, self.namespace)[0]]
        self.model.set_workloads(declared)
        self._revisions_at = time.monotonic()

    def _unknown_owner(self, batch: Batch) -> bool:
        known = self.model.revisions.replicasets
        for _kind, obj in batch.events:
            meta = obj.get("metadata") or {}
            for ref in meta.get("ownerReferences") or []:
                if ref.get("kind") == "ReplicaSet" and (
                    (meta.get("namespace"), ref.get("name")) not in known
                ):
                    return True
        return False

    def _update(self, batch: Batch) -> None:
        stale = time.monotonic() - self._revisions_at > REVISIONS_EVERY
        if batch.snapshot is not None or (stale and self._unknown_owner(batch)):
            with contextlib.suppress(TriageError):  # the watch's own errors say what is wrong
                self._refresh_revisions()
            self.model.reindex()
        if batch.snapshot is not None:
            from triage.goroutines.parser import collector_paused

            with collector_paused():  # 5,000 fresh pod views, none cyclic
                self.model.apply(batch)
                workloads = self.model.workloads()
        else:
            self.model.apply(batch)
            workloads = self.model.workloads()
        if batch.snapshot is not None:
            # The pod store is long-lived and acyclic: moved out of the collector's
            # generations, full collections stop re-scanning 5,000 pods' JSON (each
            # such pass held the GIL, and so the UI, for 100+ ms during bursts).
            gc.freeze()
        self.on_snapshot(workloads)


def context_names(options: ConnectOptions) -> list[str]:
    """Every context of the kubeconfig files kubectl would read (for the palette)."""
    from triage.cluster.kubeconfig import config_paths, read_config

    names: list[str] = []
    try:
        for path in config_paths(options):
            for entry in read_config(path).get("contexts") or []:
                if isinstance(entry, dict) and entry.get("name") and entry["name"] not in names:
                    names.append(str(entry["name"]))
    except TriageError:
        return []
    return names
