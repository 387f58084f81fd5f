"""The flame graph pane: an icicle (root on top) of a call tree, driven by keys.

The widget only displays a :class:`~triage.pprof.tree.CallTree` it is given:
it never decodes, fetches or writes. What needs the owner is asked for with a
message: another sample type (:class:`FlameGraph.TypeRequested`, the owner
rebuilds the tree in a worker and calls :meth:`FlameGraph.set_tree`) and an
export (:class:`FlameGraph.ExportRequested`, the owner writes the file in a
worker). Searches and sandwiches walk the tree, so they run in thread workers
of their own and come back as messages.

Around the icicle: a header (title, sample type, zoom or mode), a status line
(search share and the origin legend, ``mark=origin``), and an info line that
always shows the selected frame's full name, self and total with units and
shares, and file:line. Every key is a binding with an id (``flame.*`` in
triage.ui.keys), so keymaps can move it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from triage.pprof.tree import CallTree, Node
from triage.pprof.views import Sandwich, SearchResult, function_totals, top_rows
from triage.ui.flamegrid import Grid, flame_grid, follow, is_under, path_names, zoom_to_show
from triage.ui.flamerender import header_content, info_content, legend_content, search_summary
from triage.ui.keys import KEYS, bindings
from triage.ui.widgets.flame_compute import run_warm
from triage.ui.widgets.flame_messages import (
    ExportRequested,
    GroupsRequested,
    Selected,
    TypeRequested,
)
from triage.ui.widgets.flame_modes import FlameModes
from triage.ui.widgets.flame_table import TopTable
from triage.ui.widgets.flame_view import FlameView, GridSource

FLAME_IDS = tuple(bid for bid in KEYS if bid.startswith("flame."))
MODES = ("flame", "top", "sandwich")


class FlameGraph(FlameModes, Widget, can_focus=True):
    """A keyboard-driven flame graph with search, a top table and a sandwich view."""

    BINDINGS = bindings(*FLAME_IDS)
    DEFAULT_CSS = """
    FlameGraph { layout: vertical; height: 1fr; }
    FlameGraph > .flame-line {
        height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    FlameGraph > #flame-header { background: $panel; color: $text; }
    FlameGraph:focus > #flame-header { text-style: bold; }
    FlameGraph > #flame-info {
        height: auto; max-height: 5; padding: 0 1; background: $surface; color: $text;
        border-top: hkey $panel;
    }
    FlameGraph > #flame-empty { height: 1fr; padding: 1 2; color: $text-muted; }
    FlameGraph > #flame-search { height: 1; border: none; padding: 0 1; display: none; }
    FlameGraph > TopTable { display: none; }
    """

    Selected = Selected
    TypeRequested = TypeRequested
    ExportRequested = ExportRequested
    GroupsRequested = GroupsRequested

    def __init__(
        self,
        tree: CallTree | None = None,
        *,
        sample_types: list[str] | None = None,
        current_type: str | None = None,
        title: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.call_tree: CallTree | None = None
        self.title = title
        self.sample_types: list[str] = list(sample_types or [])
        self.current_type = current_type
        self.pending_type: str | None = None
        self.mode = "flame"
        self.sort = "flat"
        self.zoom: Node | None = None
        self.selected: Node | None = None
        self.search_result: SearchResult | None = None
        self.sandwich: Sandwich | None = None
        self._zoom_stack: list[Node] = []
        self._came_from: dict[int, Node] = {}
        self._flame_selection: Node | None = None
        self._info_lines = 0
        self._generation = 0
        self._initial = tree
        self._ready = False
        self._view = FlameView(id="flame-view")
        self._table = TopTable(id="flame-top")

    # --- composition and the public API --------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="flame-header", classes="flame-line")
        yield Static("", id="flame-status", classes="flame-line")
        yield Static("No profile loaded.", id="flame-empty")
        yield self._view
        yield self._table
        yield Static("", id="flame-info")
        yield Input(placeholder="search functions (enter: find, escape: cancel)", id="flame-search")

    def on_mount(self) -> None:
        self._view.display = False
        self._ready = True
        if self._initial is not None:
            self.set_tree(self._initial, self.title, self.sample_types, self.current_type)
            self._initial = None

    @property
    def view(self) -> FlameView:
        """The icicle (line API)."""
        return self._view

    @property
    def table(self) -> TopTable:
        """The top table (line API), shown instead of the icicle in "top" mode."""
        return self._table

    def set_tree(
        self,
        tree: CallTree,
        title: str = "",
        sample_types: list[str] | None = None,
        current_type: str | None = None,
    ) -> None:
        """Show ``tree``; keep the zoom and selection by function path when they exist in it."""
        if not self._ready:
            self._initial, self.title = tree, title or self.title
            self.sample_types = list(sample_types or self.sample_types)
            self.current_type = current_type or self.current_type
            return
        current = self._flame_selection if self.mode == "sandwich" else self.selected
        keep_zoom, keep_selected = path_names(self.zoom), path_names(current)
        self.call_tree = tree
        self.title = title or self.title
        if sample_types is not None:
            self.sample_types = list(sample_types)
        if current_type is not None:
            self.current_type = current_type
        self.pending_type = None
        self._generation += 1
        self._zoom_stack.clear()
        self._came_from.clear()
        self.view.forget()
        run_warm(self, tree)
        self.query_one("#flame-empty").display = False
        self.view.display = self.mode != "top"
        query = self.search_result.query if self.search_result else None
        self.search_result = None  # the old tree's nodes: searched again below
        zoom = follow(tree.root, keep_zoom)
        selected = follow(tree.root, keep_selected)
        if not is_under(selected, zoom):
            zoom = tree.root
        self._show_flame(zoom, selected)
        if query:
            self.search(query)
        if self.mode == "top":
            self._show_table(self.sort, self.table.current.name if self.table.current else None)
        elif self.mode == "sandwich" and self.sandwich is not None:
            name = self.sandwich.name
            self.sandwich = None
            self.mode = "flame"
            if name in tree.by_name():
                self.open_sandwich(name)
        self._update_lines()

    def focus_function(self, name: str) -> None:
        """Select the heaviest node of function ``name`` in the flame graph, zooming if needed."""
        if self.call_tree is None or name not in self.call_tree.by_name():
            return
        self.focus_node(function_totals(self.call_tree)[name].heaviest)

    def focus_node(self, node: Node) -> None:
        """Select ``node`` in the flame graph, zooming out or in so that it is drawn."""
        assert self.call_tree is not None and self.zoom is not None
        self.mode = "flame"
        self.view.display = True
        self.table.display = False
        zoom = zoom_to_show(self.call_tree.root, self.zoom, node, self._layout)
        if zoom is not self.zoom:
            self._zoom_stack.append(self.zoom)
        self._show_flame(zoom, node)
        self._update_lines()

    # --- state changes --------------------------------------------------------

    def _layout(self, zoom: Node) -> Grid:
        return self.view.grid_for(("flame", self._generation, id(zoom)), _flame_source(zoom))

    def _show_flame(self, zoom: Node, selected: Node | None) -> None:
        assert self.call_tree is not None
        self.zoom = zoom
        self._came_from.clear()
        self.view.show(
            ("flame", self._generation, id(zoom)), _flame_source(zoom), diff=self.call_tree.is_diff
        )
        self.view.set_matches(self.search_result.nodes if self.search_result else frozenset())
        self._select(selected or zoom)

    def _select(self, node: Node | None) -> None:
        """Select ``node``, or its nearest drawn ancestor when it is too narrow to draw."""
        grid = self.view.grid
        if node is not None and grid.width and grid.cell(node) is None:
            cell = grid.visible(node)
            node = cell.node if cell is not None else self.zoom
        changed = node is not self.selected
        self.selected = node
        self.view.select(node)
        self._update_info()
        if changed and node is not None:
            self.post_message(self.Selected(self, node))

    def _show_table(self, sort: str, keep: str | None = None) -> None:
        """Show the top table sorted by ``sort``, its cursor on function ``keep`` if listed."""
        assert self.call_tree is not None
        self.sort = sort
        self.mode = "top"
        rows = top_rows(self.call_tree, sort)
        names = [r.name for r in rows]
        self.view.display = False
        self.table.display = True
        self.table.show(self.call_tree, rows, sort, names.index(keep) if keep in names else 0)
        self._update_lines()

    def _update_info(self) -> None:
        """The info line: the table's current function, the sandwich's, or the selected frame."""
        tree = self.call_tree
        if tree is None:
            return
        node, function = self.selected, None
        if self.mode == "top" and self.table.current is not None:
            row = self.table.current
            node = function_totals(tree)[row.name].heaviest
            function = (row.flat, row.cum)
        elif self.mode == "sandwich" and self.sandwich is not None:
            middle = self.sandwich.callees.root.children.get(self.sandwich.name)
            if self.selected is middle:
                function = (self.sandwich.flat, self.sandwich.cum)
        content = info_content(tree, node, function=function)
        # Lay out again only when the wrapped height may change: a move stays a repaint.
        width = max(self.size.width - 2, 1)
        lines = sum(max(1, -(-len(line) // width)) for line in content.plain.split("\n"))
        self.query_one("#flame-info", Static).update(content, layout=lines != self._info_lines)
        self._info_lines = lines

    def _update_lines(self) -> None:
        if self.call_tree is None:
            return
        width = max(self.size.width - 2, 20)
        header = header_content(
            self.title,
            self.call_tree,
            zoom=self.zoom,
            mode=self.mode,
            sort=self.sort,
            function=self.sandwich.name if self.sandwich else None,
            pending=self.pending_type,
        )
        self.query_one("#flame-header", Static).update(header, layout=False)
        summary = search_summary(self.search_result, self.call_tree)
        legend = legend_content(width - len(summary.plain), diff=self.call_tree.is_diff)
        self.query_one("#flame-status", Static).update(
            Content.assemble(summary, legend), layout=False
        )
        self._update_info()

    def on_resize(self, _event: Resize) -> None:
        self.call_after_refresh(self._after_resize)

    def _after_resize(self) -> None:
        if self.call_tree is not None and self.mode != "top":
            self._select(self.selected)
            self._update_lines()

    # --- worker results -------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group.startswith("flame-") and event.state == WorkerState.ERROR:
            event.stop()
            self.notify(f"flame graph: {event.worker.error}", severity="error", timeout=8)

    # --- actions (bound in triage.ui.keys under flame.*) ---------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No flame key works without a tree.

        While the search prompt is open, its (priority) key types into it instead. With
        one sample type, ``y`` stays bound so that it can say why it changes nothing.
        """
        if self.call_tree is None:
            return action not in {KEYS[bid].action.split("(")[0] for bid in FLAME_IDS}
        return not (action == "search" and self.search_open())

    def action_move(self, direction: str) -> None:
        if self.mode == "top":
            step = {"up": -1, "down": 1}.get(direction, 0)
            self.table.move_to(self.table.cursor + step)
            self._update_info()
            return
        grid = self.view.grid
        cell = grid.visible(self.selected)
        if cell is None:
            return
        vertical = direction in ("up", "down")
        prefer = self._came_from.get(id(cell.node)) if vertical else None
        target = grid.move(cell, direction, prefer)
        if target is None:
            return
        if vertical:
            self._came_from[id(target.node)] = cell.node
        self._select(target.node)

    def action_page(self, step: int) -> None:
        if self.mode == "top":
            self.table.move_to(self.table.cursor + step * self.table.page)
            self._update_info()
        elif step > 0:
            self.view.scroll_page_down(animate=False)
        else:
            self.view.scroll_page_up(animate=False)

    def action_edge(self, end: int) -> None:
        """home/g and end/G: the top table's first or last row; the icicle's top or bottom."""
        if self.mode == "top":
            self.table.move_to(0 if end < 0 else len(self.table.rows) - 1)
            self._update_info()
        elif end < 0:
            self.view.scroll_home(animate=False)
        else:
            self.view.scroll_end(animate=False)

    def action_zoom(self) -> None:
        if self.mode == "top":
            row = self.table.current
            if row is not None:
                self.focus_function(row.name)
            return
        if self.selected is None:
            return
        if self.mode == "sandwich":
            if self.selected.parent is not None and (
                self.sandwich is None or self.selected.name != self.sandwich.name
            ):
                self.open_sandwich(self.selected.name)
            return
        if self.selected is not self.zoom and self.zoom is not None:
            self._zoom_stack.append(self.zoom)
            self._show_flame(self.selected, self.selected)
            self._update_lines()

    def action_zoom_out(self) -> None:
        if self._close_search():
            return
        if self.mode != "flame":
            self._leave_mode()
            return
        if self.zoom is None:
            return
        target = self._zoom_stack.pop() if self._zoom_stack else self.zoom.parent
        if target is not None:
            self._show_flame(target, self.selected)
            self._update_lines()

    def action_reset(self) -> None:
        if self.mode != "flame":
            self._leave_mode()
        assert self.call_tree is not None
        self._zoom_stack.clear()
        self.search_result = None
        self._show_flame(self.call_tree.root, self.selected)
        self._apply_search(None)

    def action_next_type(self) -> None:
        if len(self.sample_types) < 2:
            only = f" ({self.sample_types[0]})" if self.sample_types else ""
            self.notify(f"y switches sample types: this graph has only one{only}", timeout=4)
            return
        now = self.pending_type or self.current_type
        index = self.sample_types.index(now) if now in self.sample_types else -1
        self.pending_type = self.sample_types[(index + 1) % len(self.sample_types)]
        self.post_message(self.TypeRequested(self, self.pending_type))
        self._update_lines()

    def action_export(self, kind: str) -> None:
        if self.call_tree is not None:
            self.post_message(self.ExportRequested(self, kind, self.call_tree, self.title))


def _flame_source(zoom: Node) -> GridSource:
    """The layout of ``zoom``'s icicle at any width (bound now, run when drawn)."""
    return lambda width: flame_grid(zoom, width)


__all__ = ["MODES", "FlameGraph"]
