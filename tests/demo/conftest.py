"""A running demo (recorded backing) per test, in a private TMPDIR so leftovers show."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from triage.demo.session import DemoSession


@pytest.fixture
def demo_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The TMPDIR the demo makes its private dir in (checked empty afterwards)."""
    root = tmp_path / "tmpdir"
    root.mkdir()
    monkeypatch.setenv("TMPDIR", str(root))
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    yield root


@pytest.fixture
def demo(demo_tmp: Path) -> Iterator[DemoSession]:
    """The demo with recorded pods; the crash ticker is left to the test (crash_again)."""
    session = DemoSession("recorded", crash_every=3600).start()
    try:
        yield session
    finally:
        session.close()
