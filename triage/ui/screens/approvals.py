"""The two-person rule in the app: pending requests, approved or rejected by someone else.

The same rules as ``triage approvals|approve|reject``: a request lives as an
annotation on its object; the identity that recorded it can never approve or
reject it (said in one line, nothing changes); an expired one is not listed.
Approving rebuilds the action from the recorded arguments and takes it
through the pipeline (RBAC, dry run, the approval modal, audit naming both
people), then removes the request. Everything that talks to the cluster runs
in a thread worker (group ``approvals``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage.errors import TriageError
from triage.ui.keys import bindings

if TYPE_CHECKING:
    from triage.actions.requests import Request
    from triage.cluster.kubeconfig import ConnectOptions


class RequestsRead(Message):
    """The pending requests and who we are, or what failed."""

    def __init__(self, found: list[Request], me: str, error: str = "") -> None:
        super().__init__()
        self.found = found
        self.me = me
        self.error = error


class Decided(Message):
    """How an approval or a rejection ended (one line)."""

    def __init__(self, text: str, *, failed: bool, final: bool = True) -> None:
        super().__init__()
        self.text = text
        self.failed = failed
        #: the outcome (the list is read again), not a progress line
        self.final = final


def request_line(r: Request, me: str) -> str:
    """One request as a line; the user's own is marked in words."""
    own = "  (yours: another person decides)" if r.requester == me else ""
    return f"{r.id}  {r.action} {r.target}  by {r.requester}  until {r.expires}  {r.reason}{own}"


class ApprovalsScreen(ModalScreen[None]):
    """Pending requests; ``y`` approves, ``x`` rejects (not in read-only mode)."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    ApprovalsScreen { align: center middle; }
    ApprovalsScreen > Vertical { width: 95%; max-width: 130; height: auto; max-height: 80%;
        background: $surface; border: round $warning; padding: 0 1; }
    ApprovalsScreen OptionList { height: auto; max-height: 20; }
    ApprovalsScreen #approvals-status.failed { color: $error; }
    """

    def __init__(self, options: ConnectOptions, *, read_only: bool) -> None:
        super().__init__()
        self.options = options
        self.read_only = read_only
        self.requests: list[Request] = []
        self.me = ""
        #: how the last decision ended (kept when the list is read again)
        self.last = ""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "pending two-person requests"
            yield OptionList(id="approvals-list")
            yield Static(f"reading requests…   {self._keys()}", id="approvals-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._read()

    @work(thread=True, exclusive=True, group="approvals", exit_on_error=False)
    def _read(self) -> None:
        from triage.actions import requests
        from triage.cluster.client import connect
        from triage.cluster.executor import ClientExecutor

        try:
            client = connect(self.options)
            try:
                ex = ClientExecutor(client)
                found = requests.pending(ex, self.options.namespace or client.namespace)
                self.post_message(RequestsRead(found, ex.identity()))
            finally:
                client.close()
        except TriageError as exc:
            self.post_message(RequestsRead([], "", exc.line()))

    def on_requests_read(self, event: RequestsRead) -> None:
        self.requests, self.me = event.found, event.me
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options([Option(request_line(r, self.me), id=r.id) for r in self.requests])
        if self.requests:
            listing.highlighted = 0
        text = event.error or f"{len(self.requests)} pending (you are {self.me})   {self._keys()}"
        if self.last and not event.error:
            text = f"{self.last}\n{text}"
        self._say(text, failed=bool(event.error))

    def _keys(self) -> str:
        return "escape: back" if self.read_only else "y: approve  x: reject  escape: back"

    def _say(self, text: str, *, failed: bool) -> None:
        line = self.query_one("#approvals-status", Static)
        line.update(text)
        line.set_class(failed, "failed")

    def current(self) -> Request | None:
        """The request under the cursor."""
        index = self.query_one(OptionList).highlighted
        return self.requests[index] if index is not None and index < len(self.requests) else None

    def action_decide(self, verdict: str) -> None:
        """Approve or reject the request under the cursor; never one's own."""
        request = self.current()
        if request is None:
            return
        if request.requester == self.me:
            self._say(
                f"{self.me} requested {request.id}: the same identity cannot {verdict} it; "
                "nothing was changed",
                failed=True,
            )
            return
        self._say(f"{verdict} {request.id}…", failed=False)
        self._decide(request, verdict)

    @work(thread=True, exclusive=True, group="approvals-decide", exit_on_error=False)
    def _decide(self, request: Request, verdict: str) -> None:
        try:
            text, failed = self._carry_out(request, verdict)
        except TriageError as exc:
            text, failed = exc.line(), True
        self.post_message(Decided(text, failed=failed))

    def _carry_out(self, request: Request, verdict: str) -> tuple[str, bool]:
        from triage.actions import audit, requests
        from triage.actions.pipeline import Hooks, Options, run
        from triage.cluster.client import connect
        from triage.cluster.executor import ClientExecutor
        from triage.commands.approvals import rebuild
        from triage.ui.approver import ScreenApprover

        client = connect(self.options)
        try:
            ex = ClientExecutor(client)
            me = ex.identity()
            if me == request.requester:  # asked again: the cluster's word, not ours
                return f"{me} requested {request.id}: nothing was changed", True
            if request.expired():
                return f"request {request.id} expired at {request.expires}", True
            drop = requests.annotate(request.path, None, f"removing request {request.id}")
            if verdict == "reject":
                ex.send(drop)
                audit.append(
                    {
                        "time": audit.now(),
                        "identity": me,
                        "action": "reject",
                        "request": request.as_json(),
                        "result": "rejected",
                    }
                )
                return f"request {request.id} ({request.action} {request.target}) rejected", False
            options = Options(
                reason=f"{request.reason} (requested by {request.requester}, approved by {me})",
                audit_extra={
                    "requester": request.requester,
                    "approver": me,
                    "request": request.id,
                },
            )
            production = ex.context in self.app.config.actions.production_contexts  # type: ignore[attr-defined]
            hooks = Hooks(lambda plan: None, self._progress)
            outcome = run(
                rebuild(request), ex, ScreenApprover(self.app, production), hooks, options
            )
            if outcome.result not in ("conflict", "refused"):
                ex.send(drop)
            return outcome.message, not outcome.ok
        finally:
            client.close()

    def _progress(self, line: str) -> None:
        self.post_message(Decided(line, failed=False, final=False))

    def on_decided(self, event: Decided) -> None:
        self._say(event.text, failed=event.failed)
        if event.final:
            self.last = ("✖ " if event.failed else "✔ ") + event.text
            self._read()

    def action_back(self) -> None:
        self.dismiss(None)


class ActingApprovalsScreen(ApprovalsScreen):
    """With the approve and reject keys bound."""

    BINDINGS = bindings("approvals.approve", "approvals.reject")


def approvals_screen(options: ConnectOptions, read_only: bool) -> ApprovalsScreen:
    """The screen for the mode: read-only never binds approve or reject."""
    return (ApprovalsScreen if read_only else ActingApprovalsScreen)(options, read_only=read_only)
