"""The group screen's stack: every frame line shown whole, at any width (issue 8 point 9)."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.widgets import Static

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.ui.screens.group import GroupScreen


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_frame_offsets_are_not_clipped(size: tuple[int, int]) -> None:
    """Go indents file lines with a tab: counted as one cell, ``+0x15`` showed as ``+0``."""
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=size) as pilot:
        await first_screen(pilot)
        await pilot.press("end", "enter")  # the last group: main.readConn, frames with offsets
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GroupScreen)
        body = screen.query_one("#group-body", Static)
        whole = Region(0, 0, *body.outer_size)  # the body scrolls sideways: all of it, padding too
        shown = [strip.text.rstrip() for strip in body.render_lines(whole)]
        frames = [f for f in screen.group.frames if f.offset is not None]
        assert frames, "the sample group has frames with offsets"
        for frame in frames:
            expected = f"{frame.file}:{frame.line} +0x{frame.offset:x}"
            assert any(line.strip() == expected for line in shown), (expected, shown)


async def test_n_shows_the_next_goroutine_header_at_80x24() -> None:
    """The ``goroutine N [state]:`` line stays on screen while the stack scrolls to user code."""
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await first_screen(pilot)
        await pilot.press("enter")  # the biggest group: many sample goroutines
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GroupScreen)
        ids = screen.group.sample_ids
        assert len(ids) > 1
        header = screen.query_one("#group-sample", Static)
        assert header.region.y < 24 and header.region.height == 1  # visible
        first = str(header.render())
        assert first.startswith(f"goroutine {ids[0]} [{screen.group.state}]:")
        assert f"sample 1 of {len(ids)}" in first
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = str(header.render())
        assert second.startswith(f"goroutine {ids[1]} [")
        assert f"sample 2 of {len(ids)}" in second
        await pilot.press("N")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(header.render()) == first


async def test_n_on_a_single_goroutine_says_why() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await first_screen(pilot)
        await pilot.press("end", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GroupScreen)
        assert len(screen.group.sample_ids) == 1
        await pilot.press("n")
        for _ in range(50):
            await pilot.pause(0.02)
            toasts = " ".join(str(t.render()) for t in app.screen.query("Toast"))
            if toasts:
                break
        assert "this group has only one" in toasts
