"""Issue 10 point 8: idle keys say why; status notes end when they stop being true."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import Static

from tests.pprof.conftest import start_server, stop_server
from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.flamepane import FlamePane


@pytest.fixture(scope="module")
def heap_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real heap profile (four sample types) of tests/targets/profiled, saved to a file."""
    server = start_server()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            http.get("/load", params={"kind": "alloc", "ms": "100"}).raise_for_status()
            resp = http.get("/debug/pprof/heap")
            resp.raise_for_status()
    finally:
        stop_server(server)
    path = tmp_path_factory.mktemp("heap") / "heap.pb.gz"
    path.write_bytes(resp.content)
    yield path


def _status(app: Any) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def _toasts(pilot: Any) -> str:
    for _ in range(50):
        toasts = pilot.app.screen.query("Toast")
        if toasts:
            return " ".join(str(t.render()) for t in toasts)
        await pilot.pause(0.02)
    return ""


async def test_d_with_one_dump_says_why() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        await pilot.press("d")
        assert "only one is open" in _status(app)


async def test_y_with_one_sample_type_says_why() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await first_screen(pilot)
        await pilot.press("2", "y")
        assert "only one" in await _toasts(pilot)


async def test_building_note_ends_when_the_graph_is_shown(heap_file: Path) -> None:
    app = make_app([str(heap_file)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        flame = screen.query_one(FlamePane)
        before = flame.current.current_type if flame.current else None
        await pilot.press("2", "y")
        for _ in range(200):
            await pilot.pause(0.02)
            if flame.current is not None and flame.current.current_type != before:
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert flame.current is not None and flame.current.current_type != before
        assert "building" not in _status(app)
        assert f"flame graph: {flame.current.current_type}" in _status(app)


@pytest.mark.parametrize(("key", "words"), [("p", "p fetches profiles"), ("L", "files are read")])
async def test_live_keys_on_a_file_say_why(key: str, words: str) -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        await pilot.press(key)
        assert app.screen is screen  # no profile chooser
        assert words in _status(app)
        shown = {b.binding.id for b in screen.active_bindings.values() if b.enabled}
        assert "data.profile" not in shown and "data.live" not in shown  # still not offered


async def test_help_lines_fit_80_columns_without_wrapping() -> None:
    from textual.containers import VerticalScroll

    from triage.ui.keys import KEYS
    from triage.ui.screens.help import HelpScreen, help_lines

    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        await first_screen(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one(VerticalScroll)
        room = box.scrollable_content_region.width
        lines = [c.plain.rstrip() for c in help_lines(app.keymap)]
        assert max(map(len, lines)) <= room, (max(map(len, lines)), room)
        body = app.screen.query_one("VerticalScroll > Static")
        assert body.virtual_region.height == len(lines)  # one row per line: nothing wrapped
        assert all(any(line.endswith(bid) for line in lines) for bid in KEYS)


async def test_long_titles_end_with_an_ellipsis(tmp_path: Path) -> None:
    from textual.geometry import Region

    log = tmp_path / ("checkout-api-7f9c8d6b5-x2k4p-previous-container-" * 2 + ".log")
    log.write_text(SAMPLE.read_text())
    app = make_app([str(log)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        await pilot.pause()
        title = screen.query_one("#title", Static)
        assert len(str(title.render())) > title.size.width  # too long for the line
        strip = title.render_lines(Region(0, 0, title.outer_size.width, 1))[0]
        assert strip.text.rstrip().endswith("…"), strip.text


async def test_offline_at_200_columns_the_goroutines_get_the_room() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await first_screen(pilot)
        await pilot.pause()
        goroutines = screen.query_one("#pane-goroutines").size.width
        flame = screen.query_one("#pane-flame").size.width
        health = screen.query_one("#pane-health").size.width
        assert health <= 33 < flame < goroutines
        assert goroutines >= 90  # 3/8 of the width before: findings were cut at ~75 columns
