"""`triage binary PATH --pc ...`: what users type, and the JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.binary import peers
from triage.cli import main


def crash_pcs(path: Path) -> list[peers.PhysicalFrame]:
    return peers.first_goroutine(peers.crash(path, "index"))


def test_json_pcs_exactly_as_given(
    binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = binsample("stripped")
    nth = next(p for p in crash_pcs(path) if p.frames[-1][0] == "main.(*Cart).Nth")
    pc = f"{nth.pc:#x}"
    assert main(["binary", str(path), "--pc", pc, "0x10", "--json", "--return-addresses"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["pcs"]
    first, missing = doc["pcs"]
    assert first["pc"] == pc
    assert first["frames"] == [{"func": n, "file": f, "line": ln} for n, f, ln in nth.frames]
    assert missing == {"pc": "0x10", "frames": []}


def test_without_return_addresses_the_pc_is_used_as_is(
    binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = binsample("default")
    frames = crash_pcs(path)
    pcs = [f"{p.pc:#x}" for p in frames]
    assert main(["binary", str(path), "--json", "--pc", *pcs]) == 0
    as_given = json.loads(capsys.readouterr().out)["pcs"]
    assert main(["binary", str(path), "--json", "--return-addresses", "--pc", *pcs]) == 0
    as_return = json.loads(capsys.readouterr().out)["pcs"]
    assert [e["pc"] for e in as_given] == pcs == [e["pc"] for e in as_return]
    assert as_given != as_return


def test_stdin_and_text_output(binsample: Callable[[str], Path]) -> None:
    path = binsample("pie")
    stderr = peers.crash(path, "index")
    base = next(start for start, _, off in peers.maps_lines(stderr) if off == 0)
    frames = peers.first_goroutine(stderr)
    nth = next(p for p in frames if p.frames[-1][0] == "main.(*Cart).Nth")
    argv = ["binary", str(path), "--pc", "-", "--base", hex(base), "--return-addresses"]
    proc = subprocess.run(
        [sys.executable, "-m", "triage", *argv],
        input=f"pc={nth.pc:#x}\n",
        capture_output=True,
        text=True,
        check=True,
        env={"NO_COLOR": "1", "PATH": ""},
    )
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{nth.pc:#x}"
    assert lines[1].split() == ["main.at", "(inlined)"]
    assert lines[2].strip() == f"{nth.frames[0][1]}:{nth.frames[0][2]}"
    assert lines[-2].strip() == "main.(*Cart).Nth"
    assert "\x1b[" not in proc.stdout


def test_pie_without_base_says_why_nothing_matched(
    binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = binsample("pie")
    assert main(["binary", str(path), "--pc", "0x5594d2dab349"]) == 0
    captured = capsys.readouterr()
    assert "?" in captured.out
    assert "PIE" in captured.err and "--base" in captured.err


def test_dwarf_table_needs_dwarf(
    binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["binary", str(binsample("nodwarf")), "--pc", "0x401000", "--table", "dwarf"])
    assert code == 2
    assert "no DWARF" in capsys.readouterr().err


def test_advisories_key_and_text(
    binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The toolchain here has no listed bug: an empty list, and the text says so."""
    path = str(binsample("default"))
    assert main(["binary", path, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["advisories"] == []
    assert main(["binary", path]) == 0
    assert "known runtime bugs: none listed for go1.27.3" in capsys.readouterr().out


def with_go_version(tmp_path: Path, source: Path, version: str) -> Path:
    """A copy whose build info claims another Go release of the same length."""
    blob = source.read_bytes()
    at = blob.index(b"\xff Go buildinf:")
    old = b"go1.27.3"
    assert blob[at + 33 : at + 33 + len(old)] == old and len(version) == len(old)
    return peers.patched(tmp_path, source, ".go.buildinfo", 33, version.encode())


def test_advisory_shown_for_an_affected_release(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = with_go_version(tmp_path, binsample("stripped"), "go1.24.2")
    assert main(["binary", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["go_version"] == "go1.24.2"
    assert [(a["go_issue"], a["fixed_in"]) for a in doc["advisories"]] == [(73141, "go1.24.3")]
    assert main(["binary", str(path)]) == 0
    text = capsys.readouterr().out
    assert "WARNING known runtime bug" in text and "https://go.dev/issue/73141" in text


def test_cgo_only_advisory_skipped_for_a_pure_go_build(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """binsample is built with CGO_ENABLED=0, so the cgo callback bug cannot apply."""
    path = with_go_version(tmp_path, binsample("stripped"), "go1.22.4")
    assert main(["binary", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["settings"]["CGO_ENABLED"] == "0"
    assert doc["advisories"] == []
