"""What the user names, in a real terminal (tmux): piped stdin, bad files, attach.

``cat dump.log | triage open -``: the dump shows, keys work.

Before, the app read keys from the pipe: the log's bytes were taken as
keystrokes, ``q`` did nothing, a core spun at end of file, and the temporary
copy of the log stayed in the temp dir.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.targets import leaky
from tests.ui.conftest import SAMPLE
from tests.ui.test_tmux import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def piped(tmp_path: Path) -> Iterator[tuple[Tmux, Path, Path]]:
    spool = tmp_path / "tmp"
    spool.mkdir()
    pidfile = tmp_path / "pid"
    env = {
        "TERM": "screen-256color",
        "TMPDIR": str(spool),
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "PATH": os.environ["PATH"],
    }
    command = f"cat {SAMPLE} | sh -c 'echo $$ > {pidfile}; exec {sys.executable} -m triage open -'"
    session = Tmux("piped", command, env)
    try:
        yield session, spool, pidfile
    finally:
        session.kill()


def _cpu_ticks(pid: int) -> int:
    """utime + stime of ``pid``, in clock ticks (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_piped_dump_shows_and_q_quits(piped: tuple[Tmux, Path, Path]) -> None:
    tmux, spool, pidfile = piped
    tmux.wait_for("Goroutines · 1,151 in 23 groups")
    tmux.wait_for("q Quit")
    assert list(spool.iterdir()) == []  # the copy of stdin has no name, even while open
    pid = int(pidfile.read_text())
    # An idle app polls, it does not spin: over two seconds it uses far less than a
    # core (a spin on end-of-file used all of it). A ratio check, not a time budget.
    ticks, start = _cpu_ticks(pid), time.monotonic()
    time.sleep(2)
    used = (_cpu_ticks(pid) - ticks) / os.sysconf("SC_CLK_TCK")
    assert used < 0.5 * (time.monotonic() - start), used
    tmux.keys("End")
    tmux.wait_for("#23")  # keys come from the terminal
    tmux.keys("q")
    tmux.wait_for("EXITED=0")
    assert list(spool.iterdir()) == []


def test_a_terminated_app_leaves_no_temporary_file(piped: tuple[Tmux, Path, Path]) -> None:
    tmux, spool, pidfile = piped
    tmux.wait_for("Goroutines · 1,151 in 23 groups")
    os.kill(int(pidfile.read_text()), signal.SIGKILL)  # not even a kill -9 can leave one
    tmux.wait_for("EXITED=")
    assert list(spool.iterdir()) == []


def test_bad_files_on_a_terminal_are_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {"TERM": "screen-256color", "PATH": os.environ["PATH"],
           "TRIAGE_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
    python = f"{sys.executable} -m triage"
    session = Tmux(
        "badfiles",
        f"sh -c 'cd {tmp_path}; {python} open nope.log; echo OPEN=$?; "
        f"{python} open -; echo STDIN=$?; {python} flame nope.pb.gz'",
        env,
    )
    try:
        screen = session.wait_for("EXITED=")
    finally:
        session.kill()
    assert "triage: nope.log: no such file; check the path\nOPEN=2\n" in screen
    assert "triage: - (stdin) is the terminal, nothing was piped in; " in screen
    assert "\nSTDIN=2\n" in screen
    assert "triage: nope.pb.gz: no such file; check the path\nEXITED=2\n" in screen


def test_attach_starts_on_a_live_service_and_not_on_a_dead_one(tmp_path: Path) -> None:
    env = {"TERM": "screen-256color", "PATH": os.environ["PATH"],
           "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
           "TRIAGE_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
    with leaky("-spawn", "5") as svc:
        session = Tmux("attach", f"{sys.executable} -m triage attach {svc.url}", env)
        try:
            session.wait_for("attached to " + svc.url)
            session.keys("q")
            session.wait_for("EXITED=0")
        finally:
            session.kill()
    # the service is gone now: nothing answers at its URL
    session = Tmux("dead", f"{sys.executable} -m triage attach {svc.url}", env)
    try:
        screen = session.wait_for("EXITED=")
    finally:
        session.kill()
    assert "connection refused" in screen and "EXITED=3" in screen
