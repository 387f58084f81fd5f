"""``triage rollback|restart|scale|cordon|uncordon|drain|delete``: safe actions for runbooks.

kubectl's names, flags and exit codes (a contract, see the README "Actions"):
each command plans, checks RBAC, previews with the server's dry run and a
diff, then asks: ``--confirm NAME`` approves from a script (the name must be
the target's, or nothing happens); on a terminal it asks (one key for low
risk, the typed name for rollback, drain and delete, and anywhere in a
production context); with neither it refuses. ``--dry-run`` prints the plan
and the diff and changes nothing. Exit 0 done (or nothing to do), 1 failed,
timed out, not approved or changed meanwhile, 2 bad input, 3 unreachable,
4 forbidden (RBAC, or read-only mode).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from triage.errors import EXIT_FAILURE, BadInput, Forbidden

if TYPE_CHECKING:
    from triage.actions.base import Action
    from triage.actions.model import Outcome, Plan

Build = Callable[[argparse.Namespace, str], "Action"]

_KIND_ALIASES = {
    "deployment": "deployments",
    "deployments": "deployments",
    "deploy": "deployments",
    "statefulset": "statefulsets",
    "statefulsets": "statefulsets",
    "sts": "statefulsets",
    "daemonset": "daemonsets",
    "daemonsets": "daemonsets",
    "ds": "daemonsets",
    "replicaset": "replicasets",
    "replicasets": "replicasets",
    "rs": "replicasets",
    "pod": "pods",
    "pods": "pods",
    "po": "pods",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the action subcommands."""
    p = _add(sub, "rollback", "roll a deployment back to an earlier revision (rollout undo)")
    p.add_argument("target", metavar="deployment/NAME", help="or statefulset/NAME, daemonset/NAME")
    p.add_argument(
        "--to-revision",
        type=int,
        default=0,
        metavar="N",
        help="the revision to go back to (default: the rollback anchor if one is set, "
        "else the previous one)",
    )
    p.add_argument(
        "--history",
        action="store_true",
        help="list the revisions (pods, restarts, the last good one) and change nothing",
    )
    p.add_argument(
        "--mark-anchor",
        type=int,
        default=0,
        metavar="N",
        help="mark revision N as the rollback anchor (known good): a rollback without "
        "--to-revision then goes to it",
    )
    p.set_defaults(func=_runner(_rollback))
    p = _add(sub, "restart", "restart a workload's pods (rollout restart)")
    p.add_argument("target", metavar="KIND/NAME")
    p.set_defaults(func=_runner(_restart))
    p = _add(sub, "scale", "set a workload's replicas")
    p.add_argument("target", metavar="KIND/NAME")
    p.add_argument("--replicas", type=int, required=True, metavar="N")
    p.set_defaults(func=_runner(_scale))
    for name, on in (("cordon", True), ("uncordon", False)):
        p = _add(sub, name, f"mark a node {'un' if on else ''}schedulable")
        p.add_argument("node", metavar="NODE")
        p.set_defaults(func=_runner(_cordon(on)))
    p = _add(sub, "drain", "cordon a node and evict its pods (kubectl drain semantics)")
    p.add_argument("node", metavar="NODE")
    p.add_argument(
        "--grace-period",
        type=int,
        default=-1,
        metavar="S",
        help="seconds each pod gets to stop (default: the pod's own)",
    )
    p.add_argument("--ignore-daemonsets", action="store_true", help="skip DaemonSet pods")
    p.add_argument(
        "--delete-emptydir-data",
        action="store_true",
        help="evict pods with emptyDir volumes (their data is lost)",
    )
    p.add_argument("--force", action="store_true", help="evict pods without a controller too")
    p.add_argument(
        "--disable-eviction",
        action="store_true",
        help="DELETE pods instead of evicting them (bypasses disruption budgets)",
    )
    p.add_argument(
        "--eviction-retry",
        default="5s",
        metavar="DURATION",
        help="pause before retrying an eviction a budget refused (default 5s)",
    )
    p.set_defaults(func=_runner(_drain))
    p = _add(sub, "patch", "patch an object with a template (GOMEMLIMIT, memory limit...)")
    p.add_argument("target", metavar="KIND/NAME")
    p.add_argument(
        "--template",
        required=True,
        metavar="T",
        help="gomemlimit, go-env, memory-limit, replicas, annotation, json-patch, "
        "or one of yours in the config dir's templates/",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a template parameter (repeatable)",
    )
    p.set_defaults(func=_runner(_patch))
    p = _add(sub, "delete", "delete a pod (its controller makes a new one)")
    p.add_argument("target", metavar="pod/NAME")
    p.add_argument("--grace-period", type=int, default=-1, metavar="S")
    p.set_defaults(func=_runner(_delete))


def _add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        name,
        help=text,
        description=text[0].upper()
        + text[1:]
        + (
            ". Plans, checks permissions, previews with a server dry run and a diff, asks "
            "for approval (--confirm NAME from a script), verifies and audits."
        ),
    )
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace (default: the context's)")
    p.add_argument("--context", metavar="NAME", help="kubeconfig context (default: current)")
    p.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig file (default: KUBECONFIG)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan and the server dry run's diff; change nothing",
    )
    p.add_argument(
        "--confirm", metavar="NAME", help="approve without asking; NAME must be the target's name"
    )
    p.add_argument(
        "--reason", default="", metavar="TEXT", help="why (kept in the audit record and the Event)"
    )
    p.add_argument(
        "--timeout",
        default="5m",
        metavar="DURATION",
        help="give up waiting after this long (default 5m)",
    )
    p.add_argument("--readonly", action="store_true", help="read-only mode: refuse")
    p.add_argument(
        "--two-person",
        action="store_true",
        help="record a request (needs --reason) that another person approves "
        "with `triage approve ID`",
    )
    p.add_argument(
        "--expires", default="1h", metavar="DURATION", help="a request's lifetime (default 1h)"
    )
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    return p


def _split(text: str, allowed: tuple[str, ...], command: str) -> tuple[str, str]:
    kind, sep, name = text.partition("/")
    resource = _KIND_ALIASES.get(kind.lower())
    if not sep or not name or resource not in allowed:
        kinds = "|".join(r.removesuffix("s") for r in allowed)
        raise BadInput(f"triage {command}: {text!r} is not {kinds}/NAME")
    return resource or "", name


def _rollback(args: argparse.Namespace, ns: str) -> Action:
    from triage.actions.rollback import Rollback

    resource, name = _split(args.target, ("deployments", "statefulsets", "daemonsets"), "rollback")
    mark = getattr(args, "mark_anchor", 0)
    if mark:
        from triage.actions.anchor import MarkAnchor

        if resource != "deployments" or mark < 0 or args.to_revision:
            raise BadInput(
                "--mark-anchor N: a revision of a deployment, without --to-revision",
                f"triage rollback deployment/NAME --mark-anchor {max(mark, 1)}",
            )
        return MarkAnchor(ns, name, mark)
    if args.to_revision < 0:
        raise BadInput(f"--to-revision {args.to_revision}: must be 0 (previous) or more")
    if resource != "deployments":
        from triage.actions.revisions import RevisionRollback

        return RevisionRollback(resource, ns, name, args.to_revision)
    return Rollback(ns, name, args.to_revision, args.clean_for)


def _restart(args: argparse.Namespace, ns: str) -> Action:
    from triage.actions.workloads import RESTARTABLE, Restart

    resource, name = _split(args.target, RESTARTABLE, "restart")
    return Restart(resource, ns, name)


def _scale(args: argparse.Namespace, ns: str) -> Action:
    from triage.actions.workloads import SCALABLE, Scale

    resource, name = _split(args.target, SCALABLE, "scale")
    return Scale(resource, ns, name, args.replicas)


def _cordon(on: bool) -> Build:
    def build(args: argparse.Namespace, ns: str) -> Action:
        from triage.actions.nodes import Cordon

        return Cordon(args.node, on)

    return build


def _drain(args: argparse.Namespace, ns: str) -> Action:
    from triage.actions.drain import Drain, DrainFlags

    flags = DrainFlags(
        args.ignore_daemonsets,
        args.delete_emptydir_data,
        args.force,
        args.disable_eviction,
        args.grace_period,
        duration(args.eviction_retry, "--eviction-retry"),
    )
    return Drain(args.node, flags)


def _patch(args: argparse.Namespace, ns: str) -> Action:
    from triage.actions.patch import Patch

    resource, name = _split(
        args.target, ("deployments", "statefulsets", "daemonsets", "replicasets", "pods"), "patch"
    )
    values: dict[str, str] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise BadInput(f"--set {item!r}: write KEY=VALUE")
        values[key] = value
    return Patch(resource, ns, name, args.template, values)


def _delete(args: argparse.Namespace, ns: str) -> Action:
    from triage.actions.nodes import DeletePod

    _, name = _split(args.target, ("pods",), "delete")
    return DeletePod(ns, name, args.grace_period)


#: arguments that are not the action's own (never recorded in a two-person request)
_NOT_RECORDED = frozenset(
    {
        "func",
        "kubeconfig",
        "context",
        "confirm",
        "two_person",
        "reason",
        "dry_run",
        "json",
        "readonly",
        "expires",
        "clean_for",
        "timeout",
        "history",
    }
)


def request_args(args: argparse.Namespace, namespace: str) -> dict[str, object]:
    """What rebuilds the action at approval time: the command and its own arguments."""
    out = {k: v for k, v in vars(args).items() if k not in _NOT_RECORDED}
    out["namespace"] = namespace
    return out


BUILDERS: dict[str, Build] = {}


def builder(command: str) -> Build:
    """The action builder of a command (``rollback``...), for approving a recorded request."""
    if not BUILDERS:
        BUILDERS.update(
            rollback=_rollback,
            restart=_restart,
            scale=_scale,
            cordon=_cordon(True),
            uncordon=_cordon(False),
            drain=_drain,
            patch=_patch,
            delete=_delete,
        )
    if command not in BUILDERS:
        raise BadInput(f"a request for {command!r} cannot be approved by this triage")
    return BUILDERS[command]


def duration(text: str, flag: str) -> float:
    """kubectl's durations (30s, 5m, 1h, a bare number of seconds), named by their flag."""
    from triage.cluster.kubeconfig import parse_duration

    try:
        return parse_duration(text)
    except BadInput:
        raise BadInput(f"{flag} {text!r} is not a duration", "write e.g. 30s, 5m or 1h") from None


def _target_name(args: argparse.Namespace) -> str:
    return str(getattr(args, "node", None) or args.target.partition("/")[2])


def _runner(build: Build) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return run_action(args, build)

    return run


def run_action(args: argparse.Namespace, build: Build) -> int:
    """Connect, then take the action through the pipeline; print; the exit code."""
    from triage.actions.approval import ConfirmApprover, TerminalApprover
    from triage.actions.pipeline import Hooks, Options, run
    from triage.cluster.client import connect
    from triage.cluster.executor import ClientExecutor
    from triage.cluster.kubeconfig import ConnectOptions
    from triage.config import load_config

    command = args.command
    if getattr(args, "history", False):
        return _history(args)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if args.two_person and not args.reason.strip():
        raise BadInput("--two-person needs --reason TEXT", "say why, for the approver")
    if not (args.dry_run or args.confirm or interactive or args.two_person):
        raise BadInput(
            f"triage {command} changes the cluster and there is no terminal to ask on",
            f"pass --confirm {_target_name(args)} to approve it (or --dry-run to preview)",
        )
    if args.confirm is not None and args.confirm != _target_name(args):
        raise BadInput(
            f"--confirm {args.confirm} does not match {_target_name(args)}; nothing was changed",
            f"pass --confirm {_target_name(args)} to approve this {command}",
        )
    timeout = duration(args.timeout, "--timeout") or 365 * 86400.0
    config, _ = load_config()
    client = connect(ConnectOptions(args.kubeconfig, args.context, args.namespace))
    try:
        settings = config.actions
        if (
            args.readonly or settings.readonly or client.context in settings.readonly_contexts
        ) and (not args.dry_run):
            raise Forbidden(
                f"triage {command}: read-only mode (context {client.context}); nothing was changed",
                "drop --readonly, or remove the context from [actions] readonly_contexts",
            )
        args.clean_for = settings.last_good_minutes * 60
        action = build(args, args.namespace or client.namespace)
        ex = ClientExecutor(client)
        production = client.context in settings.production_contexts
        approver = (
            ConfirmApprover(args.confirm)
            if args.confirm
            else TerminalApprover(input, print, production, _one_key)
        )
        hooks = Hooks(
            lambda plan: show_plan(plan, f"context {ex.context}, as {ex.identity()}"), _say
        )
        options = Options(args.dry_run, timeout, args.reason)
        if args.two_person:
            options.request_args = request_args(args, args.namespace or client.namespace)
            options.request_ttl = duration(args.expires, "--expires")
        outcome = run(action, ex, approver, hooks, options)
    finally:
        client.close()
    return report(outcome, args.json)


def _history(args: argparse.Namespace) -> int:
    """``triage rollback deployment/NAME --history``: the revision table (reads only)."""
    from triage.actions import history
    from triage.cluster.client import connect
    from triage.cluster.executor import ClientExecutor
    from triage.cluster.kubeconfig import ConnectOptions
    from triage.config import load_config

    _, name = _split(args.target, ("deployments",), "rollback")
    config, _ = load_config()
    client = connect(ConnectOptions(args.kubeconfig, args.context, args.namespace))
    try:
        table = history.read(
            ClientExecutor(client),
            args.namespace or client.namespace,
            name,
            config.actions.last_good_minutes * 60,
        )
    finally:
        client.close()
    sys.stdout.write(history.render(table))
    return 0


def _one_key(prompt: str) -> str:
    """One key press, without Enter (the terminal in cbreak mode for that key only)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        # cbreak before the prompt, without flushing: a key typed the moment the
        # prompt shows must not be lost in the switch
        tty.setcbreak(fd, termios.TCSANOW)
        sys.stdout.write(prompt)
        sys.stdout.flush()
        key = sys.stdin.read(1)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    sys.stdout.write(key + "\n")
    return key


def _say(text: str) -> None:
    print(text, flush=True)


def show_plan(plan: Plan, where: str) -> None:
    """The plan as the user reads it before approving: summary, notes, requests, diffs."""
    out = sys.stdout
    out.write(f"Plan: {plan.summary} ({where})\n")
    if plan.skipped:
        return
    for note in plan.notes:
        out.write(f"  note: {note}\n")
    out.write("Requests:\n")
    for r in plan.requests:
        query = "?" + "&".join(f"{k}={v}" for k, v in r.query) if r.query else ""
        out.write(f"  {r.method} {r.path}{query}\n")
        if r.body is not None:
            out.write(f"    Content-Type: {r.content_type}\n")
            out.write(f"    {json.dumps(r.body, separators=(',', ':'))}\n")
    for diff in plan.diffs:
        out.write(diff.text or f"(no change to {diff.title} beyond bookkeeping)\n")
    out.flush()


def report(outcome: Outcome, as_json: bool) -> int:
    code = 0 if outcome.ok else EXIT_FAILURE
    if as_json:
        doc = {
            "action": outcome.plan.action,
            "target": outcome.plan.target.label,
            "result": outcome.result,
            "message": outcome.message,
            "identity": outcome.identity,
            "request_id": outcome.request_id or None,
            "requests": [r.as_json() for r in outcome.sent],
        }
        print(json.dumps(doc, indent=2))
    elif outcome.ok:
        print(outcome.message)
    if not outcome.ok:
        print(f"triage: {outcome.message}", file=sys.stderr)
    return code
