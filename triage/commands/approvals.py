"""``triage approvals``, ``triage approve ID``, ``triage reject ID``: the two-person rule.

A request recorded with ``--two-person`` lives as an annotation on the object.
``approve`` by a different identity rebuilds the action from the recorded
arguments and takes it through the same pipeline (RBAC, dry run, execution,
verification, audit naming both people), then removes the request;
``reject`` removes it. The requester gets exit 4 and nothing changes; an
expired request gets exit 1.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from triage.errors import Forbidden

if TYPE_CHECKING:
    from triage.actions.base import Action
    from triage.actions.executor import Executor
    from triage.actions.requests import Request


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``approvals``, ``approve`` and ``reject``."""
    p = sub.add_parser("approvals", help="list pending two-person requests")
    _common(p)
    p.add_argument("--json", action="store_true", help="print them as JSON")
    p.set_defaults(func=run_list)
    for name, text in (("approve", "approve and execute"), ("reject", "discard")):
        p = sub.add_parser(name, help=f"{text} another person's request by its id")
        _common(p)
        p.add_argument("id", metavar="ID")
        p.add_argument("--timeout", default="5m", metavar="DURATION")
        p.add_argument("--json", action="store_true", help="print the outcome as JSON")
        p.set_defaults(func=run_decide)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace (default: the context's)")
    p.add_argument("--context", metavar="NAME", help="kubeconfig context (default: current)")
    p.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig file (default: KUBECONFIG)")


def _connect(args: argparse.Namespace) -> tuple[Executor, str, object]:
    from triage.cluster.client import connect
    from triage.cluster.executor import ClientExecutor
    from triage.cluster.kubeconfig import ConnectOptions

    client = connect(ConnectOptions(args.kubeconfig, args.context, args.namespace))
    return ClientExecutor(client), args.namespace or client.namespace, client


def run_list(args: argparse.Namespace) -> int:
    """Print the pending (unexpired) requests."""
    from triage.actions import requests

    ex, namespace, client = _connect(args)
    try:
        found = requests.pending(ex, namespace)
    finally:
        client.close()  # type: ignore[attr-defined]
    if args.json:
        print(json.dumps([r.as_json() for r in found], indent=2))
        return 0
    if not found:
        print(f"no pending requests in namespace {namespace} or on nodes")
        return 0
    print(f"{'ID':<9} {'REQUESTER':<16} {'ACTION':<9} {'TARGET':<28} {'EXPIRES':<21} REASON")
    for r in found:
        print(
            f"{r.id:<9} {r.requester:<16} {r.action:<9} {r.target:<28} {r.expires:<21} {r.reason}"
        )
    return 0


def run_decide(args: argparse.Namespace) -> int:
    """Approve (execute through the pipeline) or reject one request."""
    from triage.actions import requests
    from triage.actions.model import ActionFailed

    ex, namespace, client = _connect(args)
    try:
        request = requests.find(ex, namespace, args.id)
        me = ex.identity()
        if me == request.requester:
            raise Forbidden(
                f"{me} requested {args.id}: the same identity cannot {args.command} it; "
                "nothing was changed",
                "another person approves it from their own session",
            )
        if request.expired():
            raise ActionFailed(
                f"request {args.id} expired at {request.expires}; nothing was changed"
            )
        if args.command == "reject":
            return _reject(ex, request, me)
        return _approve(ex, request, me, args)
    finally:
        client.close()  # type: ignore[attr-defined]


def _reject(ex: Executor, request: Request, me: str) -> int:
    from triage.actions import audit, requests

    ex.send(requests.annotate(request.path, None, f"removing request {request.id}"))
    audit.append(
        {
            "time": audit.now(),
            "identity": me,
            "action": "reject",
            "request": request.as_json(),
            "result": "rejected",
        }
    )
    print(f"request {request.id} ({request.action} {request.target}) rejected")
    return 0


def _approve(ex: Executor, request: Request, me: str, args: argparse.Namespace) -> int:
    from triage.actions import requests
    from triage.actions.approval import ConfirmApprover
    from triage.actions.pipeline import Hooks, Options, run
    from triage.commands.actions import duration, report, show_plan

    action = rebuild(request)
    options = Options(
        timeout=duration(args.timeout, "--timeout"),
        reason=f"{request.reason} (requested by {request.requester}, approved by {me})",
        audit_extra={"requester": request.requester, "approver": me, "request": request.id},
    )
    name = request.target.split("/", 1)[1]
    hooks = Hooks(lambda plan: show_plan(plan, f"request {request.id}, approved by {me}"), _say)
    outcome = run(action, ex, ConfirmApprover(name), hooks, options)
    if outcome.result != "conflict":
        ex.send(requests.annotate(request.path, None, f"removing request {request.id}"))
    return report(outcome, args.json)


def rebuild(request: Request) -> Action:
    """The action a recorded request names, built from its recorded arguments."""
    from triage.commands.actions import builder

    recorded = dict(request.args)
    command = str(recorded.pop("command", request.action))
    namespace = str(recorded.get("namespace") or "")
    built = argparse.Namespace(**recorded, clean_for=600.0)
    return builder(command)(built, namespace)


def _say(text: str) -> None:
    print(text, flush=True)
