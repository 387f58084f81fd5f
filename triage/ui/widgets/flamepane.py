"""The flame graph pane: hosts the flame graph of the current tree.

It receives finished trees (built by the screen's workers) and shows them; the
sample type switch and exports are asked of the screen with messages.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from triage.pprof.tree import CallTree
from triage.ui.widgets.placeholder import PaneMessage


class TreeReady(Message):
    """A call tree to show, with where it came from."""

    def __init__(
        self,
        tree: CallTree,
        title: str,
        *,
        source: str,
        sample_types: list[str] | None = None,
        current_type: str | None = None,
    ) -> None:
        super().__init__()
        self.tree = tree
        self.title = title
        self.source = source  # "dump" | "profile"
        self.sample_types = sample_types or []
        self.current_type = current_type

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TreeReady) and message.source == self.source


def summary_lines(tree: CallTree, limit: int = 40) -> list[Content]:
    """The heaviest functions by self value (shown until a flame graph is mounted)."""
    from triage.pprof.views import top_rows

    out = [Content.assemble(("flat%   cum%  function", "bold"))]
    for row in top_rows(tree)[:limit]:
        out.append(
            Content.assemble(
                f"{tree.percent(row.flat):5.1f}  {tree.percent(row.cum):5.1f}  ",
                (row.origin.mark + " ", "dim"),
                row.name,
            )
        )
    return out


class FlamePane(Vertical):
    """Title line and the flame graph (or a message when there is nothing to draw)."""

    DEFAULT_CSS = """
    FlamePane { height: 1fr; }
    FlamePane > .pane-title { height: 1; background: $panel; padding: 0 1; }
    FlamePane > #flame-summary { height: 1fr; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.current: TreeReady | None = None

    def compose(self) -> ComposeResult:
        yield Static("Flame graph", classes="pane-title", id="flame-title")
        yield PaneMessage("No profile or dump loaded yet.", id="flame-message")
        yield Static("", id="flame-summary")

    def on_mount(self) -> None:
        self.query_one("#flame-summary").display = False

    def show_tree(self, ready: TreeReady) -> None:
        """Display a finished tree."""
        self.current = ready
        self.query_one("#flame-title", Static).update(ready.title)
        self.query_one("#flame-message").display = False
        summary = self.query_one("#flame-summary", Static)
        summary.update(Content("\n").join(summary_lines(ready.tree)))
        summary.display = True

    def message(self, text: str) -> None:
        """Show a one-line message instead of a graph."""
        message = self.query_one("#flame-message", PaneMessage)
        message.update(text)
        message.display = True
