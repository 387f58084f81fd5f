"""NO_COLOR=1 in a real terminal: readable monochrome, read from the escape sequences tmux keeps.

A recorded session once held 457 runs of ``38;5;16;48;5;16`` (black on black). These tests
run the app in tmux with NO_COLOR=1, capture the panes with their SGR sequences
(``capture-pane -e``) and replay them to know each visible character's colours.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ui.conftest import SAMPLE
from tests.ui.test_tmux import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
#: the grey levels of the 16-colour palette (black, white and their bright forms), as SGR
#: foreground numbers; a background is the same number + 10
GREYS = {30, 37, 90, 97}


@dataclass(frozen=True, slots=True)
class Cell:
    char: str
    fg: str  # "default", "16", "256:16", "rgb:0,0,0"
    bg: str
    reverse: bool


def _colour(params: list[int], i: int) -> tuple[str, int]:
    """The extended colour starting at ``params[i]`` (38/48), and the index after it."""
    if i + 1 < len(params) and params[i + 1] == 5:
        return f"256:{params[i + 2]}", i + 3
    if i + 1 < len(params) and params[i + 1] == 2:
        return f"rgb:{params[i + 2]},{params[i + 3]},{params[i + 4]}", i + 5
    return "default", i + 1


def cells(captured: str) -> list[Cell]:
    """Every non-blank character with the colours it is drawn in."""
    out: list[Cell] = []
    fg, bg, reverse = "default", "default", False
    for line in captured.splitlines():
        pos = 0
        for match in [*_SGR.finditer(line), None]:
            text = line[pos : match.start() if match else len(line)]
            out += [Cell(c, fg, bg, reverse) for c in text if not c.isspace()]
            if match is None:
                break
            pos = match.end()
            params = [int(p or 0) for p in match.group(1).replace(":", ";").split(";")]
            i = 0
            while i < len(params):
                p = params[i]
                if p == 0:
                    fg, bg, reverse = "default", "default", False
                elif p == 7:
                    reverse = True
                elif p == 27:
                    reverse = False
                elif p in (38, 48):
                    value, i = _colour(params, i)
                    fg, bg = (value, bg) if p == 38 else (fg, value)
                    continue
                elif p == 39:
                    fg = "default"
                elif p == 49:
                    bg = "default"
                elif 30 <= p <= 37 or 90 <= p <= 97:
                    fg = str(p)
                elif 40 <= p <= 47 or 100 <= p <= 107:
                    bg = str(p - 10)
                i += 1
    return out


def test_the_replay_sees_black_on_black() -> None:
    """The checker itself: the recorded defect is caught, readable text is not."""
    bad = cells("\x1b[38;5;16;48;5;16mWARN\x1b[0m ok")
    assert [(c.fg, c.bg) for c in bad[:4]] == [("256:16", "256:16")] * 4
    assert (bad[-1].fg, bad[-1].bg) == ("default", "default")
    assert [c.bg for c in cells("\x1b[37m\x1b[47mx\x1b[30my\x1b[49mz")] == ["37", "37", "default"]


@pytest.fixture
def no_color(tmp_path: Path) -> Iterator[Tmux]:
    env = {
        "TERM": "screen-256color",
        "NO_COLOR": "1",
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "PATH": os.environ["PATH"],
    }
    session = Tmux("nocolor", f"{sys.executable} -m triage open {SAMPLE}", env)
    try:
        yield session
    finally:
        session.kill()


def _coloured(session: Tmux) -> list[Cell]:
    return cells(
        subprocess.run(
            ["tmux", *session.socket, "capture-pane", "-e", "-p", "-t", session.name],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip


def _grey(colour: str) -> bool:
    """Default, a grey of the 16 colours, of the 256-colour ramp, or an RGB with r == g == b."""
    if colour == "default" or (colour.isdigit() and int(colour) in GREYS):
        return True
    if colour.startswith("256:"):
        return int(colour[4:]) in (16, 231) or int(colour[4:]) >= 232
    return colour.startswith("rgb:") and len(set(colour[4:].split(","))) == 1


def _assert_readable_monochrome(shown: list[Cell], where: str) -> None:
    hidden = [c for c in shown if c.fg == c.bg != "default"]
    assert not hidden, f"{where}: {len(hidden)} characters drawn in their background colour"
    colours = {c.fg for c in shown} | {c.bg for c in shown}
    hues = {c for c in colours if not _grey(c)}
    assert not hues, f"{where}: colours under NO_COLOR: {sorted(hues)}"


def test_no_color_draws_readable_monochrome(no_color: Tmux) -> None:
    screen = no_color.wait_for("q Quit")
    assert "WARN 300 goroutines blocked on chan receive in main.leak.func1.1" in screen
    _assert_readable_monochrome(_coloured(no_color), "workspace")
    no_color.keys("End", "Enter")
    no_color.wait_for("Group #23")
    no_color.wait_for("main.readConn(")
    _assert_readable_monochrome(_coloured(no_color), "group screen")
    no_color.keys("Escape", "2")
    no_color.wait_for("[2 Flame graph]")
    _assert_readable_monochrome(_coloured(no_color), "flame graph")
    no_color.keys("q")
    assert "Traceback" not in no_color.wait_for("EXITED=0")
