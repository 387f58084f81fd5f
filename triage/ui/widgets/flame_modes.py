"""The flame graph's search, top table and sandwich view (a mixin of FlameGraph).

Kept apart from the icicle's movement and zoom so each file reads on its own;
the state they share lives on the widget and is declared below for mypy only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Input

from triage.pprof.tree import CallTree, Node
from triage.pprof.views import SORT_KEYS, Sandwich, SearchResult
from triage.ui.flamegrid import Grid, ordered_matches, sandwich_grid
from triage.ui.focus import focus_now
from triage.ui.widgets.flame_compute import Sandwiched, Searched, run_sandwich, run_search
from triage.ui.widgets.flame_messages import GroupsRequested

if TYPE_CHECKING:
    from textual.widget import Widget

    from triage.ui.widgets.flame_table import TopTable
    from triage.ui.widgets.flame_view import FlameView

    _Base = Widget
else:
    _Base = object


class FlameModes(_Base):
    """Search (``/``, ``n``/``N``), the top table (``t``, ``s``) and the sandwich (``w``)."""

    if TYPE_CHECKING:
        call_tree: CallTree | None
        mode: str
        sort: str
        zoom: Node | None
        selected: Node | None
        search_result: SearchResult | None
        sandwich: Sandwich | None
        _generation: int
        _came_from: dict[int, Node]
        _flame_selection: Node | None

        @property
        def view(self) -> FlameView: ...
        @property
        def table(self) -> TopTable: ...
        def _select(self, node: Node | None) -> None: ...
        def _show_flame(self, zoom: Node, selected: Node | None) -> None: ...
        def _show_table(self, sort: str, keep: str | None = None) -> None: ...
        def _update_lines(self) -> None: ...
        def focus_function(self, name: str) -> None: ...
        def focus_node(self, node: Node) -> None: ...

    # --- search ---------------------------------------------------------------

    def search(self, query: str) -> None:
        """Highlight the functions matching ``query`` (empty: clear); runs in a worker."""
        if self.call_tree is None:
            return
        if not query.strip():
            self._apply_search(None)
            return
        run_search(self, self.call_tree, self._generation, query)

    def on_searched(self, message: Searched) -> None:
        message.stop()
        if message.generation == self._generation:
            self._apply_search(message.result)

    def _apply_search(self, result: SearchResult | None) -> None:
        self.search_result = result
        self.view.set_matches(result.nodes if result else frozenset())
        self.table.set_matches(frozenset(result.names) if result else frozenset())
        self._update_lines()
        if result and result.nodes and self.mode != "top":
            self.action_next_match()

    def action_search(self) -> None:
        prompt = self.query_one("#flame-search", Input)
        prompt.value = self.search_result.query if self.search_result else ""
        prompt.display = True
        focus_now(prompt)

    def search_open(self) -> bool:
        """Whether the search prompt is showing (its key then types into it)."""
        return bool(self.query_one("#flame-search", Input).display)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "flame-search":
            return
        event.stop()
        self._close_search()
        self.search(event.value)

    def _close_search(self) -> bool:
        """Hide the search prompt if it is open (escape cancels it); True if it was."""
        prompt = self.query_one("#flame-search", Input)
        if not prompt.display:
            return False
        prompt.display = False
        focus_now(self)
        return True

    def action_next_match(self, step: int = 1) -> None:
        """Select the next (``step`` 1) or previous (-1) drawn match, in reading order."""
        result = self.search_result
        if result is None or not result.nodes or self.mode == "top":
            return
        grid = self.view.grid
        cells = ordered_matches(grid.cells(), result.nodes)
        if not cells:
            if self.mode == "flame":  # every match too narrow here: zoom to the heaviest
                self.focus_node(max(result.nodes, key=lambda n: (n.weight, -n.depth)))
            return
        current = grid.cell(self.selected)
        here = (current.row, current.x) if current is not None else (-1, -1)
        order = [(c.row, c.x) for c in cells]
        if step > 0:
            index = next((i for i, pos in enumerate(order) if pos > here), 0)
        else:
            index = next((i for i in reversed(range(len(order))) if order[i] < here), -1)
        self._select(cells[index].node)

    def action_previous_match(self) -> None:
        self.action_next_match(-1)

    # --- the top table ----------------------------------------------------------

    def action_toggle_top(self) -> None:
        if self.mode == "top":
            self._leave_mode()
            return
        selected = self.selected
        keep = selected.name if selected is not None and selected.parent is not None else None
        self._show_table(self.sort, keep)

    def action_next_sort(self) -> None:
        """Sort the table by the next key (flat, cum, name); opens the table if hidden."""
        if self.mode != "top":
            self.action_toggle_top()
            return
        following = SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)]
        self._show_table(following)  # from the top: a new order's head, not a middle slice

    # --- the sandwich -----------------------------------------------------------

    def open_sandwich(self, name: str) -> None:
        """Show function ``name``'s callers above it and callees below (built in a worker)."""
        if self.call_tree is not None:
            run_sandwich(self, self.call_tree, self._generation, name)

    def action_groups_of_frame(self) -> None:
        """Ask the owner for the goroutine groups through the current function (v)."""
        name = None
        if self.mode == "top" and self.table.current is not None:
            name = self.table.current.name
        elif self.mode == "sandwich" and self.sandwich is not None:
            name = self.sandwich.name
        elif self.selected is not None and self.selected.parent is not None:
            name = self.selected.name
        if name is None:
            self.notify("Select a frame first: every group goes through the root.", timeout=3)
            return
        self.post_message(GroupsRequested(self, name))  # type: ignore[arg-type]

    def action_toggle_sandwich(self) -> None:
        if self.mode == "sandwich":
            self._leave_mode()
            return
        name = None
        if self.mode == "top" and self.table.current is not None:
            name = self.table.current.name
        elif self.selected is not None and self.selected.parent is not None:
            name = self.selected.name
        if name is None:
            self.notify("Select a function first: the root has no callers.", timeout=3)
            return
        self.open_sandwich(name)

    def on_sandwiched(self, message: Sandwiched) -> None:
        message.stop()
        tree = self.call_tree
        if message.generation != self._generation or tree is None:
            return
        sandwich = message.sandwich
        callers = sandwich.callers.root.children.get(sandwich.name)
        callees = sandwich.callees.root.children.get(sandwich.name)
        if callers is None or callees is None:
            self.notify(f"{sandwich.name}: no samples to draw", severity="warning", timeout=3)
            return
        if self.mode != "sandwich":
            self._flame_selection = self.selected
        self.sandwich = sandwich
        self.mode = "sandwich"
        self.table.display = False
        self.view.display = True
        self._came_from.clear()

        def layout(width: int) -> Grid:
            return sandwich_grid(callers, callees, width)

        self.view.show(("sandwich", self._generation, id(sandwich)), layout, diff=tree.is_diff)
        self.view.set_matches(self.search_result.nodes if self.search_result else frozenset())
        self._select(callees)
        self._update_lines()

    def _leave_mode(self) -> None:
        """Back to the flame graph from the table or the sandwich.

        Leaving a sandwich that was moved to another function selects that
        function's heaviest frame; otherwise the flame selection is kept.
        """
        name = self.sandwich.name if self.mode == "sandwich" and self.sandwich else None
        if name is not None:
            self.selected = self._flame_selection
        self.mode = "flame"
        self.sandwich = None
        self.table.display = False
        self.view.display = True
        if name is not None and (self.selected is None or self.selected.name != name):
            self.focus_function(name)
        elif self.zoom is not None:
            self._show_flame(self.zoom, self.selected)
        self._update_lines()
