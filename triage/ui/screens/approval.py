"""The approval modal of a cluster action: the plan, the dry run's diff, then yes or no.

Low-risk actions approve with one key (``y``); rollback, drain, delete and
patch, and every action in a production context, need the object's name
typed. The diff is highlighted (pygments, through rich's Syntax) but every
line keeps its ``+``/``-`` marker, so colour is never the only signal.
"""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from triage.actions.model import Plan
from triage.ui.keys import bindings


def plan_text(plan: Plan) -> str:
    """Notes and requests, as plain lines."""
    lines = [f"note: {note}" for note in plan.notes]
    lines += [f"{r.method} {r.path}  ({r.content_type})" for r in plan.requests]
    return "\n".join(lines)


class ApprovalScreen(ModalScreen[bool]):
    """Returns True to execute the plan, False to leave everything as it is."""

    BINDINGS = [
        *bindings("screen.back", "list.page_down", "list.page_up"),
        *bindings("approval.confirm"),
    ]
    DEFAULT_CSS = """
    ApprovalScreen { align: center middle; }
    ApprovalScreen > Vertical { width: 95%; max-width: 120; height: 90%;
        background: $surface; border: round $warning; padding: 0 1; }
    ApprovalScreen #diff { height: 1fr; border: round $primary; }
    ApprovalScreen #problem { color: $error; }
    ApprovalScreen.denied #summary, ApprovalScreen.denied #requests, ApprovalScreen.denied #diff {
        text-style: dim; }
    ApprovalScreen #denied { color: $error; text-style: bold; }
    """

    def __init__(
        self, plan: Plan, *, typed: bool, again: bool = False, denied: list[str] | None = None
    ) -> None:
        super().__init__()
        self.plan = plan
        self.typed = typed
        self.again = again
        #: the permissions the plan lacks: shown dimmed with them, and it cannot be approved
        self.denied = denied or []
        #: what the user typed as the reason (typed-name approvals), for the audit and Event
        self.reason = ""

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical() as box:
            box.border_title = f"{plan.action} {plan.target.label}"
            if self.again:
                yield Static(f"{plan.target.label} changed meanwhile: this is the new plan")
            yield Static(plan.summary, id="summary")
            with VerticalScroll(id="diff"):  # notes, requests and diff scroll together
                yield Static(plan_text(plan), id="requests", markup=False)
                empty = (
                    "(no server dry run: the permission is missing)"
                    if self.denied
                    else "(no change beyond bookkeeping)"
                )
                text = "".join(d.text for d in plan.diffs) or empty
                yield Static(Syntax(text, "diff", theme="ansi_dark", word_wrap=False))
            if self.denied:
                yield Static(
                    "✖ not allowed: needs "
                    + ", ".join(self.denied)
                    + "; this action cannot be started (escape: back)",
                    id="denied",
                    markup=False,
                )
            elif self.typed:
                yield Input(
                    placeholder=f"type {plan.target.name} to {plan.action} it; "
                    "tab: add a reason; escape: cancel",
                    id="name",
                )
                yield Input(
                    placeholder="why (optional; goes into the audit record and the Event)",
                    id="reason",
                )
            else:
                yield Static("y: approve    escape: cancel", id="keys")
            yield Static("", id="problem")

    def on_mount(self) -> None:
        # Nothing may cover the plan or the name field of a change to production
        # (a long-lived toast such as the demo's hint sits right over it).
        self.app.clear_notifications()
        self.set_class(bool(self.denied), "denied")
        if self.typed and not self.denied:
            self.query_one("#name", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``y`` approves only where one key is enough."""
        if action == "confirm":
            return not self.typed and not self.denied
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#name", Input)
        if name.value.strip() == self.plan.target.name:
            self.reason = self.query_one("#reason", Input).value.strip()
            self.dismiss(True)
            return
        self.query_one("#problem", Static).update(
            f"that is not {self.plan.target.name}: nothing was changed; type it, or escape"
        )
        name.focus()

    def action_page_down(self) -> None:
        """The plan and diff scroll while the name field keeps the focus."""
        self.query_one("#diff", VerticalScroll).scroll_page_down()

    def action_page_up(self) -> None:
        self.query_one("#diff", VerticalScroll).scroll_page_up()

    def action_confirm(self) -> None:
        if not self.denied:
            self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
