"""One pipeline for every cluster-changing action.

plan -> RBAC (a SelfSubjectAccessReview per request) -> server dry run and
diff -> approval -> execute -> verify -> audit (JSONL and an Event). A 409
while executing means the object changed after we read it: the plan is
rebuilt from the new state and approved again, never forced through.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from triage.actions import audit, paths, requests
from triage.actions.approval import Approver
from triage.actions.base import Action, Progress
from triage.actions.executor import Executor
from triage.actions.model import ActionFailed, ApiRequest, Check, Conflict, Outcome, Plan
from triage.errors import Forbidden, TriageError


@dataclass(slots=True)
class Options:
    """How one run behaves."""

    dry_run: bool = False
    #: seconds for execution and verification together
    timeout: float = 300.0
    #: the reason the user typed (in the audit record and the Event)
    reason: str = ""
    #: how many times a conflict may send us back to planning
    max_replans: int = 3
    #: two-person rule: record a request (these arguments rebuild the action) instead
    request_args: dict[str, Any] | None = None
    #: seconds a recorded request stays valid
    request_ttl: float = 3600.0
    #: more keys for the audit record (who requested an approved action)
    audit_extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Hooks:
    """Where the pipeline reports: the plan (with diffs) once built, then progress lines."""

    show_plan: Callable[[Plan], None]
    progress: Progress


def missing(ex: Executor, plan: Plan) -> list[str]:
    """The permissions the plan lacks, in RBAC's words, asked in parallel (a view shows
    an action it may not start dimmed, with these as the reason)."""
    if not plan.checks:
        return []
    with ThreadPoolExecutor(min(8, len(plan.checks))) as pool:
        answers = list(pool.map(ex.allowed, plan.checks))
    return [c.words for c, (ok, _) in zip(plan.checks, answers, strict=True) if not ok]


def check_access(ex: Executor, plan: Plan) -> None:
    """Forbidden, naming every missing permission, unless the plan has them all."""
    lacking = missing(ex, plan)
    if lacking:
        raise Forbidden(
            f"{plan.action} {plan.target.label} needs "
            + ", ".join(lacking)
            + "; nothing was changed",
            "ask for that permission, or use a --context that has it",
        )


def run(
    action: Action, ex: Executor, approver: Approver, hooks: Hooks, options: Options
) -> Outcome:
    """Take one action through every step; the outcome says how it ended."""
    for attempt in range(options.max_replans + 1):
        plan = action.plan(ex)
        if plan.skipped:
            hooks.show_plan(plan)
            return Outcome(plan, "skipped", plan.skipped)
        check_access(ex, plan)
        action.preview(ex, plan)
        hooks.show_plan(plan)
        if options.dry_run:
            return Outcome(plan, "dry-run", f"{plan.summary}: server dry run only, nothing changed")
        audit.check_writable()
        if options.request_args is not None:
            return _request(ex, plan, options, hooks)
        if not approver.approve(plan, again=attempt > 0):
            if attempt:
                return _finish(
                    ex,
                    Outcome(
                        plan,
                        "conflict",
                        f"{plan.target.label} changed while we acted (409); nothing was "
                        "overwritten; re-run to review the new plan",
                    ),
                    options,
                    hooks,
                )
            return Outcome(plan, "refused", "not approved; nothing was changed")
        deadline = time.monotonic() + options.timeout
        sent: list[ApiRequest] = []
        try:
            sent = action.execute(ex, plan, hooks.progress, deadline)
            message = action.verify(ex, plan, hooks.progress, deadline)
        except Conflict as exc:
            hooks.progress(f"conflict: {exc.message}; re-reading and planning again")
            continue
        except ActionFailed as exc:
            outcome = Outcome(plan, _failure(exc), exc.line(), sent=_sent(plan, sent))
            return _finish(ex, outcome, options, hooks)
        except TriageError as exc:
            outcome = Outcome(plan, "failed", exc.line(), sent=_sent(plan, sent))
            _finish(ex, outcome, options, hooks)
            raise
        done = Outcome(plan, "done", f"{plan.summary}: {message}", sent=sent)
        return _finish(ex, done, options, hooks)
    raise ActionFailed(
        f"{action.name}: the object kept changing ({options.max_replans + 1} conflicts); "
        "nothing was overwritten",
        "retry when it settles",
    )


def _request(ex: Executor, plan: Plan, options: Options, hooks: Hooks) -> Outcome:
    """Two-person rule: record the request on the object; a different identity approves."""
    target = plan.target
    resource, path = paths.of(target.kind, target.namespace, target.name)
    check = Check(
        "patch", resource, paths.group(resource), namespace=target.namespace, name=target.name
    )
    ok, _ = ex.allowed(check)
    if not ok:
        raise Forbidden(
            f"recording the request on {target.label} needs {check.words}; nothing was changed"
        )
    doc, rid = requests.new(
        ex.identity(),
        plan.action,
        target,
        options.request_args or {},
        reason=options.reason,
        ttl=options.request_ttl,
    )
    sent = requests.annotate(path, doc, f"recording approval request {rid} on {target.label}")
    ex.send(sent)
    outcome = Outcome(
        plan,
        "requested",
        f"request {rid} recorded on {target.label} (expires {doc['expires']}); another "
        f"person approves it with `triage approve {rid}`",
        sent=[sent],
    )
    outcome.request_id = rid
    return _finish(ex, outcome, options, hooks)


def _failure(exc: ActionFailed) -> str:
    return "timed out" if "timed out" in exc.message else "failed"


def _sent(plan: Plan, sent: list[ApiRequest]) -> list[ApiRequest]:
    return sent or list(plan.data.get("sent") or [])


def _finish(ex: Executor, outcome: Outcome, options: Options, hooks: Hooks) -> Outcome:
    """Audit record, then the Event (a failure to record it is a note, not a failure)."""
    outcome.identity = ex.identity()
    audit.append({**audit.record(outcome, ex.context, options.reason), **options.audit_extra})
    event = audit.event_request(
        outcome.plan.target, outcome.identity, outcome.plan.action, outcome.result, options.reason
    )
    try:
        ex.send(event)
    except TriageError as exc:
        hooks.progress(f"note: the audit Event was not recorded ({exc.message})")
    return outcome
