"""The actions pipeline's Approver inside the app.

The pipeline runs in a thread worker (it blocks on the API server); when it
needs approval this pushes :class:`ApprovalScreen` on the UI thread and waits
for the answer. If the app goes away meanwhile the answer is no.
"""

from __future__ import annotations

import threading
from typing import Any

from triage.actions.approval import needs_typed_name
from triage.actions.model import Plan
from triage.actions.pipeline import Options
from triage.ui.screens.approval import ApprovalScreen


class ScreenApprover:
    """Asks with the modal; call :meth:`approve` from a worker thread only."""

    def __init__(self, app: Any, production: bool = False, options: Options | None = None) -> None:
        self.app = app
        self.production = production
        #: the run's options: a reason typed in the modal replaces ``options.reason``
        self.options = options

    def approve(self, plan: Plan, *, again: bool) -> bool:
        """Show the modal and block this (worker) thread until it is answered."""
        done = threading.Event()
        answer = [False]

        def answered(ok: bool | None) -> None:
            answer[0] = bool(ok)
            if ok and screen.reason and self.options is not None:
                self.options.reason = screen.reason
            done.set()

        screen = ApprovalScreen(plan, typed=needs_typed_name(plan, self.production), again=again)
        self.app.call_from_thread(self.app.push_screen, screen, answered)
        while not done.wait(0.2):
            if not self.app.is_running:
                return False
        return answer[0]
