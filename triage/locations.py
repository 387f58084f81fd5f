"""Where triage keeps its files: one small module, so tests can redirect it.

The shipped presets (``themes/``, ``keymaps/``) are package data, found with
:mod:`importlib.resources` wherever triage is installed.

``TRIAGE_CONFIG_DIR``, ``TRIAGE_DATA_DIR`` and ``TRIAGE_STATE_DIR`` override the
XDG locations (tests point them at a temporary directory).
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

APP_NAME = "triage"


def _xdg(env: str, kind: str) -> Path:
    override = os.environ.get(env)
    if override:
        return Path(override)
    import platformdirs

    getter = {
        "config": platformdirs.user_config_dir,
        "data": platformdirs.user_data_dir,
        "state": platformdirs.user_state_dir,
    }[kind]
    return Path(getter(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The directory holding config.toml, keymap.toml and themes/."""
    return _xdg("TRIAGE_CONFIG_DIR", "config")


def data_dir() -> Path:
    """The directory holding the audit log and recent sources."""
    return _xdg("TRIAGE_DATA_DIR", "data")


def state_dir() -> Path:
    """The directory holding the actions' audit log (XDG_STATE_HOME: history, not data)."""
    return _xdg("TRIAGE_STATE_DIR", "state")


def ensure(path: Path) -> Path:
    """Create ``path`` (a directory) on first use, never at import time."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def shipped(kind: str) -> Traversable:
    """The shipped ``themes`` or ``keymaps`` folder, as package data.

    One copy, real files in ``triage/themes`` and ``triage/keymaps`` (the top-level
    ``themes/`` and ``keymaps/`` of a checkout link to them), so any build carries
    them and the same lookup works installed, editable and from PYTHONPATH.
    """
    return files("triage") / kind
