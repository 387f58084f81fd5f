"""What the flame graph tells its owner (the workspace screen).

Defined here and exposed as ``FlameGraph.Selected``, ``FlameGraph.TypeRequested``
and ``FlameGraph.ExportRequested``; the ``flame_graph`` namespace gives them
the handler names a nested class would have (``on_flame_graph_selected``...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from triage.pprof.tree import CallTree, Node

if TYPE_CHECKING:
    from triage.ui.widgets.flame import FlameGraph

EXPORT_KINDS = ("folded", "svg")


class Selected(Message, namespace="flame_graph"):
    """The selected frame changed (coalesced: only the latest of a burst is handled)."""

    def __init__(self, flame: FlameGraph, node: Node) -> None:
        super().__init__()
        self.flame = flame
        self.node = node

    @property
    def control(self) -> FlameGraph:
        return self.flame

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Selected) and message.flame is self.flame


class TypeRequested(Message, namespace="flame_graph"):
    """Show sample type ``type_name``: rebuild the tree in a worker, then call ``set_tree``."""

    def __init__(self, flame: FlameGraph, type_name: str) -> None:
        super().__init__()
        self.flame = flame
        self.type_name = type_name

    @property
    def control(self) -> FlameGraph:
        return self.flame


class ExportRequested(Message, namespace="flame_graph"):
    """Write ``tree`` as ``kind`` ("folded" or "svg") in a worker; ``title`` heads the SVG."""

    def __init__(self, flame: FlameGraph, kind: str, tree: CallTree, title: str) -> None:
        super().__init__()
        if kind not in EXPORT_KINDS:
            raise ValueError(f"export kind must be one of {EXPORT_KINDS}")
        self.flame = flame
        self.kind = kind
        self.tree = tree
        self.title = title

    @property
    def control(self) -> FlameGraph:
        return self.flame


class GroupsRequested(Message, namespace="flame_graph"):
    """Show the goroutine groups whose stacks contain function ``name`` (a jump)."""

    def __init__(self, flame: FlameGraph, name: str) -> None:
        super().__init__()
        self.flame = flame
        self.name = name

    @property
    def control(self) -> FlameGraph:
        return self.flame
