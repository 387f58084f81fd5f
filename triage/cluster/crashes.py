"""The crash report of a namespace (or all): crashing workloads and pods, worst first.

One pass: list pods, ReplicaSets and ControllerRevisions (in parallel), read
each pod's crash signals (:mod:`triage.cluster.model`), group pods into
workloads (:mod:`triage.cluster.workloads`), read the crash text of each
crashing pod (previous log, else current, else termination message —
:mod:`triage.cluster.logs`) in a small thread pool, run the goroutine engine on
it, and reduce each workload's crashes to a fleet signature
(:mod:`triage.cluster.signature`). One SelfSubjectAccessReview decides whether
logs are read at all; without ``get pods/log`` the termination messages are
used and the report says which permission would show more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from triage.cluster.logs import (
    CrashLog,
    logs_allowed,
    read_crash_log,
    termination_message,
)
from triage.cluster.model import PodCrash, pod_crash
from triage.cluster.signature import Sample, Signature, fleet_signature
from triage.cluster.workloads import (
    Revisions,
    WorkloadRef,
    build_revisions,
    revision_of,
    workload_of,
)
from triage.errors import Forbidden, TriageError

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient

JSON = dict[str, Any]
LOG_THREADS = 8
#: lines read from the end of each crashing pod's log: a Go crash is the last thing
#: a service prints, and a fleet of 2,000 crashing pods must not mean 2,000 full
#: logs (a GOTRACEBACK=all dump of a big service is megabytes); when the tail holds
#: no crash, the termination message is tried
TAIL_LINES = 2000


@dataclass(slots=True)
class PodReport:
    """One crashing pod: its signals, revision, and the engine's crash (if read)."""

    pod: PodCrash
    workload: WorkloadRef
    revision: int | None
    crash: JSON | None = None
    source: str | None = None
    error: str | None = None


@dataclass(slots=True)
class WorkloadReport:
    """A workload with at least one crashing pod."""

    ref: WorkloadRef
    total: int
    pods: list[PodReport]
    signature: Signature | None = None

    def sort_key(self) -> tuple[int, int, int, str, str]:
        """Worst first: its worst pod's rank, then most crashing pods."""
        worst = min(p.pod.rank for p in self.pods)
        return (
            worst,
            -len(self.pods),
            -sum(p.pod.restarts for p in self.pods),
            self.ref.namespace,
            self.ref.name,
        )


@dataclass(slots=True)
class CrashReport:
    """The whole answer of ``triage crashes``."""

    context: str
    namespace: str | None
    workloads: list[WorkloadReport] = field(default_factory=list)
    logs_readable: bool = True
    notes: list[str] = field(default_factory=list)


def gather(
    client: KubeClient,
    namespace: str | None,
    *,
    read_logs: bool = True,
    now: datetime | None = None,
    analyze: Callable[[bytes], JSON | None] | None = None,
    label_selector: str | None = None,
) -> CrashReport:
    """Build the report for ``namespace`` (None: all namespaces); ``label_selector``
    narrows the pods (one workload's selector).

    The cyclic collector is paused throughout: the pod list is a few hundred
    thousand fresh objects, none cyclic, and full collections re-scanning them
    while the model is built cost as much as building it.
    """
    from triage.goroutines.parser import collector_paused

    with collector_paused():
        return _gather(
            client,
            namespace,
            read_logs=read_logs,
            now=now,
            analyze=analyze,
            label_selector=label_selector,
        )


def _gather(
    client: KubeClient,
    namespace: str | None,
    *,
    read_logs: bool,
    now: datetime | None,
    analyze: Callable[[bytes], JSON | None] | None,
    label_selector: str | None = None,
) -> CrashReport:
    now = now or datetime.now(UTC)
    report = CrashReport(client.context, namespace)
    pods, revisions = _read_lists(client, namespace, report, label_selector)
    crashes = [pod_crash(p, now) for p in pods]
    totals: dict[WorkloadRef, int] = defaultdict(int)
    crashing: dict[WorkloadRef, list[tuple[PodReport, JSON]]] = defaultdict(list)
    for raw, crash in zip(pods, crashes, strict=True):
        ref = workload_of(crash, revisions)
        totals[ref] += 1
        if crash.crashing:
            crashing[ref].append((PodReport(crash, ref, revision_of(crash, revisions)), raw))
    todo = [item for items in crashing.values() for item in items]
    if todo:
        report.logs_readable = read_logs and logs_allowed(client, namespace)
        if read_logs and not report.logs_readable:
            report.notes.append(
                "logs are not readable (needs `get pods/log`"
                + (f" in namespace {namespace}" if namespace else "")
                + "): crashes were read from termination messages (at most 4096 bytes each)"
            )
        _read_crashes(client, todo, report.logs_readable, analyze or engine_crash)
    for ref, items in crashing.items():
        pod_reports = sorted((p for p, _ in items), key=lambda p: p.pod.sort_key())
        samples = [Sample(p.crash, p.pod.last_termination, p.revision) for p in pod_reports]
        report.workloads.append(
            WorkloadReport(ref, totals[ref], pod_reports, fleet_signature(samples, totals[ref]))
        )
    report.workloads.sort(key=WorkloadReport.sort_key)
    return report


def _read_lists(
    client: KubeClient,
    namespace: str | None,
    report: CrashReport,
    label_selector: str | None = None,
) -> tuple[list[JSON], Revisions]:
    """Pods (required) and the revision sources (optional: a refusal is a note)."""
    with ThreadPoolExecutor(3) as pool:
        pods_f = pool.submit(client.list, "pods", namespace, label_selector=label_selector)
        rs_f = pool.submit(client.list, "replicasets", namespace)
        cr_f = pool.submit(client.list, "controllerrevisions", namespace)
        pods, _ = pods_f.result()
        lists: list[list[JSON]] = []
        for name, fut in (("replicasets", rs_f), ("controllerrevisions", cr_f)):
            try:
                lists.append(fut.result()[0])
            except Forbidden:
                report.notes.append(f"revisions unknown: listing {name} is forbidden")
                lists.append([])
    return pods, build_revisions(lists[0], lists[1])


def _read_crashes(
    client: KubeClient,
    todo: list[tuple[PodReport, JSON]],
    logs_allowed: bool,
    analyze: Callable[[bytes], JSON | None],
) -> None:
    """Fill ``crash``/``source`` of each pod report: logs read by a few threads (I/O),
    the engine run here, one text at a time (CPU)."""

    def fetch(item: tuple[PodReport, JSON]) -> CrashLog | None:
        report, raw = item
        try:
            return read_crash_log(client, raw, logs_allowed=logs_allowed, tail_lines=TAIL_LINES)
        except TriageError as exc:
            report.error = exc.message  # the hint is the report's note, once
            return None

    if not logs_allowed or len(todo) == 1:
        logs = [fetch(item) for item in todo]
    else:
        with ThreadPoolExecutor(min(LOG_THREADS, len(todo))) as pool:
            logs = list(pool.map(fetch, todo))
    for (report, raw), log in zip(todo, logs, strict=True):
        if log is None:
            continue
        report.source = log.which
        report.crash = analyze(log.data)
        if report.crash is None and log.which != "termination-message":
            message = termination_message(raw, log.container or None)
            if message and (crash := analyze(message)) is not None:
                report.crash, report.source = crash, "termination-message"


def engine_crash(data: bytes) -> JSON | None:
    """The goroutine engine's crash object (as ``triage analyze --json``) of a text."""
    from triage.goroutines import analyze
    from triage.goroutines.report import crash_json

    result = analyze(data)
    primary = result.primary
    return crash_json(primary) if primary is not None else None
