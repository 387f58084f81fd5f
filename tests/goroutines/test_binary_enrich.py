"""triage analyze --binary: the binary names bare addresses and flags known-bad runtimes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.binary import peers
from tests.support import gotool
from tests.support.targets import crash, sigquit, write


def _analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", "analyze", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_signal_pc_is_named_from_the_binary(tmp_path: Path) -> None:
    binary = gotool.build("crashers")
    dump = write(tmp_path, "nil.log", crash("nil").stderr)
    proc = _analyze(str(dump), "--binary", str(binary), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    pc = doc["crash"]["signal"]["pc"]
    details = doc["findings"][0]["details"]
    assert f"signal pc {pc} is main.(*Server).Name (" in details[0]
    assert details[0].endswith("tests/targets/crashers/main.go:34)")
    assert doc["binary"]["go_version"] == "go1.27.3"
    assert doc["binary"]["main"] == "example.com/shop"
    assert doc["binary"]["advisories"] == []
    text = _analyze(str(dump), "--binary", str(binary)).stdout
    assert text.splitlines()[0].startswith("binary: go1.27.3 example.com/shop")


def test_sigquit_rip_is_named(tmp_path: Path) -> None:
    binary = gotool.build("crashers")
    dump = write(tmp_path, "quit.log", sigquit().stderr)
    doc = json.loads(_analyze(str(dump), "--binary", str(binary), "--json").stdout)
    finding = next(f for f in doc["findings"] if f["rule"] == "sigquit-dump")
    assert finding is not None  # SIGQUIT is informational: no critical finding to annotate
    assert doc["crash"]["signal"]["name"] == "SIGQUIT"


def test_known_bad_runtime_becomes_a_finding(tmp_path: Path) -> None:
    source = gotool.build("crashers")
    blob = source.read_bytes()
    at = blob.index(b"\xff Go buildinf:")
    assert blob[at + 33 : at + 41] == b"go1.27.3"
    old = peers.patched(tmp_path, source, ".go.buildinfo", 33, b"go1.24.2")
    dump = write(tmp_path, "nil.log", crash("nil").stderr)
    doc = json.loads(_analyze(str(dump), "--binary", str(old), "--json").stdout)
    bad = [f for f in doc["findings"] if f["rule"] == "known-bad-runtime"]
    assert len(bad) == 1 and bad[0]["severity"] == "warning"
    assert "go.dev/issue/73141" in bad[0]["summary"] and "go1.24.3" in bad[0]["summary"]


def test_not_a_go_binary(tmp_path: Path) -> None:
    dump = write(tmp_path, "nil.log", crash("nil").stderr)
    proc = _analyze(str(dump), "--binary", sys.executable)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("triage: ")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert os.path.basename(sys.executable) in proc.stderr
