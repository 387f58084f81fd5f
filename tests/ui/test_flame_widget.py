"""The flame graph widget under Pilot, on the committed SIGQUIT dump's goroutine tree.

Expected values come from the core functions (views.search, views.sandwich,
views.top_rows) on the same tree, never from the widget itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Input, Static

from tests.ui.conftest import SAMPLE
from triage.goroutines import analyze
from triage.goroutines.flame import goroutine_tree
from triage.pprof.folded import folded_lines
from triage.pprof.tree import CallTree, Frame, Node, tree_from_stacks
from triage.pprof.units import format_percent, format_value
from triage.pprof.views import function_totals, sandwich, search, top_rows
from triage.ui import themes
from triage.ui.flamegrid import follow, ordered_matches
from triage.ui.keymap import Keymap, load_keymap
from triage.ui.widgets.flame import FlameGraph

HEAP_TYPES = ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]


def sample_tree() -> CallTree:
    """A fresh goroutine tree of the committed dump (a new object on every call)."""
    return goroutine_tree(analyze(SAMPLE.read_text()).dumps[0])


class FlameApp(App[None]):
    """The smallest host: one FlameGraph, the triage themes, an optional keymap."""

    def __init__(
        self,
        tree: CallTree | None,
        *,
        sample_types: list[str] | None = None,
        current_type: str | None = None,
        keymap: Keymap | None = None,
        theme: str = "triage-dark",
    ) -> None:
        super().__init__()
        self.initial = tree
        self.sample_types = sample_types
        self.current_type = current_type
        self.keymap = keymap
        self.wanted_theme = theme
        self.messages: list[Message] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield FlameGraph(
            self.initial,
            sample_types=self.sample_types,
            current_type=self.current_type,
            title="checkout-sigquit.log",
            id="flame",
        )

    def on_mount(self) -> None:
        for theme in themes.discover().themes:
            self.register_theme(theme)
        self.theme = self.wanted_theme
        if self.keymap is not None:
            self.set_keymap(self.keymap.keys)
        self.query_one(FlameGraph).focus()

    def on_flame_graph_selected(self, message: FlameGraph.Selected) -> None:
        self.messages.append(message)

    def on_flame_graph_type_requested(self, message: FlameGraph.TypeRequested) -> None:
        self.messages.append(message)

    def on_flame_graph_export_requested(self, message: FlameGraph.ExportRequested) -> None:
        self.messages.append(message)


async def settle(pilot: Any) -> None:
    """Let workers (search, sandwich) finish and their messages land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def graph(app: App[None]) -> FlameGraph:
    return app.query_one(FlameGraph)


def text_of(app: App[None], selector: str) -> str:
    content = app.query_one(selector, Static).content
    return content.plain if hasattr(content, "plain") else str(content)


def row_text(flame: FlameGraph, node: Node) -> tuple[str, Any]:
    """The drawn text of ``node``'s frame and the style of its first character."""
    view = flame.view
    cell = view.grid.cell(node)
    assert cell is not None, f"{node} is not drawn"
    view.scroll_to(y=cell.row, animate=False, immediate=True)
    strip = view.render_line(cell.row - view.scroll_offset.y)
    x = 0
    for segment in strip:
        if x == cell.x:
            return strip.text[cell.x : cell.x + cell.width], segment.style
        x += len(segment.text)
    raise AssertionError("frame start not found")


def _path(tree: CallTree, *names: str) -> Node:
    node = follow(tree.root, names)
    assert [n.name for n in node.path()] == list(names)
    return node


async def test_arrows_and_hjkl_move_to_parent_child_and_sibling() -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(100, 40)) as pilot:
        flame = graph(app)
        assert flame.selected is tree.root
        first, second = tree.root.kids[:2]
        await pilot.press("down")
        assert flame.selected is first  # the heaviest child
        await pilot.press("l")
        assert flame.selected is second  # next sibling to the right
        await pilot.press("right", "h")
        assert flame.selected is second
        await pilot.press("j")
        assert flame.selected is second.kids[0]
        await pilot.press("k", "up")
        assert flame.selected is tree.root  # the parent, then its parent
        await pilot.press("down")
        assert flame.selected is second  # back where it came from, not the heaviest
        await pilot.press("up", "up", "up")
        assert flame.selected is tree.root  # stops at the root
        await pilot.pause()
        selected = [m for m in app.messages if isinstance(m, FlameGraph.Selected)]
        assert selected and selected[-1].node is tree.root
        assert all(m.flame is flame for m in selected)


async def test_zoom_and_zoom_out_change_the_root_and_restore_the_selection() -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(100, 40)) as pilot:
        flame = graph(app)
        spawn = tree.root.kids[1]
        await pilot.press("down", "right")
        assert flame.selected is spawn
        width_before = flame.view.grid.cell(spawn).width  # type: ignore[union-attr]
        await pilot.press("enter")
        assert flame.zoom is spawn
        zoomed = flame.view.grid.cell(spawn)
        assert zoomed is not None and (zoomed.x, zoomed.width) == (0, flame.view.layout_width)
        assert width_before < zoomed.width
        # ancestors stay drawn full width above the zoomed frame
        assert [(c.node, c.width) for c in flame.view.grid.rows[0]] == [
            (tree.root, flame.view.layout_width)
        ]
        assert f"zoom {spawn.name}" in text_of(app, "#flame-header")
        await pilot.press("down", "enter")
        assert flame.zoom is spawn.kids[0]
        await pilot.press("escape")
        assert flame.zoom is spawn and flame.selected is spawn.kids[0]
        await pilot.press("up", "backspace")
        assert flame.zoom is tree.root and flame.selected is spawn
        await pilot.press("backspace")
        assert flame.zoom is tree.root  # nothing above the root
        await pilot.press("down", "down", "enter", "0")
        assert flame.zoom is tree.root


async def test_zoom_out_without_history_goes_to_the_parent() -> None:
    tree = sample_tree()
    handle = _path(tree, "main.spawn.gowrap1", "main.handleOrder")
    app = FlameApp(tree)
    async with app.run_test(size=(100, 40)) as pilot:
        flame = graph(app)
        flame.focus_node(handle)
        await pilot.press("enter")
        await pilot.pause()
        flame.set_tree(tree)  # a new generation forgets the zoom history
        assert flame.zoom is handle
        await pilot.press("escape")
        assert flame.zoom is handle.parent


async def test_a_search_typed_in_one_burst_reaches_the_prompt() -> None:
    """``/gopark⏎`` arriving in one read (fast typing, a paste over SSH) loses no key."""
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(160, 48)) as pilot:
        flame = graph(app)
        await pilot.pause()
        burst = [("slash", "/"), *((c, c) for c in "gopark"), ("enter", "\r")]
        for key, character in burst:  # queued together, as the driver does with one read
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await settle(pilot)
        assert flame.search_result is not None
        assert flame.search_result.query == "gopark"
        assert "/gopark: " in text_of(app, "#flame-status")


async def test_the_search_key_types_into_the_open_prompt() -> None:
    app = FlameApp(sample_tree())
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("slash", "a", "slash", "b")
        assert app.query_one("#flame-search", Input).value == "a/b"


async def test_search_highlights_matches_and_reports_their_share() -> None:
    tree = sample_tree()
    expected = search(tree, "gopark")
    assert len(expected.nodes) > 3
    app = FlameApp(tree)
    async with app.run_test(size=(160, 48)) as pilot:
        flame = graph(app)
        await pilot.press("slash", *"gopark", "enter")
        await settle(pilot)
        result = flame.search_result
        assert result is not None
        assert (result.names, result.nodes, result.value) == (
            expected.names,
            expected.nodes,
            expected.value,
        )
        status = text_of(app, "#flame-status")
        assert f"/gopark: {len(expected.names)} fn, {format_percent(expected.percent)}" in status
        drawn = ordered_matches(flame.view.grid.cells(), expected.nodes)
        assert flame.selected is drawn[0].node  # jumps to the first match
        for cell in drawn[1:3]:
            await pilot.press("n")
            assert flame.selected is cell.node
        await pilot.press("N")
        assert flame.selected is drawn[1].node
        widest = max((c for c in drawn if c.node is not flame.selected), key=lambda c: c.width)
        label, style = row_text(flame, widest.node)
        assert label.startswith("~ runtime.gopark")
        assert style.underline and not style.reverse  # a match: not colour alone
        label, style = row_text(flame, flame.selected)  # type: ignore[arg-type]
        assert style.reverse and style.underline
        others = [c.node for c in flame.view.grid.cells() if c.node not in expected.nodes]
        assert not row_text(flame, others[1])[1].underline
        await pilot.press("0")  # reset clears the search
        assert flame.search_result is None and "/gopark" not in text_of(app, "#flame-status")


async def test_search_prompt_escape_cancels_and_no_match_is_said() -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("down", "slash", *"jk", "escape")
        assert flame.search_result is None and flame.has_focus
        assert flame.selected is tree.root.kids[0]  # typed keys did not move the selection
        await pilot.press("slash", *"zzzzqqq", "enter")
        await settle(pilot)
        assert "/zzzzqqq: no match" in text_of(app, "#flame-status")


async def test_top_table_toggles_sorts_and_focuses_a_function() -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("t")
        assert flame.mode == "top" and flame.table.display and not flame.view.display
        assert [r.name for r in flame.table.rows] == [r.name for r in top_rows(tree, "flat")]
        await pilot.press("s")
        assert flame.sort == "cum"
        assert [r.name for r in flame.table.rows] == [r.name for r in top_rows(tree, "cum")]
        assert "top by cum" in text_of(app, "#flame-header")
        await pilot.press("s", "s")
        assert flame.sort == "flat"
        await pilot.press("down", "down", "j")
        row = top_rows(tree, "flat")[3]
        assert flame.table.current == row
        info = text_of(app, "#flame-info")
        assert row.name in info and f"flat {format_value(row.flat, tree.unit)}" in info
        await pilot.press("enter")
        assert flame.mode == "flame" and flame.view.display
        assert flame.selected is function_totals(tree)[row.name].heaviest
        assert flame.view.grid.cell(flame.selected) is not None
        await pilot.press("t", "t")
        assert flame.mode == "flame"


async def test_sandwich_shows_callers_above_and_callees_below() -> None:
    tree = sample_tree()
    name = "runtime/pprof.Do"
    expected = sandwich(tree, name)
    app = FlameApp(tree)
    async with app.run_test(size=(160, 48)) as pilot:
        flame = graph(app)
        flame.focus_function(name)
        await pilot.press("w")
        await settle(pilot)
        assert flame.mode == "sandwich" and flame.sandwich is not None
        grid = flame.view.grid
        middle = grid.cell(flame.selected)
        assert middle is not None and flame.selected is not None
        assert flame.selected.name == name
        above = {c.node.name for c in grid.rows[middle.row - 1]}
        below = {c.node.name for c in grid.rows[middle.row + 1]}
        assert above == set(expected.callers.root.children[name].children)
        assert below == set(expected.callees.root.children[name].children)
        assert above == {n.parent.name for n in tree.by_name()[name] if n.parent}
        info = text_of(app, "#flame-info")
        assert f"flat {format_value(expected.flat, tree.unit)}" in info
        assert f"cum {format_value(expected.cum, tree.unit)}" in info
        assert "sandwich pprof.Do" in text_of(app, "#flame-header")
        await pilot.press("down", "enter")  # a callee becomes the sandwich's function
        await settle(pilot)
        callee = flame.sandwich.name
        assert callee in below and flame.selected.name == callee
        await pilot.press("w")
        assert flame.mode == "flame"
        assert flame.selected is function_totals(tree)[callee].heaviest


async def test_type_and_export_requests_carry_the_right_values() -> None:
    tree = sample_tree()
    app = FlameApp(tree, sample_types=HEAP_TYPES, current_type="inuse_space")
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("y", "y", "e", "E")
        await pilot.pause()
        asked = [m for m in app.messages if not isinstance(m, FlameGraph.Selected)]
        assert [type(m).__name__ for m in asked] == [
            "TypeRequested",
            "TypeRequested",
            "ExportRequested",
            "ExportRequested",
        ]
        assert [m.type_name for m in asked[:2]] == ["alloc_objects", "alloc_space"]  # type: ignore[attr-defined]
        assert [(m.kind, m.tree) for m in asked[2:]] == [("folded", tree), ("svg", tree)]  # type: ignore[attr-defined]
        assert "loading alloc_space" in text_of(app, "#flame-header")
        assert next(folded_lines(asked[2].tree))  # type: ignore[attr-defined]
        flame.set_tree(sample_tree(), current_type="alloc_space")
        assert flame.pending_type is None and flame.current_type == "alloc_space"
        assert "loading" not in text_of(app, "#flame-header")


async def test_one_sample_type_asks_for_nothing() -> None:
    app = FlameApp(sample_tree(), sample_types=["goroutine"], current_type="goroutine")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert not [m for m in app.messages if isinstance(m, FlameGraph.TypeRequested)]


async def test_info_line_shows_name_self_total_shares_and_file_line() -> None:
    tree = sample_tree()
    node = _path(tree, "main.spawn.gowrap1", "main.handleOrder", "runtime/pprof.Do")
    app = FlameApp(tree)
    async with app.run_test(size=(160, 48)) as pilot:
        flame = graph(app)
        flame.focus_node(node)
        await pilot.pause()
        info = text_of(app, "#flame-info")
        assert "=  standard library  runtime/pprof.Do" in info
        assert f"self {format_value(node.self_value, 'count')} (0%)" in info
        assert f"total {node.total} ({format_percent(tree.percent(node.total))})" in info
        assert node.location.endswith("runtime/pprof/runtime.go:57") and node.location in info


@pytest.mark.parametrize("size", [(60, 20), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_usable_at_60x20_and_160x48(size: tuple[int, int]) -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=size) as pilot:
        flame = graph(app)
        assert flame.view.layout_width == size[0] - 1  # one column for the scrollbar
        await pilot.press("down", "right", "right", *["down"] * 15)
        await pilot.pause()
        node = flame.selected
        assert node is not None and node.depth == 16
        assert node.path()[0].name == "net/http.(*Server).Serve.gowrap3"
        cell = flame.view.grid.cell(node)
        assert cell is not None
        # the selection is scrolled into view and the info line is on screen
        top = flame.view.scroll_offset.y
        assert top <= cell.row < top + flame.view.scrollable_content_region.height
        info = app.query_one("#flame-info")
        assert info.region.bottom <= size[1] and info.region.height >= 3
        assert node.name in text_of(app, "#flame-info")
        assert "? unsym" in text_of(app, "#flame-status")
        await pilot.press("enter", "t", "s", "t", "w")
        await settle(pilot)
        assert flame.mode == "sandwich" and flame.view.grid.width == size[0] - 1


async def test_set_tree_keeps_the_selection_by_function_path() -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("down", "down", "right", "enter", "down")
        before = [n.name for n in flame.selected.path()]  # type: ignore[union-attr]
        fresh = sample_tree()
        flame.set_tree(fresh, title="again")
        assert flame.call_tree is fresh
        assert [n.name for n in flame.selected.path()] == before  # type: ignore[union-attr]
        assert flame.selected is follow(fresh.root, before)
        assert flame.zoom is follow(fresh.root, before[:-1])
        smaller = tree_from_stacks([([Frame(before[0]), Frame("main.other")], 5)])
        flame.set_tree(smaller)
        assert flame.selected is smaller.root.children[before[0]]
        assert "again" in text_of(app, "#flame-header")


async def test_diff_trees_show_signs() -> None:
    tree = tree_from_stacks(
        [
            ([Frame("main.main"), Frame("main.grow")], 8),
            ([Frame("main.main"), Frame("main.cut")], -4),
        ]
    )
    tree.is_diff = True
    app = FlameApp(tree)
    async with app.run_test(size=(80, 24)):
        flame = graph(app)
        grow = _path(tree, "main.main", "main.grow")
        cut = _path(tree, "main.main", "main.cut")
        assert row_text(flame, grow)[0].startswith("*+ main.grow")
        assert row_text(flame, cut)[0].startswith("*- main.cut")
        assert "+ grew" in text_of(app, "#flame-status")


async def test_without_a_tree_it_says_so_and_keys_do_nothing() -> None:
    app = FlameApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        flame = graph(app)
        assert "No profile loaded." in text_of(app, "#flame-empty")
        await pilot.press("down", "enter", "t", "w", "e", "slash")
        assert flame.mode == "flame" and not app.messages
        flame.set_tree(sample_tree())
        await pilot.press("down")
        assert flame.selected is not None and flame.selected.depth == 1


async def test_user_keymap_file_rebinds_a_flame_key(config_dir: Path) -> None:
    (config_dir / "keymap.toml").write_text('[keys]\n"flame.down" = "x"\n"flame.top" = "f2"\n')
    keymap = load_keymap()
    assert keymap.warnings == [] and keymap.keys["flame.down"] == "x"
    tree = sample_tree()
    app = FlameApp(tree, keymap=keymap)
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("j", "down")
        assert flame.selected is tree.root  # j and down no longer move down
        await pilot.press("x")
        assert flame.selected is tree.root.kids[0]
        await pilot.press("t")
        assert flame.mode == "flame"
        await pilot.press("f2")
        assert flame.mode == "top"


async def test_mono_theme_keeps_marks_and_reverse_video() -> None:
    tree = sample_tree()
    app = FlameApp(tree, theme="triage-mono")
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("down")
        assert flame.selected is tree.root.kids[0]
        label, style = row_text(flame, flame.selected)
        assert label.startswith("* main.leak.gowrap1") and style.reverse


async def test_top_table_home_end_and_sort_from_the_top() -> None:
    tree = sample_tree()
    app = FlameApp(tree)
    async with app.run_test(size=(100, 20)) as pilot:
        flame = graph(app)
        await pilot.press("t")
        rows = top_rows(tree, "flat")
        assert len(rows) > flame.table.page  # more rows than fit: scrolling is real
        await pilot.press("end")
        assert flame.table.current == rows[-1] and flame.table.scroll_y > 0
        await pilot.press("home")
        assert flame.table.current == rows[0] and flame.table.scroll_y == 0
        await pilot.press("G")
        assert flame.table.current == rows[-1]
        await pilot.press("g")
        assert flame.table.current == rows[0]
        await pilot.press("G", "s")  # a new sort starts at its head, not at a middle slice
        assert flame.table.current == top_rows(tree, "cum")[0]
        assert flame.table.scroll_y == 0
