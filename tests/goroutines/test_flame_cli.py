"""triage flame on text goroutine dumps: weighted by goroutine count, state on the leaf."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.targets import crash, write
from triage.goroutines import analyze


def _flame(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "triage", "flame", *args],
        input=stdin, capture_output=True, timeout=120, check=False,
    )  # fmt: skip


def test_folded_stacks_of_a_crash_log(tmp_path: Path) -> None:
    text = crash("piles").stderr
    path = write(tmp_path, "piles.log", "INFO before\n" + text)
    proc = _flame(str(path), "--folded")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    item = analyze(text).dumps[0]
    assert sum(int(line.rsplit(" ", 1)[1]) for line in lines) == len(item.dump.ids)
    mutex = next(line for line in lines if line.split(" ")[0].endswith(";[sync.Mutex.Lock]"))
    # root first (the goroutine's own function), the state as the leaf, the count last
    assert mutex == (
        "main.(*Server).waitLock;sync.(*Mutex).Lock;internal/sync.(*Mutex).Lock;"
        "internal/sync.(*Mutex).lockSlow;internal/sync.runtime_SemacquireMutex;"
        "[sync.Mutex.Lock] 4"
    )


def test_top_from_stdin_and_svg(tmp_path: Path) -> None:
    text = crash("deadlock").stderr.encode()
    proc = _flame("-", "--top", "3", stdin=text)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "Type: goroutine (count)" in out and "Total: 5" in out
    svg = tmp_path / "g.svg"
    assert _flame(str(write(tmp_path, "d.log", text)), "--svg", str(svg)).returncode == 0
    assert svg.read_text().startswith("<?xml") and "[sync.Mutex.Lock]" in svg.read_text()


def test_text_that_is_no_dump_is_still_bad_input() -> None:
    proc = _flame("-", stdin=b"just a log line\n")
    assert proc.returncode == 2
    assert proc.stderr.decode().count("\n") == 1 and b"Traceback" not in proc.stderr
