"""Counts as people read them: singular for one, thousands separated (issue 10 point 8)."""

from __future__ import annotations

from pathlib import Path

from tests.support.targets import crash
from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.goroutines import analyze
from triage.goroutines.text import _leading_internal, render_group
from triage.textout import Painter


def test_one_more_frame_is_singular() -> None:
    item = analyze(SAMPLE.read_text()).dumps[0]
    group = max(item.groups, key=lambda g: len(g.frames))
    shown = len(group.frames) - _leading_internal(list(group.frames)) - 1
    lines = render_group(group, paint=Painter(enabled=False), frames=shown)
    assert any("... 1 more frame (" in line for line in lines), lines
    lines = render_group(group, paint=Painter(enabled=False), frames=shown - 1)
    assert any("... 2 more frames (" in line for line in lines), lines


async def test_workspace_title_counts(tmp_path: Path) -> None:
    # GOTRACEBACK=single: the panicking goroutine alone, one group
    run = crash("nil-map", traceback="single")
    log = tmp_path / "crash.log"
    log.write_text(run.stderr)
    app = make_app([str(log)])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await first_screen(pilot)
        await pilot.pause()
        title = str(screen.query_one("#goroutines-title").render())
        assert "Goroutines · 1 in 1 group" in title and "groups" not in title
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await first_screen(pilot)
        await pilot.pause()
        assert "Goroutines · 1,151 in 23 groups" in str(
            screen.query_one("#goroutines-title").render()
        )
