"""The parts of a bundle, each collected on its own (see :mod:`triage.bundle.collect`).

Every function here records its own failures on the collector and returns
what later parts need (the workload, whether logs are readable); none raises a
TriageError for a part that could not be read.
"""

from __future__ import annotations

import json
import re
from functools import partial
from typing import TYPE_CHECKING, Any

from triage.bundle.redact import redact
from triage.errors import BadInput, TriageError

if TYPE_CHECKING:
    from triage.bundle.collect import Collector, Options
    from triage.cluster.client import KubeClient
    from triage.cluster.source import KubeRef

JSON = dict[str, Any]
#: the workload kinds an owner chain may end at, and their API plurals
_OWNERS = {
    "ReplicaSet": "replicasets",
    "Deployment": "deployments",
    "StatefulSet": "statefulsets",
    "DaemonSet": "daemonsets",
}
_TOTAL = re.compile(rb"goroutine profile: total (\d+)")
LOG_TAIL = 100_000  # lines of each log kept (the crash is at the end)


def to_yaml(doc: Any) -> str:
    """Objects as ``kubectl get -o yaml`` shows them (block style, key order kept)."""
    import yaml  # type: ignore[import-untyped]

    text: str = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return text


def to_json(doc: Any) -> str:
    """JSON as the bundle stores it (indented, as ``analyze --json`` prints it)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def objects(client: KubeClient, out: Collector, pod: JSON, namespace: str) -> JSON | None:
    """The pod and its owner chain (ReplicaSet, Deployment...) as scrubbed YAML; the
    top workload found (None for a bare pod or when its owner cannot be read)."""
    out.put(f"objects/pod-{_name(pod)}.yaml", to_yaml(redact(pod)))
    workload: JSON | None = None
    current = pod
    for _ in range(3):  # pod -> ReplicaSet -> Deployment is the longest chain
        owner = _controller(current)
        if owner is None or owner[0] not in _OWNERS:
            break
        kind, name = owner
        got = out.take(
            f"objects/{kind.lower()}", partial(client.get, _OWNERS[kind], namespace, name)
        )
        if got is None:
            break
        got.setdefault("kind", kind)
        out.put(f"objects/{kind.lower()}-{name}.yaml", to_yaml(redact(got)))
        if kind != "ReplicaSet" or _controller(got) is None:
            workload = got
        current = got
    return workload


def events(
    client: KubeClient, out: Collector, pod: JSON, workload: JSON | None, namespace: str
) -> None:
    """Events about the pod (and its workload), oldest first, as YAML."""
    out.step("reading events")
    names = [_name(pod)] + ([_name(workload)] if workload is not None else [])
    found: list[JSON] = []
    for name in names:
        got = out.take(
            "events",
            partial(client.list, "events", namespace, field_selector=f"involvedObject.name={name}"),
        )
        found.extend(got[0] if got is not None else [])
    if found or not any(f["part"] == "events" for f in out.failed):
        found.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
        out.put("events.yaml", to_yaml([redact(e) for e in found]))


def logs(client: KubeClient, out: Collector, pod: JSON, namespace: str) -> bool:
    """Current and previous logs of every container; False when logs are not ours to read."""
    from triage.cluster.logs import logs_allowed

    out.step("reading logs")
    if not logs_allowed(client, namespace):
        out.failed.append(
            {
                "part": "logs",
                "reason": f"`get pods/log` in namespace {namespace} is not allowed for this "
                "user (the crash is read from the termination message)",
            }
        )
        return False
    name = _name(pod)
    spec = pod.get("spec") or {}
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        cname = str(container.get("name") or "")
        for previous, suffix in ((False, "log"), (True, "previous.log")):
            try:
                data = client.read_log(
                    namespace, name, container=cname, previous=previous, tail_lines=LOG_TAIL
                )
            except BadInput as exc:
                if previous:  # 400: the container has not restarted
                    out.notes.append(f"container {cname} has no previous log ({exc.message})")
                    continue
                out.failed.append({"part": f"logs/{cname}.{suffix}", "reason": exc.line()})
                continue
            except TriageError as exc:
                out.failed.append({"part": f"logs/{cname}.{suffix}", "reason": exc.line()})
                continue
            out.put(f"logs/{cname}.{suffix}", data)
    return True


def crash(client: KubeClient, out: Collector, pod: JSON, namespace: str, name: str) -> None:
    """The crash as ``triage analyze`` reads it, and its findings (``analyze --json``)."""
    from triage.cluster.logs import logs_allowed, read_crash_log
    from triage.goroutines import analyze
    from triage.goroutines.report import analysis_json

    out.step("reading the crash")
    allowed = logs_allowed(client, namespace)
    got = out.take("crash", lambda: read_crash_log(client, pod, logs_allowed=allowed))
    if got is None:
        return
    out.put("crash/crash.log", got.data)
    out.put(
        "crash/source.json",
        to_json(
            {"pod": name, "namespace": namespace, "container": got.container, "log": got.which}
        ),
    )
    analysis = out.take("findings", partial(analyze, got.data))
    if analysis is None:
        return
    if not analysis.dumps:
        out.notes.append(f"pod/{name}: its {got.which} log holds no Go crash or goroutine dump")
        return
    doc = analysis_json(analysis, f"pod/{name}")
    doc["pod"] = {
        "name": name,
        "namespace": namespace,
        "container": got.container,
        "log": got.which,
    }
    out.put("findings.json", to_json(doc))


def signature(client: KubeClient, out: Collector, workload: JSON, namespace: str) -> None:
    """The workload's fleet signature, as ``triage crashes --json`` gives it."""
    from triage.cluster.crashes import gather
    from triage.cluster.source import selector_of

    out.step("reading the fleet signature")
    name, kind = _name(workload), str(workload.get("kind") or "")
    report = out.take(
        "signature", lambda: gather(client, namespace, label_selector=selector_of(workload))
    )
    if report is None:
        return
    item = next((w for w in report.workloads if w.ref.name == name and w.ref.kind == kind), None)
    doc = {
        "workload": f"{kind.lower()}/{name}",
        "pods_total": item.total if item is not None else None,
        "pods_crashing": len(item.pods) if item is not None else 0,
        "signature": item.signature.as_json() if item and item.signature else None,
    }
    out.put("signature.json", to_json(doc))


def live(ref: KubeRef, out: Collector, options: Options) -> str | None:
    """Goroutines, CPU and heap profiles, metrics and the probes, through port-forward;
    the pod they came from (None when none could be reached)."""
    from triage.cluster.fetcher import open_pod_fetcher

    out.step("port-forwarding to the pod")
    fetcher = out.take("live", lambda: open_pod_fetcher(ref, timeout=options.timeout))
    if fetcher is None:
        return None
    try:
        if fetcher.note:
            out.notes.append(fetcher.note)
        out.step("taking the goroutine dump")
        out.take("goroutines", lambda: _goroutines(fetcher.goroutines, out, options.debug1_above))
        out.step(f"taking a {options.cpu_seconds}s CPU profile")
        cpu = out.take("cpu", lambda: fetcher.profile("profile", options.cpu_seconds))
        if cpu is not None:
            out.put("pprof/cpu.pb.gz", cpu)
        out.step("taking a heap profile")
        heap = out.take("heap", lambda: fetcher.profile("heap"))
        if heap is not None:
            out.put("pprof/heap.pb.gz", heap)
        metrics = out.take("metrics", fetcher.metrics)
        if metrics is not None:
            out.put("metrics.txt", metrics)
        samples = fetcher.health_all()
        if samples:
            health = [
                {
                    "check": s.path,
                    "ok": s.ok,
                    "status": s.status,
                    "latency": s.latency,
                    "detail": s.detail,
                }
                for s in samples
            ]
            out.put("health.json", to_json(health))
        return fetcher.pod
    finally:
        fetcher.close()


def _goroutines(fetch: Any, out: Collector, debug1_above: int) -> None:
    """debug=1 first (counted, cheap): above ``debug1_above`` goroutines it is kept;
    else the full debug=2 dump, which groups by state and wait time."""
    counted: bytes = fetch(1)
    match = _TOTAL.search(counted[:200])
    total = int(match.group(1)) if match else 0
    if total > debug1_above:
        out.notes.append(f"{total} goroutines: the dump is debug=1 (above {debug1_above})")
        out.put("pprof/goroutine-debug1.txt", counted)
        return
    out.put("pprof/goroutine.txt", fetch(2))


def _controller(obj: JSON) -> tuple[str, str] | None:
    for owner in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if isinstance(owner, dict) and owner.get("controller"):
            return str(owner.get("kind") or ""), str(owner.get("name") or "")
    return None


def _name(obj: JSON) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")
