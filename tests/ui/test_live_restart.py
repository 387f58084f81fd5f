"""Attached to the real ``leaky`` target while it is killed and started again: the title
says the data is stale, then the health pane marks the restart; headless."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Static

from tests.support.targets import leaky
from tests.ui.conftest import first_screen
from tests.ui.test_attach import attach_app, wait_for
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.goroutines import GoroutinePane


def _text(screen: WorkspaceScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_killed_then_restarted_target(config_dir: Path) -> None:
    with leaky("-spawn", "20") as first:
        address = first.url.removeprefix("http://")
        app = attach_app(first.url, config_dir)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await first_screen(pilot)
            assert isinstance(screen, WorkspaceScreen) and screen.live is not None
            live = screen.live
            pane = screen.query_one(GoroutinePane)
            await wait_for(pilot, lambda: pane.item is not None and live.report().latest)
            count = pane.item.dump.goroutine_count if pane.item else 0
            first.proc.kill()
            first.proc.wait(timeout=10)
            await wait_for(pilot, lambda: "stale since " in _text(screen, "#title"))
            title = _text(screen, "#title")
            assert f"{count} goroutines · stale since " in title
            assert "stale since " in _text(screen, "#goroutines-title")
            await wait_for(pilot, lambda: "(stale since " in _text(screen, "#health-body"))
            with leaky("-addr", address):
                await wait_for(pilot, lambda: bool(live.restart_log), timeout=30)
                await wait_for(pilot, lambda: "↻ restarted at" in _text(screen, "#health-body"))
                await wait_for(pilot, lambda: "stale since" not in _text(screen, "#title"))
                # the break is marked in the health sparklines too (above the Go metrics)
                probes = lambda: _text(screen, "#health-body").split("Go metrics")[0]  # noqa: E731
                await wait_for(pilot, lambda: "↻" in probes())
                assert "(process start time changed)" in _text(screen, "#health-body")
                await asyncio.sleep(0)


def test_the_sparkline_marks_the_restart_between_two_probes() -> None:
    from triage.probes.health import HistoryPoint
    from triage.ui.render_health import sparkline

    points = tuple(HistoryPoint(0.01, True, at) for at in (1.0, 2.0, 3.0, 4.0))
    assert str(sparkline(points)) == "████"
    assert str(sparkline(points, breaks=(2.5,))) == "██↻██"
