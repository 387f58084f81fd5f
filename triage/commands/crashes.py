"""``triage crashes``: the crashing workloads and pods of a cluster, worst first.

For runbooks and scripts: no UI, one clear line on stderr on failure (exit 3
unreachable, 4 forbidden, 2 bad kubeconfig). ``--json`` keys are a contract
(README, "triage crashes"): ``{"context", "namespace", "logs_readable", "notes",
"workloads": [{"workload", "kind", "name", "namespace", "pods_total",
"pods_crashing", "signature": {"summary", "pods", "since_revision", ...} | null,
"pods": [{"workload", "pod", "namespace", "node", "reason", "restarts",
"last_termination": {"reason", "exit_code", "signal", "finished_at", "message",
...} | null, "crash": {...} | null, ...}]}]}``. Other keys are additions.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage.cluster.crashes import CrashReport, PodReport, WorkloadReport

JSON = dict[str, Any]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``crashes`` subcommand."""
    p = sub.add_parser(
        "crashes",
        help="list crashing workloads and pods of a Kubernetes namespace, worst first",
        description=(
            "List the crash-looping and recently crashed pods of a namespace (-A: all), "
            "grouped by workload, worst first, with each pod's last termination (reason, "
            "exit code and its meaning) and the crash the goroutine engine finds in the "
            "previous container's log (or, without `get pods/log`, in the termination "
            "message), and per workload the fleet signature: the same crash across pods "
            "and since which revision. Uses the kubeconfig as kubectl does."
        ),
    )
    add_cluster_arguments(p)
    p.add_argument("--json", action="store_true", help="print the JSON document (a contract)")
    p.add_argument(
        "--no-logs", action="store_true", help="do not read logs (termination messages only)"
    )
    p.set_defaults(func=run)


def add_cluster_arguments(p: argparse.ArgumentParser) -> None:
    """kubectl's connection flags: --kubeconfig, --context, -n/--namespace, -A,
    --request-timeout."""
    p.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig file (default: KUBECONFIG)")
    p.add_argument("--context", metavar="NAME", help="kubeconfig context (default: current)")
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace (default: the context's)")
    p.add_argument("-A", "--all-namespaces", action="store_true", help="every namespace")
    p.add_argument(
        "--request-timeout",
        metavar="DURATION",
        help="wait this long for each answer of the API server (30s, 2m; default 30s)",
    )


def run(args: argparse.Namespace) -> int:
    """Connect, gather, print; errors are TriageErrors (the CLI maps exit codes)."""
    from triage.cluster.client import connect
    from triage.cluster.crashes import gather
    from triage.cluster.kubeconfig import ConnectOptions, parse_duration

    timeout = parse_duration(args.request_timeout) if args.request_timeout else None
    options = ConnectOptions(
        args.kubeconfig, args.context, args.namespace, args.all_namespaces, timeout or None
    )
    client = connect(options)
    try:
        namespace = None if args.all_namespaces else client.namespace
        report = gather(client, namespace, read_logs=not args.no_logs)
    finally:
        client.close()
    for note in report.notes:
        print(f"triage: note: {note}", file=sys.stderr)
    if args.json:
        json.dump(report_json(report), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(report))
    return 0


def report_json(report: CrashReport) -> JSON:
    """The contract document."""
    return {
        "context": report.context,
        "namespace": report.namespace,
        "logs_readable": report.logs_readable,
        "notes": report.notes,
        "workloads": [workload_json(w) for w in report.workloads],
    }


def workload_json(w: WorkloadReport) -> JSON:
    """One workload of the contract."""
    return {
        "workload": w.ref.label,
        "kind": w.ref.kind,
        "name": w.ref.name,
        "namespace": w.ref.namespace,
        "pods_total": w.total,
        "pods_crashing": len(w.pods),
        "signature": w.signature.as_json() if w.signature is not None else None,
        "pods": [pod_json(p) for p in w.pods],
    }


def pod_json(p: PodReport) -> JSON:
    """One pod of the contract."""
    pod = p.pod
    term = pod.last_termination
    worst = pod.worst
    return {
        "workload": p.workload.label,
        "pod": pod.name,
        "namespace": pod.namespace,
        "node": pod.node or None,
        "reason": pod.reason or None,
        "restarts": pod.restarts,
        "last_termination": term.as_json() if term is not None else None,
        "crash": p.crash,
        "crash_source": p.source,
        "crash_error": p.error,
        "container": worst.name if worst is not None else None,
        "ready": pod.ready_text,
        "restarts_last_hour": {"count": pod.recent.count, "exact": pod.recent.exact},
        "revision": p.revision,
        "phase": pod.phase,
        "created": pod.created.strftime("%Y-%m-%dT%H:%M:%SZ") if pod.created else None,
    }


def render(report: CrashReport) -> str:
    """The text report: a block per workload, worst first."""
    scope = f"namespace {report.namespace}" if report.namespace else "all namespaces"
    if not report.workloads:
        return f"No crashing pods in {scope} (context {report.context}).\n"
    lines = [f"Crashing workloads in {scope} (context {report.context}):", ""]
    for w in report.workloads:
        lines.append(f"{w.ref.label}  ({w.ref.namespace})  {len(w.pods)}/{w.total} pods crashing")
        if w.signature is not None:
            lines.append(f"  signature: {w.signature.summary}")
        for p in w.pods:
            lines.extend(_pod_lines(p))
        lines.append("")
    return "\n".join(lines)


def _pod_lines(p: PodReport) -> list[str]:
    pod = p.pod
    term = pod.last_termination
    restarts = f"{pod.restarts} restarts ({pod.recent} in the last hour)"
    head = f"  {pod.name}  {pod.ready_text}  {pod.reason or pod.phase}  {restarts}"
    if p.revision is not None:
        head += f"  rev {p.revision}"
    if pod.node:
        head += f"  node {pod.node}"
    out = [head]
    if term is not None:
        when = _ago(term.finished_at)
        code = f"exit {term.exit_code}" if term.exit_code is not None else "no exit code"
        sig = f", {term.signal}" if term.signal else ""
        out.append(f"    last: {term.reason or 'terminated'} ({code}{sig}: {term.meaning}){when}")
    if p.crash is not None:
        frame = p.crash.get("frame") or {}
        at = f" at {frame.get('func')}" if frame.get("func") else ""
        out.append(f"    crash: {p.crash.get('kind')}: {p.crash.get('message')}{at} [{p.source}]")
    elif p.error:
        out.append(f"    crash: not read ({p.error})")
    return out


def _ago(when: datetime | None) -> str:
    if when is None:
        return ""
    seconds = int((datetime.now(UTC) - when).total_seconds())
    if seconds < 120:
        return f", {max(seconds, 0)}s ago"
    if seconds < 7200:
        return f", {seconds // 60}m ago"
    return f", {seconds // 3600}h ago"
