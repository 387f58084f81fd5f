"""Fixtures shared by every test: isolated config dirs and the Go targets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import fuzzing
from tests.support import gotool
from tests.support.kube import kube  # noqa: F401  (the API server fixture)

fuzzing.load_profile()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point every XDG location at a temporary directory; turn colour off."""
    for var, sub in (
        ("TRIAGE_CONFIG_DIR", "config"),
        ("TRIAGE_DATA_DIR", "data"),
        ("TRIAGE_CACHE_DIR", "cache"),
    ):
        monkeypatch.setenv(var, str(tmp_path / "xdg" / sub))
    monkeypatch.delenv("TRIAGE_DEBUG", raising=False)
    yield


@pytest.fixture(scope="session")
def go_build() -> object:
    """``go_build(target, *flags)`` -> path of the compiled test target."""
    return gotool.build
