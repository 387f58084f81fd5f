"""Jumps between the workspace's views: a flame-graph frame to its goroutine groups, and back.

``v`` on a frame filters the goroutine list to the groups whose stacks contain
it (the filter is shown and ``escape`` clears it, as a typed ``/`` filter);
``f`` on a group selects its frame in the flame graph: the frame the jump came
from when the group has it, else the group's own top frame. A mixin of the
workspace screen, which stays small; it also has the live-only keys (``p``,
``L``) say why they do nothing on a file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.events import Key
from textual.screen import Screen

from triage.goroutines.filter import frame_filter, parse_filter
from triage.ui.screens.workspace_layout import offline_reason
from triage.ui.widgets.flame import FlameGraph
from triage.ui.widgets.flame_messages import GroupsRequested
from triage.ui.widgets.goroutines import FlameRequested, GoroutinePane

if TYPE_CHECKING:
    from collections.abc import Mapping

    from triage.goroutines.grouping import Group
    from triage.live.session import LiveSession


class JumpActions(Screen[None]):
    """``v`` (flame graph -> groups) and ``f`` (group -> flame graph)."""

    #: the function the last ``v`` jumped from (``f`` goes back to it)
    jumped_from: str | None = None

    if TYPE_CHECKING:  # the workspace's own (a stub here would override them)
        live: LiveSession | None

        def note(self, text: str, level: str = "info") -> None: ...
        def show_pane(self, name: str) -> None: ...

    def on_key(self, event: Key) -> None:
        """A live-only key on a file (not offered there, so unhandled) says why."""
        why = offline_reason(self.app, event.key) if self.live is None else None
        if why:
            self.note(why)
            event.stop()

    def on_flame_graph_groups_requested(self, event: GroupsRequested) -> None:
        event.stop()
        pane = self.query_one(GoroutinePane)
        if pane.full is None:
            self.note("v lists the goroutine groups with a frame: no goroutine dump is open")
            return
        pane.set_filter(parse_filter(frame_filter(event.name)))
        self.jumped_from = event.name
        self.show_pane("goroutines")
        self.note(f"groups with {event.name} · f: back to the flame graph · escape: all groups")

    def on_flame_requested(self, event: FlameRequested) -> None:
        event.stop()
        flame = self.query_one(FlameGraph)
        tree = flame.call_tree
        name = self._frame_of(event.group, tree.by_name() if tree is not None else {})
        if name is None:
            self.note(f"group #{event.group.id}'s frames are not in this flame graph")
            return
        flame.focus_function(name)
        self.show_pane("flame")
        self.note(f"{name} in the flame graph · v: its goroutine groups")

    def _frame_of(self, group: Group, names: Mapping[str, object]) -> str | None:
        """The frame to select for ``group``: where the jump came from, else its top frame."""
        funcs = [f.func for f in group.frames]
        top = group.top_user_frame or group.top_frame
        wanted = [self.jumped_from, top.func if top else None, *funcs]
        return next((n for n in wanted if n and n in funcs and n in names), None)
