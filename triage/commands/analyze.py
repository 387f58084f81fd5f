"""``triage analyze PATH|URL|-|pod/NAME|deployment/NAME``: crash, findings and groups.

A pod or workload is read through the API server (previous container's log, else
the current one, else the termination message) and reported exactly as a file
is; a workload adds its fleet signature (``--json``: a ``signature`` key).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from typing import TYPE_CHECKING, Any

from triage.commands import analyze_views
from triage.targets import KubeTarget, UrlTarget, cluster_options, cluster_scope, parse_target

if TYPE_CHECKING:
    from triage.cluster.signature import Signature
    from triage.cluster.source import TargetLog
    from triage.workspace import LoadedDump


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``analyze`` subcommand."""
    p = sub.add_parser(
        "analyze",
        help="diagnose a goroutine dump, a crash log or a live pprof endpoint",
        description=(
            "Read a goroutine dump (debug=2 or debug=1), a log holding Go panics "
            "(kubectl logs --previous), a live pprof URL, or a pod or workload of a "
            "Kubernetes cluster (pod/NAME, deployment/NAME, statefulset/NAME, "
            "daemonset/NAME: its previous container's log, else the current one, else the "
            "termination message; a workload adds its fleet signature), and print the "
            "crash, the findings and the goroutine groups. A base URL such as "
            "http://127.0.0.1:6060 fetches /debug/pprof/goroutine?debug=2."
        ),
    )
    p.add_argument("source", help="file, - for stdin, http(s) URL, pod/NAME or deployment/NAME")
    p.add_argument("--json", action="store_true", help="print the JSON document")
    p.add_argument("--top", type=int, default=10, metavar="N", help="groups to show (0: all)")
    p.add_argument("--frames", type=int, default=8, metavar="N", help="frames per group (0: all)")
    p.add_argument("--loose", action="store_true", help="group by functions only, any line")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="URL timeout")
    p.add_argument(
        "--binary",
        metavar="PATH",
        help="the service's Go executable: its Go version's known runtime bugs, and names "
        "for bare addresses (signal pc, PC=)",
    )
    p.add_argument(
        "--binary-base", type=lambda v: int(v, 0), metavar="HEX", help="load base of a PIE binary"
    )
    p.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour output"
    )
    cluster_options(p)
    analyze_views.add_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load, analyze and print; errors become TriageError (exit 2/3/4)."""
    from triage.goroutines.report import analysis_json
    from triage.goroutines.text import render
    from triage.textout import Painter, color_enabled, write_utf8
    from triage.workspace import load_dump

    views = analyze_views.prepare(args)
    target = parse_target(args.source, cluster_scope(args))
    if isinstance(target, UrlTarget):
        from triage.probes.endpoints import goroutine_url

        target = UrlTarget(goroutine_url(target.url), base=False)
    # The CLI has no other threads, so a large dump may be parsed on two cores.
    loaded = load_dump(
        target, level="loose" if args.loose else "exact", timeout=args.timeout, parallel=True
    )
    name, result = loaded.name, loaded.analysis
    signature = _signature(target) if isinstance(target, KubeTarget) else None
    with contextlib.closing(loaded), contextlib.closing(views):
        analyze_views.load_base(args, views, lambda spec: _load_base(spec, args))
        binary = None
        if args.binary:
            from triage.enrich import enrich, open_context

            binary = open_context(args.binary, args.binary_base)
            result = enrich(result, binary)
        result = analyze_views.reshape(result, views, "loose" if args.loose else "exact")
        notes = [w for w in loaded.warnings if w not in result.warnings]
        for warning in [*result.warnings, *notes]:
            print(f"triage: warning: {warning}", file=sys.stderr)
        if args.json:
            doc = analysis_json(result, name)
            if isinstance(target, KubeTarget):
                doc.update(_kube_json(loaded.crash_log, signature))
            if binary is not None:
                from triage.enrich import build_json

                doc["binary"] = build_json(binary)
            analyze_views.add_json(doc, views, result)
            write_utf8(sys.stdout, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        else:
            paint = Painter(color_enabled(sys.stdout, args.color))
            head = ""
            if binary is not None:
                from triage.enrich import describe

                head = describe(binary) + "\n"
            if loaded.crash_log is not None:
                head += _kube_header(loaded.crash_log, signature)
            head += "".join(line + "\n" for line in analyze_views.text_lines(views, args.top))
            body = render(result, name, paint=paint, top=args.top, frames=args.frames)
            write_utf8(sys.stdout, head + body + "\n")
    return 0


def _load_base(spec: str, args: argparse.Namespace) -> LoadedDump:
    """``--base OLD`` loaded as the new dump is (a base URL means its goroutine dump)."""
    from triage.workspace import load_dump

    target = parse_target(spec, cluster_scope(args))
    if isinstance(target, UrlTarget):
        from triage.probes.endpoints import goroutine_url

        target = UrlTarget(goroutine_url(target.url), base=False)
    return load_dump(target, level="loose" if args.loose else "exact", timeout=args.timeout)


def _signature(target: KubeTarget) -> Signature | None:
    """A workload's fleet signature (None for a pod, or when no pod of it crashes)."""
    if target.resource == "pod":
        return None
    from triage.cluster.source import workload_report

    report = workload_report(target)
    return report.signature if report is not None else None


def _kube_json(log: TargetLog | None, signature: Signature | None) -> dict[str, Any]:
    """The keys a cluster target adds: which pod and log, and the fleet signature."""
    doc: dict[str, Any] = {}
    if log is not None:
        doc["pod"] = {
            "name": log.pod,
            "namespace": log.namespace,
            "container": log.container,
            "log": log.which,
        }
    doc["signature"] = signature.as_json() if signature is not None else None
    return doc


def _kube_header(log: TargetLog, signature: Signature | None) -> str:
    """One or two lines above the report: what was read, and the fleet signature."""
    text = f"{log.label} · container {log.container} · namespace {log.namespace}\n"
    if signature is not None:
        text += f"fleet signature: {signature.summary}\n"
    return text + "\n"
