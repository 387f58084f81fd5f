"""The command palette: commands allowed now, groups, functions, findings, themes."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.ui.screens.group import GroupScreen
from triage.ui.screens.workspace import WorkspaceScreen


async def _run_palette(pilot: Any, query: str, *, opener: str = "ctrl+p") -> None:
    await pilot.press(opener)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    for _ in range(100):  # results arrive asynchronously
        await pilot.pause(0.02)
        if pilot.app.screen.query("CommandList Option"):
            break
    await pilot.press("enter")
    await pilot.pause()


async def test_palette_opens_a_group_by_function_name() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        await _run_palette(pilot, "queryInventory")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, GroupScreen)
        assert any(f.func == "main.queryInventory" for f in app.screen.group.frames)


async def test_palette_switches_theme_with_colon() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        await _run_palette(pilot, "Theme: light", opener="colon")
        assert app.theme == "triage-light"


async def test_palette_offers_only_what_is_allowed_now() -> None:
    from triage.ui.palette import TriageCommands

    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        provider = TriageCommands(screen)
        names = [name for name, _, _ in provider._candidates()]
        assert "Maximise" in names and "Next pane" in names
        assert "Profile" not in names and "Live refresh" not in names  # offline: not allowed
