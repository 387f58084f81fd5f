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


async def _options(pilot: Any, query: str) -> list[str]:
    await pilot.press("ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*query)
    texts: list[str] = []
    for _ in range(40):  # results arrive asynchronously; let them all come
        await pilot.pause(0.02)
        texts = [
            str(o.prompt)
            for o in pilot.app.screen.query_one("CommandList").options
            if not o.disabled  # "No matches found"
        ]
    await pilot.press("escape")
    return texts


async def test_palette_shows_only_the_apps_commands() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 40)) as pilot:
        await first_screen(pilot)
        quits = await _options(pilot, "quit")
        assert sum(1 for t in quits if t.strip().lower().startswith("quit")) == 1
        assert not [t for t in await _options(pilot, "dracula") if "dracula" in t.lower()]
        assert not [t for t in await _options(pilot, "nord") if "nord" in t.lower()]
        ours = ("key: ", "switch the colour theme", "open this group", "in group #", "finding [")
        for query in ("theme", "quit", "keys", "screenshot"):
            for text in await _options(pilot, query):
                assert text.partition("\n")[2].startswith(ours), text  # Textual's own: gone
