"""``triage demo`` in the app (Pilot) and for real in tmux: the crash first, a rollback ends it.

The demo runs with its recorded backing (fast, no Go build); the rollback is the
real CLI command against the demo's kubeconfig, as a second shell would run it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_cluster_screen import rows_text, until
from tests.ui.test_tmux import Tmux
from triage.cli import main
from triage.cluster.kubeconfig import ConnectOptions
from triage.config import load_config
from triage.demo.session import DemoSession
from triage.ui.app import Launch, TriageApp
from triage.ui.demo import hint
from triage.ui.keymap import load_keymap
from triage.ui.screens.cluster import ClusterScreen

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoSession]:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    session = DemoSession("recorded", crash_every=3600).start()
    try:
        yield session
    finally:
        session.close()


def demo_app(demo: DemoSession) -> TriageApp:
    config, warnings = load_config()
    options = ConnectOptions(kubeconfig=str(demo.kubeconfig), all_namespaces=True)
    launch = Launch(cluster=options, hint=hint())
    return TriageApp(launch, config, load_keymap("default"), warnings)


def recording_notes(app: TriageApp) -> list[str]:
    """What the app is asked to notify (the tmux test reads the toast off the screen)."""
    notes: list[str] = []
    notify = app.notify

    def record(message: str, **kw: Any) -> None:
        notes.append(message)
        notify(message, **kw)

    app.notify = record  # type: ignore[method-assign]
    return notes


async def test_demo_opens_on_the_crash_and_a_rollback_ends_it(demo: DemoSession) -> None:
    app = demo_app(demo)
    notes = recording_notes(app)
    async with app.run_test(size=(160, 48)) as pilot:
        pilot_: Any = pilot
        await until(pilot_, lambda: isinstance(app.screen, ClusterScreen), "cluster screen")
        await until(pilot_, lambda: len(rows_text(app)) > 6, "rows")
        rows = rows_text(app)
        assert "deployment/checkout" in rows[0] and "3/3 crashing" in rows[0]
        assert "since revision 7" in rows[1]
        assert "deployment/indexer" in "".join(rows) and "OOMKilled" in "".join(rows)
        await until(
            pilot_, lambda: any("checkout crashes since revision 7" in n for n in notes), "hint"
        )
        args = ["rollback", "deployment/checkout", "--kubeconfig", str(demo.kubeconfig),
                "--confirm", "checkout", "--timeout", "20s"]  # fmt: skip
        assert await asyncio.to_thread(main, args) == 0
        await until(
            pilot_,
            lambda: not any("checkout" in r and "crashing" in r for r in rows_text(app)),
            "checkout no longer crashing",
        )
        assert "deployment/indexer" in rows_text(app)[0]  # the next incident moves up


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("leave", ["q", "SIGTERM", "SIGHUP"])
def test_demo_in_tmux_shows_the_hint_and_leaves_nothing(tmp_path: Path, leave: str) -> None:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = {
        "TERM": "screen-256color",
        "TMPDIR": str(tmpdir),
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TRIAGE_STATE_DIR": str(tmp_path / "state"),
        "TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "KUBECONFIG": str(tmp_path / "no-such-kubeconfig"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "PATH": os.environ["PATH"],
    }
    pidfile = tmp_path / "pid"
    command = (
        f"sh -c 'echo $$ > {pidfile}; exec {sys.executable} -m triage demo --backing recorded'"
    )
    session = Tmux("demo", command, env)
    try:
        session.wait_for("checkout crashes since", timeout=30)
        screen = session.wait_for("deployment/checkout", timeout=30)
        assert "3/3 crashing" in screen
        assert any(tmpdir.iterdir())  # the demo's private dir exists while it runs
        pid = int(pidfile.read_text())
        if leave == "q":
            session.keys("q")
            session.wait_for("EXITED=0", timeout=20)
        else:
            os.kill(pid, getattr(signal, leave))
            session.wait_for("EXITED=", timeout=20)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _gone(pid):
            time.sleep(0.05)
        assert _gone(pid)
        assert list(tmpdir.iterdir()) == []
        assert not (tmp_path / "no-such-kubeconfig").exists()
    finally:
        session.kill()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_demo_in_tmux_rolled_back_from_the_keyboard(tmp_path: Path) -> None:
    """A newcomer's first incident at 80x24: the suggestion, the typed name, no more crashes."""
    env = {
        "TERM": "screen-256color",
        "TMPDIR": str(tmp_path),
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TRIAGE_STATE_DIR": str(tmp_path / "state"),
        "TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "PATH": os.environ["PATH"],
    }
    session = Tmux("demo-rollback", f"{sys.executable} -m triage demo --backing recorded", env)
    try:
        session.wait_for("suggestion: roll back deployment/che", timeout=30)
        session.keys("a")
        session.wait_for("type checkout to", timeout=20)  # rollback asks for the name
        session.keys("checkout", "Enter")
        session.wait_for("successfully rolled out", timeout=30)
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline and "checkout  ns shop  3/3 ready" not in session.screen()
        ):
            time.sleep(0.2)
        screen = session.screen()
        assert "deployment/checkout  ns shop  3/3 ready" in screen, screen
        assert "1 crashing" in screen  # only the OOMKilled indexer is left
        session.keys("q")
        session.wait_for("EXITED=0", timeout=20)
    finally:
        session.kill()
