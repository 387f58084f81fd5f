"""--binary in the workspace: the build info panel, named crash PCs, source with --source-root."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.support import gotool
from tests.support.targets import crash, write
from tests.ui.conftest import first_screen
from triage.config import load_config
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap
from triage.ui.screens.group import GroupScreen
from triage.ui.widgets.goroutines import GoroutinePane

TARGETS = Path(__file__).resolve().parents[1] / "targets"


def _app(paths: list[str], **launch: object) -> TriageApp:
    config, _ = load_config()
    return TriageApp(Launch(paths=paths, **launch), config, load_keymap(), [])  # type: ignore[arg-type]


async def _settle(pilot: object, app: TriageApp) -> None:
    await first_screen(pilot)
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


async def test_binary_panel_and_named_crash_pc(tmp_path: Path) -> None:
    binary = gotool.build("crashers")
    dump = write(tmp_path, "nil.log", crash("nil").stderr)
    app = _app([str(dump)], binary=str(binary))
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(pilot, app)
        panel = str(app.screen.query_one("#binary-panel", Static).render())
        assert "Go go1.27.3" in panel and "module example.com/shop" in panel
        assert "no known runtime bugs listed for go1.27.3" in panel
        item = app.screen.query_one(GoroutinePane).item
        assert item is not None
        details = item.findings[0].details
        assert any("is main.(*Server).Name" in d for d in details)


async def test_opening_a_binary_file_shows_its_panel() -> None:
    binary = gotool.build("crashers")
    app = _app([str(binary)])
    async with app.run_test(size=(160, 48)) as pilot:
        await _settle(pilot, app)
        assert "Go go1.27.3" in str(app.screen.query_one("#binary-panel", Static).render())


async def test_source_of_the_top_frame_with_source_root(tmp_path: Path) -> None:
    text = crash("nil").stderr
    # As if built elsewhere: the traceback names /build/src/... which exists only under the root.
    moved = text.replace(str(TARGETS), "/build/src/shop")
    dump = write(tmp_path, "nil.log", moved)
    app = _app([str(dump)], source_roots=[TARGETS])
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot, app)
        await pilot.press("enter")
        await _settle(pilot, app)
        assert isinstance(app.screen, GroupScreen)
        sample = app.screen.sample
        assert sample is not None and sample.source is not None
        path, first, line, source = sample.source
        assert path == str(TARGETS / "crashers" / "main.go")
        assert line == 34 and first <= 34
        assert "func (s *Server) Name() string" in source
