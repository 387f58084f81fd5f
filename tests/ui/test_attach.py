"""triage attach against the real Go service on loopback, headless."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from tests.support.targets import Service, leaky
from tests.ui.conftest import first_screen
from triage.config import load_config
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap
from triage.ui.screens.profile import ProfileChooser
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.flamepane import FlamePane
from triage.ui.widgets.goroutines import GoroutinePane


@pytest.fixture
def service() -> Iterator[Service]:
    with leaky("-spawn", "50") as svc:
        yield svc


def attach_app(url: str, config_dir: Path, **refresh: float) -> TriageApp:
    settings = {"goroutines": 0.3, "health": 0.2, "metrics": 0.3, "min_rate_span": 1.0, **refresh}
    (config_dir / "config.toml").write_text(
        "[refresh]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items())
    )
    config, warnings = load_config()
    assert not warnings
    return TriageApp(Launch(url=url), config, load_keymap(), warnings)


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 20) -> None:
    """Let the app run until ``condition`` holds (polling, not timing)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached")


def _status(app: TriageApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def test_attach_shows_goroutines_health_and_metrics(
    service: Service, config_dir: Path
) -> None:
    app = attach_app(service.url, config_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        await wait_for(pilot, lambda: pane.item is not None)
        assert pane.item is not None and pane.item.dump.goroutine_count >= 50
        assert screen.live is not None
        await wait_for(pilot, lambda: all(s.last is not None for s in screen.live.statuses()))
        assert [s.path for s in screen.live.statuses()] == ["/healthz", "/readyz", "/livez"]
        assert all(s.last.ok for s in screen.live.statuses() if s.last)
        body = str(screen.query_one("#health-body", Static).render())
        assert "✓ OK /healthz" in body and "goroutines" in body and "heap in use" in body
        await wait_for(pilot, lambda: screen.query_one(FlamePane).current is not None)
        assert "attached to http://127.0.0.1:" in _status(app)


async def test_growth_is_flagged_as_a_leak_in_progress(service: Service, config_dir: Path) -> None:
    app = attach_app(service.url, config_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        await wait_for(pilot, lambda: pane.item is not None)
        for _ in range(5):
            await asyncio.to_thread(service.get, "/leak?n=100")
            seen = pane.item.dump.goroutine_count if pane.item else 0
            await wait_for(
                pilot, lambda s=seen: pane.item is not None and pane.item.dump.goroutine_count > s
            )

        def flagged() -> bool:
            return pane.item is not None and any(
                f.rule == "goroutine-growth" for f in pane.item.findings
            )

        await wait_for(pilot, flagged)
        assert pane.item is not None
        finding = next(f for f in pane.item.findings if f.rule == "goroutine-growth")
        group = next(g for g in pane.item.groups if g.id == finding.groups[0])
        assert group.top_frame is not None and group.top_frame.func == "main.leak.func1.1"
        assert pane.growth.get(group.id, 0) > 0  # "+N/min" beside the group


async def test_target_dying_keeps_the_last_data(service: Service, config_dir: Path) -> None:
    app = attach_app(service.url, config_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen) and screen.live is not None
        pane = screen.query_one(GoroutinePane)
        await wait_for(pilot, lambda: pane.item is not None)
        await wait_for(pilot, lambda: screen.live.report().latest is not None)  # type: ignore[union-attr]
        before = pane.item.dump.goroutine_count if pane.item else 0
        service.proc.kill()
        service.proc.wait()
        live = screen.live
        await wait_for(pilot, lambda: all(s.failing for s in live.statuses()))
        await wait_for(pilot, lambda: "connection refused" in _status(app))
        assert _status(app).startswith("ERROR ")
        assert "retry in" in _status(app)
        # the last snapshot and metrics stay on screen
        assert pane.item is not None and pane.item.dump.goroutine_count == before
        assert live.report().latest is not None
        body = str(screen.query_one("#health-body", Static).render())
        assert "✗ FAILING /healthz" in body
        await pilot.press("j", "k", "3", "1")
        assert app.is_running


async def test_fetch_a_profile(service: Service, config_dir: Path) -> None:
    app = attach_app(service.url, config_dir, goroutines=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        await pilot.press("p")
        assert isinstance(app.screen, ProfileChooser)
        await pilot.press("down", "down", "enter")  # heap
        flame = screen.query_one(FlamePane)
        await wait_for(
            pilot, lambda: flame.current is not None and flame.current.source == "profile"
        )
        assert flame.current is not None
        assert "heap profile" in flame.current.title
        assert "inuse_space" in flame.current.sample_types


async def test_unreachable_at_start(config_dir: Path) -> None:
    from tests.support.httpd import refused_url

    url = refused_url().split("/debug")[0]
    app = attach_app(url, config_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await first_screen(pilot)
        await wait_for(pilot, lambda: "connection refused" in _status(app))
        assert app.is_running


async def test_live_keys_are_not_offered_offline(config_dir: Path) -> None:
    from tests.ui.conftest import SAMPLE, make_app

    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = {b.binding.id for b in app.screen.active_bindings.values() if b.enabled}
        assert "data.profile" not in shown and "data.live" not in shown
        await pilot.press("p")
        assert isinstance(app.screen, WorkspaceScreen)


async def test_cpu_profile_counts_down_and_p_cancels(service: Service, config_dir: Path) -> None:
    app = attach_app(service.url, config_dir, goroutines=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        flame = screen.query_one(FlamePane)
        await pilot.press("p", "enter")  # CPU, 10 seconds
        await wait_for(pilot, lambda: "10s CPU profile:" in _status(app))
        assert "s left · p cancels" in _status(app)
        await pilot.pause(1.2)
        assert "s left · p cancels" in _status(app)  # still counting, not replaced
        await pilot.press("p")
        assert isinstance(app.screen, WorkspaceScreen)  # cancelled, no chooser
        assert "CPU profile cancelled" in _status(app)
        await pilot.pause(1.2)
        assert "cancelled" in _status(app)  # held over the session's status line
        assert flame.current is None or flame.current.source != "profile"


async def test_empty_profile_says_why(service: Service, config_dir: Path) -> None:
    app = attach_app(service.url, config_dir, goroutines=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        await pilot.press("p", "down", "down", "down", "down", "enter")  # mutex
        await wait_for(pilot, lambda: "no samples" in _status(app))
        assert "mutex profile · " in _status(app)
        assert "SetMutexProfileFraction" in _status(app)
        await pilot.pause(1.2)
        assert "no samples" in _status(app)
        flame = screen.query_one(FlamePane)
        assert flame.current is None or flame.current.source != "profile"
