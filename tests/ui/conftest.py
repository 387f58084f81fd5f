"""Helpers to run the app headless (Pilot) with isolated config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from triage.config import load_config
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "checkout-sigquit.log"


def make_app(
    paths: list[str] | None = None,
    *,
    theme: str | None = None,
    keymap: str | None = None,
    mono: bool = False,
) -> TriageApp:
    """The app as ``triage open`` builds it, reading the (temporary) config dir."""
    config, warnings = load_config()
    return TriageApp(
        Launch(paths=paths or [], theme=theme, mono=mono),
        config,
        load_keymap(keymap or config.keymap),
        warnings,
    )


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """The TRIAGE_CONFIG_DIR the autouse fixture set up (created)."""
    path = tmp_path / "xdg" / "config"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def first_screen(pilot: Any) -> Any:
    """The screen that replaces the splash (the app paints a splash frame first)."""
    from triage.ui.screens.splash import SplashScreen

    for _ in range(400):
        if not isinstance(pilot.app.screen, SplashScreen):
            break
        await pilot.pause(0.01)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen
