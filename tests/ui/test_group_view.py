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
