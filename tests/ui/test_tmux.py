"""The real thing: triage in a tmux pane at 80x24, driven by keys, read by capture-pane."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import SAMPLE

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """One detached tmux session running a command."""

    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.name = name
        self.socket = ["-L", f"triage-test-{os.getpid()}-{name}-{time.monotonic_ns()}"]
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        subprocess.run(
            ["tmux", *self.socket, "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
             f"env {exports} {command}; echo EXITED=$?; sleep 60"],
            check=True,
        )  # fmt: skip

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", *self.socket, "capture-pane", "-p", "-t", self.name],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def keys(self, *keys: str) -> None:
        for key in keys:  # one at a time: escape followed by a key would read as alt+key
            subprocess.run(["tmux", *self.socket, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run(["tmux", *self.socket, "kill-server"], check=False, capture_output=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    env = {
        "TERM": "screen-256color",
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "PATH": os.environ["PATH"],
    }
    session = Tmux("triage", f"{sys.executable} -m triage open {SAMPLE}", env)
    try:
        yield session
    finally:
        session.kill()


def test_open_a_dump_navigate_and_quit(tmux: Tmux) -> None:
    tmux.wait_for("Goroutines · 1,151 in 23 groups")
    screen = tmux.wait_for("q Quit")  # the footer at 80 columns
    assert "signal: SIGQUIT: quit" in screen.splitlines()[0]
    assert "WARN 300 goroutines blocked on chan receive in main.leak.func1.1" in screen
    assert "next: find who should send" in screen  # the detail box follows the cursor
    assert "? Help" in screen
    tmux.keys("End")
    screen = tmux.wait_for("#23")
    tmux.keys("Enter")
    screen = tmux.wait_for("main.readConn(")  # the sample goroutine with its arguments
    assert "Group #23  ·  1 goroutine  ·  IO wait" in screen
    tmux.keys("Escape")
    tmux.wait_for("Goroutines · 1,151")
    tmux.keys("2")
    screen = tmux.wait_for("[2 Flame graph]")
    tmux.keys("?")
    tmux.wait_for("Keys (default keymap)")
    tmux.keys("Escape")
    tmux.wait_for("[2 Flame graph]")
    tmux.keys("q")
    screen = tmux.wait_for("EXITED=0")
    assert "Traceback" not in screen


def test_flame_command_opens_the_flame_graph(tmp_path: Path) -> None:
    env = {
        "TERM": "screen-256color",
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "PATH": os.environ["PATH"],
    }
    session = Tmux("flame", f"{sys.executable} -m triage flame {SAMPLE}", env)
    try:
        session.wait_for("all samples")
        screen = session.wait_for("* own module  + dependency  = standard library  ~ runtime")
        assert "[2 Flame graph]" in screen
        session.keys("/")
        session.keys("fetchOrder", "Enter")
        screen = session.wait_for("/fetchOrder: 1 fn")
        assert "main.(*Store).fetchOrder" in screen
        session.keys("q")
        session.wait_for("EXITED=0")
    finally:
        session.kill()


def test_e_opens_the_top_frame_in_the_editor_and_comes_back(tmp_path: Path) -> None:
    """The app suspends for $EDITOR (a script that records its arguments) and redraws after."""
    root = Path(__file__).resolve().parents[2]
    record = tmp_path / "editor-args"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    editor.chmod(0o755)
    env = {
        "TERM": "screen-256color",
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "EDITOR": str(editor),
        "PATH": os.environ["PATH"],
    }
    command = f"{sys.executable} -m triage open {SAMPLE} --source-root {root}"
    session = Tmux("editor", command, env)
    try:
        session.wait_for("Goroutines · 1,151")
        session.keys("End")
        session.wait_for("#23")
        session.keys("Enter")
        session.wait_for("main.readConn(")
        session.keys("e")
        deadline = time.monotonic() + 20
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        line, path = record.read_text().split()
        assert line.startswith("+") and int(line[1:]) > 0
        assert path.endswith("tests/targets/leaky/main.go")
        screen = session.wait_for("Group #23")  # redrawn after the editor exits
        assert "main.readConn(" in screen
        session.keys("q")
        assert "Traceback" not in session.wait_for("EXITED=0")
    finally:
        session.kill()
