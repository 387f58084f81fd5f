"""The start screen's prompt and recent list, with typed targets."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.recent import load_recent
from triage.targets import FileTarget
from triage.ui.screens.start import StartScreen
from triage.ui.screens.workspace import WorkspaceScreen


async def _submit(pilot: Any, text: str) -> None:
    field = pilot.app.screen.query_one(Input)
    field.value = text
    await pilot.press("enter")
    await pilot.pause()


async def _toasts(pilot: Any) -> str:
    """The text of the notifications on screen (waiting for them to be drawn)."""
    for _ in range(50):
        toasts = pilot.app.screen.query("Toast")
        if toasts:
            return " ".join(str(t.render()) for t in toasts)
        await pilot.pause(0.02)
    return ""


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("/no/such/dump.log", "no such file"),
        ("-", "stdin can only be named on the command line"),
        ("pod/API", "not a valid pod name"),
    ],
)
async def test_prompt_errors_show_in_place(typed: str, words: str) -> None:
    app = make_app([])
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        assert isinstance(await first_screen(pilot), StartScreen)
        await _submit(pilot, typed)
        assert isinstance(app.screen, StartScreen)  # the prompt stays, to be corrected
        assert words in await _toasts(pilot)


async def test_prompt_opens_a_file_and_remembers_it_typed() -> None:
    app = make_app([])
    async with app.run_test(size=(100, 30)) as pilot:
        await first_screen(pilot)
        await _submit(pilot, str(SAMPLE))
        await pilot.app.workers.wait_for_complete()
        assert isinstance(app.screen, WorkspaceScreen)
    assert [r.target for r in load_recent()] == [FileTarget(str(SAMPLE))]


async def test_an_old_recent_entry_opens() -> None:
    data = Path(os.environ["TRIAGE_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "recent.json").write_text(
        json.dumps([{"kind": "open", "location": str(SAMPLE), "when": 1.0}])
    )
    app = make_app([])
    async with app.run_test(size=(100, 30)) as pilot:
        await first_screen(pilot)
        await pilot.press("tab", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert app.screen.paths == [FileTarget(str(SAMPLE))]


async def test_the_hint_tells_the_truth_in_the_prompt() -> None:
    from triage.ui.screens.help import HelpScreen

    app = make_app([])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, StartScreen)
        intro = str(screen.query_one("#intro").render())
        assert "F1 shows every key; ctrl+c quits" in intro
        await pilot.press("question_mark", "q")  # typed, as the hint says
        assert screen.query_one(Input).value == "?q"
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("ctrl+c")  # quits, no "Press ctrl+q to quit"
        await pilot.pause()
        assert not app.is_running
