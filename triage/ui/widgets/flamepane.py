"""The flame graph pane: hosts the FlameGraph widget for the current tree.

It receives finished trees (built by the screen's workers) and shows them; the
sample type switch and exports go to the screen as the widget's messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from triage.pprof.tree import CallTree
from triage.ui.widgets.flame import FlameGraph

if TYPE_CHECKING:
    from triage.pprof.model import Profile


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
        profile: Profile | None = None,
    ) -> None:
        super().__init__()
        self.tree = tree
        self.title = title
        self.source = source  # "dump" | "profile"
        self.sample_types = sample_types or []
        self.current_type = current_type
        #: the decoded profile the tree came from (to rebuild it for another sample type)
        self.profile = profile

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TreeReady) and message.source == self.source


class FlamePane(Vertical):
    """The flame graph of the current dump snapshot or profile."""

    DEFAULT_CSS = """
    FlamePane { height: 1fr; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current: TreeReady | None = None

    def compose(self) -> ComposeResult:
        yield FlameGraph(id="flame-graph")

    def show_tree(self, ready: TreeReady) -> None:
        """Display a finished tree (selection and zoom are kept where they still exist)."""
        self.current = ready
        self.query_one(FlameGraph).set_tree(
            ready.tree, ready.title, ready.sample_types or None, ready.current_type
        )
