"""A Deployment's revisions in the app: the last good mark, the anchor, and two keys.

The table is :func:`triage.actions.history.read` (read in a thread worker), as
``triage rollback deployment/NAME --history`` prints it. ``R`` rolls back to
the revision under the cursor and ``m`` marks it as the rollback anchor; both
go through the cluster screen's action flow (plan, RBAC, dry run, the approval
modal, audit) and neither is bound in read-only mode.
"""

from __future__ import annotations

from collections.abc import Callable
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
    from triage.actions.history import RevisionRow
    from triage.cluster.kubeconfig import ConnectOptions

#: what the screen hands back: the action's words (``rollback deployment/x --to-revision 1``)
Act = Callable[[list[str]], None]


class RevisionsRead(Message):
    """The table, or what failed."""

    def __init__(self, table: list[RevisionRow], error: str = "") -> None:
        super().__init__()
        self.table = table
        self.error = error


def revision_line(row: RevisionRow, good: int | None) -> str:
    """One revision as a line, every mark in words."""
    marks = []
    if row.revision == good:
        marks.append("last good")
    if row.anchor:
        marks.append("anchor")
    if row.restarts:
        marks.append("crashing")
    if row.current:
        marks.append("current")
    images = ", ".join(row.images)
    return (
        f"{row.revision:>4}  pods {row.ready}/{row.pods}  restarts {row.restarts:<4} "
        f"{', '.join(marks):<24} {images}  {row.change_cause}".rstrip()
    )


class RevisionsScreen(ModalScreen[None]):
    """The revisions of one Deployment (read-only: no key bound to change anything)."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    RevisionsScreen { align: center middle; }
    RevisionsScreen > Vertical { width: 95%; max-width: 130; height: auto; max-height: 80%;
        background: $surface; border: round $primary; padding: 0 1; }
    RevisionsScreen OptionList { height: auto; max-height: 16; }
    """

    def __init__(
        self, options: ConnectOptions, namespace: str, name: str, clean_for: float, act: Act
    ) -> None:
        super().__init__()
        self.options = options
        self.namespace = namespace
        self.deployment = name
        self.clean_for = clean_for
        self.act = act
        self.table: list[RevisionRow] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"revisions of deployment/{self.deployment}"
            yield OptionList(id="revisions-list")
            yield Static("reading revisions…", id="revisions-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._read()

    @work(thread=True, exclusive=True, group="revisions", exit_on_error=False)
    def _read(self) -> None:
        from triage.actions import history
        from triage.cluster.client import connect
        from triage.cluster.executor import ClientExecutor

        try:
            client = connect(self.options)
            try:
                ex = ClientExecutor(client)
                table = history.read(ex, self.namespace, self.deployment, self.clean_for)
            finally:
                client.close()
        except TriageError as exc:
            self.post_message(RevisionsRead([], exc.line()))
            return
        self.post_message(RevisionsRead(table))

    def on_revisions_read(self, event: RevisionsRead) -> None:
        from triage.actions.history import last_good

        self.table = event.table
        good = last_good(self.table)
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options([Option(revision_line(r, good)) for r in self.table])
        if self.table:
            listing.highlighted = 0
        keys = (
            "escape: back"
            if type(self) is RevisionsScreen
            else ("R: roll back to it  m: mark as the rollback anchor  escape: back")
        )
        self.query_one("#revisions-status", Static).update(event.error or keys)

    def current(self) -> RevisionRow | None:
        """The revision under the cursor."""
        index = self.query_one(OptionList).highlighted
        return self.table[index] if index is not None and index < len(self.table) else None

    def action_revision(self, what: str) -> None:
        """Hand the action to the cluster screen's flow, and close."""
        row = self.current()
        if row is None:
            return
        target = f"deployment/{self.deployment}"
        flag = "--to-revision" if what == "rollback" else "--mark-anchor"
        self.dismiss(None)
        self.act(["rollback", target, flag, str(row.revision)])

    def action_back(self) -> None:
        self.dismiss(None)


class ActingRevisionsScreen(RevisionsScreen):
    """With the keys that roll back to a revision or mark it."""

    BINDINGS = bindings("revisions.rollback", "revisions.anchor")
