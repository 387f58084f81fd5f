"""S saves what is on show, raw; c compares two dumps (files or live snapshots); headless."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from tests.support.targets import leaky
from tests.ui.conftest import SAMPLE, first_screen, make_app
from tests.ui.test_attach import attach_app, wait_for
from triage.ui.screens.compare import ComparePrompt, CompareScreen
from triage.ui.screens.group import GroupScreen
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.goroutines import GoroutinePane


def _status(app: object) -> str:
    return str(app.screen.query_one("#status", Static).render())  # type: ignore[attr-defined]


async def test_s_writes_the_dump_as_read_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        await first_screen(pilot)
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved = list(tmp_path.glob("checkout-sigquit.log-goroutines-*.txt"))
        assert len(saved) == 1
        assert saved[0].read_bytes() == SAMPLE.read_bytes()
        assert f"saved the goroutine dump ({SAMPLE.stat().st_size:,} bytes) to {saved[0]}" in (
            _status(app)
        )
    # and it opens again as triage open opens it
    again = make_app([str(saved[0])])
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        pane = screen.query_one(GoroutinePane)
        assert pane.item is not None and pane.item.dump.goroutine_count == 1151


async def test_c_compares_two_open_dumps(tmp_path: Path) -> None:
    with leaky("-spawn", "10") as svc:
        old = tmp_path / "old.txt"
        old.write_bytes(svc.get("/debug/pprof/goroutine?debug=2").content)
        svc.get("/leak?n=12")
        new = tmp_path / "new.txt"
        new.write_bytes(svc.get("/debug/pprof/goroutine?debug=2").content)
    app = make_app([str(new)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_screen(pilot)
        await pilot.press("c")  # one dump open: it asks for the other one
        await pilot.pause()
        assert isinstance(app.screen, ComparePrompt)
        await pilot.press(*str(tmp_path / "typo.txt"), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen and "typo.txt" in _status(app)  # what failed, in place
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*str(old), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert app.screen.diff.groups[0].status == "new"
        assert app.screen.diff.groups[0].after == 12
        await pilot.press("escape")
        await pilot.press("c", "escape")  # escape cancels the prompt
        await pilot.pause()
        assert app.screen is screen
    app = make_app([str(old), str(new)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        await pilot.press("d")  # show new.txt, the second file
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        title = str(app.screen.query_one("#compare-title", Static).render())
        assert title == f"{new} compared with old.txt"
        listing = app.screen.query_one(OptionList)
        first = str(listing.get_option_at_index(1).prompt)
        assert first.startswith("NEW") and "+12" in first and "main.leak" in first
        await pilot.press("enter")  # the new group, in the dump it is in
        await pilot.pause()
        assert isinstance(app.screen, GroupScreen) and app.screen.group.count == 12
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        assert app.screen is screen


async def test_attached_c_compares_with_an_earlier_snapshot(config_dir: Path) -> None:
    with leaky("-spawn", "10") as svc:
        app = attach_app(svc.url, config_dir, goroutines=0.3)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await first_screen(pilot)
            assert isinstance(screen, WorkspaceScreen) and screen.live is not None
            live = screen.live
            await wait_for(pilot, lambda: len(live.kept) >= 1)
            await asyncio.to_thread(svc.get, "/leak?n=9")
            await wait_for(
                pilot,
                lambda: (
                    live.kept[-1][1].dump.goroutine_count > live.kept[0][1].dump.goroutine_count
                ),
            )
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
            diff = app.screen.diff
            assert diff.groups[0].status == "new" and diff.groups[0].after == 9
            title = str(app.screen.query_one("#compare-title", Static).render())
            assert "compared with the snapshot of " in title
