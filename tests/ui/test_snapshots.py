"""SVG snapshots of the main screens at 80x24 and 160x48 (textual pinned exactly)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import SAMPLE, first_screen, make_app

REPO = Path(__file__).resolve().parents[2]
SIZES = [(80, 24), (160, 48)]
RELATIVE = str(SAMPLE.relative_to(REPO))


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # titles show the path as given: keep it clone-independent


async def _settle(pilot: Any) -> None:
    await first_screen(pilot)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_workspace(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app([RELATIVE]), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_group_detail(snap_compare: Any, size: tuple[int, int]) -> None:
    async def open_group(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("end", "enter")
        await _settle(pilot)

    assert snap_compare(make_app([RELATIVE]), terminal_size=size, run_before=open_group)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(
        make_app([RELATIVE]), terminal_size=size, press=["question_mark"], run_before=_settle
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_start_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app([]), terminal_size=size, run_before=_settle)
