"""The flame graph on a real heap profile fetched from tests/targets/profiled (loopback).

The test app plays the owner's part the way the workspace should: a
TypeRequested rebuilds the tree for that sample type in a thread worker and
calls set_tree; an ExportRequested writes the file in a thread worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.pprof.conftest import start_server, stop_server
from tests.ui.test_flame_widget import FlameApp, graph, settle, text_of
from triage.pprof.decode import decode
from triage.pprof.folded import folded_lines, write_folded
from triage.pprof.model import Profile
from triage.pprof.origin import Origin
from triage.pprof.stacks import tree_for
from triage.pprof.svg import render_svg
from triage.pprof.tree import CallTree, Node
from triage.pprof.units import format_percent, format_value
from triage.ui.flamegrid import follow
from triage.ui.widgets.flame import FlameGraph


@pytest.fixture(scope="module")
def heap() -> Iterator[Profile]:
    """A heap profile (four sample types) of the profiled target after some allocation."""
    server = start_server()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            http.get("/load", params={"kind": "alloc", "ms": "250"}).raise_for_status()
            resp = http.get("/debug/pprof/heap")
            resp.raise_for_status()
        yield decode(resp.content, "heap")
    finally:
        stop_server(server)


class OwnerApp(FlameApp):
    """FlameApp that answers the widget's requests like the workspace does.

    (Textual calls the handler of every class in the MRO, so FlameApp still
    records each message.)
    """

    def __init__(self, profile: Profile, out: Path) -> None:
        self.profile = profile
        self.out = out
        # alloc_space: cumulative, so the target's own allocations are always in it
        # (in-use memory may hold none of them after a GC)
        first = "alloc_space"
        super().__init__(
            tree_for(profile, first), sample_types=profile.type_names(), current_type=first
        )

    def on_flame_graph_type_requested(self, message: FlameGraph.TypeRequested) -> None:
        flame, wanted = message.flame, message.type_name

        def rebuild() -> None:
            tree = tree_for(self.profile, wanted)
            self.call_from_thread(flame.set_tree, tree, current_type=wanted)

        self.run_worker(rebuild, thread=True, group="tree", exclusive=True)

    def on_flame_graph_export_requested(self, message: FlameGraph.ExportRequested) -> None:
        tree, kind, title = message.tree, message.kind, message.title

        def write() -> None:
            path = self.out / f"heap.{'folded' if kind == 'folded' else 'svg'}"
            with path.open("w", encoding="utf-8") as out:
                if kind == "folded":
                    write_folded(tree, out)
                else:
                    render_svg(tree, title, out)

        self.run_worker(write, thread=True, group=f"export-{kind}")


def _own_frame(tree: CallTree) -> Node:
    """The heaviest frame of the target's own code (main package or its module)."""
    own = [n for n in tree.nodes() if n.origin is Origin.OWN and n.location]
    assert own, "no own-module frame in the profile"
    return max(own, key=lambda n: (n.weight, -n.depth))


async def test_switching_sample_type_rebuilds_and_keeps_the_place(
    heap: Profile, tmp_path: Path
) -> None:
    types = heap.type_names()
    assert len(types) == 4
    app = OwnerApp(heap, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        flame = graph(app)
        before_tree = flame.call_tree
        assert before_tree is not None and before_tree.unit == "bytes"
        flame.focus_node(_own_frame(before_tree))
        await pilot.pause()
        node = flame.selected
        assert node is not None and node is _own_frame(before_tree)
        place = [n.name for n in node.path()]
        info = text_of(app, "#flame-info")
        assert node.name in info and node.location in info
        assert f"total {format_value(node.total, 'bytes')}" in info
        assert f"({format_percent(before_tree.percent(node.total))})" in info
        wanted = types[(types.index(flame.current_type or "") + 1) % len(types)]
        await pilot.press("y")
        asked = [m for m in app.messages if isinstance(m, FlameGraph.TypeRequested)]
        assert [m.type_name for m in asked] == [wanted]
        await settle(pilot)
        after = flame.call_tree
        assert after is not None and after is not before_tree
        assert after.sample_type.type == wanted == flame.current_type
        assert f"{wanted} total {format_value(after.total, after.unit)}" in text_of(
            app, "#flame-header"
        )
        # the same function path, or its nearest ancestor drawn at this width
        cell = flame.view.grid.visible(follow(after.root, place))
        assert cell is not None and flame.selected is cell.node
        assert place[: len(cell.node.path())] == [n.name for n in cell.node.path()]


async def test_exports_reach_the_owner_with_the_shown_tree(heap: Profile, tmp_path: Path) -> None:
    app = OwnerApp(heap, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        flame = graph(app)
        await pilot.press("e", "E")
        await settle(pilot)
        exports = [m for m in app.messages if isinstance(m, FlameGraph.ExportRequested)]
        assert [(m.kind, m.tree, m.title) for m in exports] == [
            ("folded", flame.call_tree, "checkout-sigquit.log"),
            ("svg", flame.call_tree, "checkout-sigquit.log"),
        ]
        assert flame.call_tree is not None
        folded = (tmp_path / "heap.folded").read_text().splitlines()
        assert folded == list(folded_lines(flame.call_tree)) and folded
        assert (tmp_path / "heap.svg").read_text().startswith("<?xml")
