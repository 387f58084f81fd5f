"""``o`` never loses what is open: a source that fails to open leaves the workspace as it
was and says what failed; only sources that opened become recent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.httpd import refused_url
from tests.ui.conftest import SAMPLE, first_screen, make_app
from tests.ui.test_start import _submit, _toasts
from triage.recent import load_recent
from triage.targets import FileTarget
from triage.ui.screens.start import StartScreen
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.goroutines import GoroutinePane


async def test_a_file_that_is_no_dump_keeps_the_workspace(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes, no goroutines here\n")
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        first = await first_screen(pilot)
        assert isinstance(first, WorkspaceScreen)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await _submit(pilot, str(notes))
        await app.workers.wait_for_complete()
        await pilot.pause()
        # back at the prompt, the typo still there to fix, and the reason said
        assert isinstance(app.screen, StartScreen)
        assert f"could not open {notes}" in await _toasts(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first
        pane = first.query_one(GoroutinePane)
        assert pane.item is not None and pane.item.dump.goroutine_count == 1151
    assert [r.target for r in load_recent()] == [FileTarget(str(SAMPLE.resolve()))]


@pytest.mark.parametrize("base", [False, True], ids=["dump-url", "attach-url"])
async def test_a_url_where_nothing_answers_is_not_recent(base: bool) -> None:
    url = refused_url()
    url = url.split("/debug/")[0] if base else url
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        first = await first_screen(pilot)
        await pilot.press("o")
        await pilot.pause()
        await _submit(pilot, url)
        for _ in range(200):
            if isinstance(app.screen, StartScreen) and await _toasts(pilot):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, StartScreen)
        assert "could not open" in await _toasts(pilot)
        await pilot.press("escape")
        assert app.screen is first
    assert all(r.target.label != url for r in load_recent())


async def test_a_source_that_opens_becomes_recent() -> None:
    app = make_app([])
    async with app.run_test(size=(100, 30)) as pilot:
        await first_screen(pilot)
        assert not load_recent()
        await _submit(pilot, str(SAMPLE))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert [r.target for r in load_recent()] == [FileTarget(str(SAMPLE.resolve()))]
        # the first screen has nothing under it: escape does not leave an empty app
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
