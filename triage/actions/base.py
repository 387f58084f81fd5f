"""What every action is, and the behaviour most share (send the planned requests in order).

An action reads the cluster into a :class:`Plan` (``plan``), previews it with
the server's dry run (``preview``: diffs, and for a drain the pods a budget
blocks), sends it (``execute``) and checks the result (``verify``). The
pipeline drives these steps; actions never ask for approval themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from triage.actions.diff import unified
from triage.actions.executor import Executor
from triage.actions.model import ApiRequest, Diff, Plan

Progress = Callable[[str], None]


class Action(Protocol):
    """One kind of change to one object."""

    @property
    def name(self) -> str:
        """``rollback``, ``drain``...: the audit's action name."""
        ...

    def plan(self, ex: Executor) -> Plan:
        """Read what is needed and say exactly what will be sent (no change)."""
        ...

    def preview(self, ex: Executor, plan: Plan) -> None:
        """Server dry run of the plan: fill ``plan.diffs`` (and notes)."""
        ...

    def execute(
        self, ex: Executor, plan: Plan, progress: Progress, deadline: float
    ) -> list[ApiRequest]:
        """Send the plan; return the requests sent."""
        ...

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Wait for the effect; return what was seen (ActionFailed when it did not come)."""
        ...


class RequestAction:
    """An action whose execution is its planned requests, sent in order."""

    name = "action"
    #: seconds between verification polls
    poll = 0.5

    def preview(self, ex: Executor, plan: Plan) -> None:
        """Each request sent with ``dryRun=All``; its answer diffed against the object read."""
        for request in plan.requests:
            after = ex.send(request, dry_run=True)
            before = plan.before.get(request.path)
            if before is not None:
                title = (
                    plan.target.label
                    if not request.path.endswith("/scale")
                    else (f"{plan.target.label}/scale")
                )
                plan.diffs.append(Diff(title, unified(before, after, title)))

    def execute(
        self, ex: Executor, plan: Plan, progress: Progress, deadline: float
    ) -> list[ApiRequest]:
        """Send every request; remember the last answer for :meth:`verify`."""
        sent: list[ApiRequest] = []
        plan.data["sent"] = sent  # what went out, should a later request fail
        for request in plan.requests:
            progress(f"{request.method} {request.path}")
            plan.data["answer"] = ex.send(request)
            sent.append(request)
        return sent

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Nothing to wait for by default."""
        return "done"


def sleep_until(deadline: float, pause: float) -> bool:
    """Sleep ``pause`` (less if the deadline is nearer); False when the deadline has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    time.sleep(min(pause, left))
    return True
