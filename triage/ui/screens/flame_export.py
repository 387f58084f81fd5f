"""The workspace's flame-graph exports: folded stacks or a standalone SVG, in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from triage.ui.flametrees import export
from triage.ui.messages import StatusNote
from triage.ui.widgets.flame_messages import ExportRequested

if TYPE_CHECKING:
    from triage.pprof.tree import CallTree


class FlameExports(Screen[None]):
    """``e``/``E`` in the flame pane: the file is written off the event loop."""

    def on_flame_graph_export_requested(self, event: ExportRequested) -> None:
        self.export_tree(event.kind, event.tree, event.title)

    @work(thread=True, group="export", exit_on_error=False)
    def export_tree(self, kind: str, tree: CallTree, title: str) -> None:
        """Write the graph to the current directory: folded stacks or a standalone SVG."""
        self.post_message(StatusNote(f"wrote {export(kind, tree, title, Path.cwd())}"))
