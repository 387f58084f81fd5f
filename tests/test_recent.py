"""The recent list: typed records, and files written before targets were typed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from triage.recent import load_recent, remember
from triage.targets import BundleTarget, FileTarget, KubeTarget, StdinTarget, UrlTarget


def _file() -> Path:
    return Path(os.environ["TRIAGE_DATA_DIR"]) / "recent.json"


def test_an_old_file_is_still_read() -> None:
    # As written before targets were typed: kinds "open" (a path) and "attach" (a URL).
    _file().parent.mkdir(parents=True, exist_ok=True)
    _file().write_text(
        json.dumps(
            [
                {"kind": "open", "location": "/var/log/crash.log", "when": 100.0},
                {"kind": "attach", "location": "http://127.0.0.1:6060", "when": 200.0},
                {"kind": "open", "location": "-", "when": 50.0},
            ]
        )
    )
    got = load_recent()
    assert [r.target for r in got] == [
        UrlTarget("http://127.0.0.1:6060", base=True),
        FileTarget("/var/log/crash.log"),
    ]  # stdin (-) cannot be read again: dropped
    assert [(r.kind, r.location) for r in got][:2] == [
        ("url", "http://127.0.0.1:6060"),
        ("file", "/var/log/crash.log"),
    ]


def test_typed_records_round_trip(tmp_path: Path) -> None:
    dump = tmp_path / "crash.log"
    dump.write_text("x")
    kube = KubeTarget("deployment", "api", "prod", "gke-eu")
    remember(FileTarget(str(dump)), now=1.0)
    remember(UrlTarget("http://127.0.0.1:6060/debug/pprof/heap", base=False), now=2.0)
    remember(kube, now=3.0)
    remember(BundleTarget(str(tmp_path / "b.tar.gz")), now=4.0)
    remember(FileTarget(str(dump)), now=5.0)  # again: moves to the top, once
    got = [r.target for r in load_recent()]
    assert got == [
        FileTarget(str(dump)),
        BundleTarget(str(tmp_path / "b.tar.gz")),
        kube,
        UrlTarget("http://127.0.0.1:6060/debug/pprof/heap", base=False),
    ]
    assert load_recent()[2].location == "deployment/api in prod on gke-eu"


def test_relative_paths_are_stored_absolute_and_stdin_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    remember(FileTarget("crash.log"), now=1.0)
    remember(StdinTarget(), now=2.0)  # cannot be read again: not offered
    assert [r.target for r in load_recent()] == [FileTarget(str(tmp_path / "crash.log"))]


def test_a_corrupt_record_is_skipped_and_a_corrupt_file_is_empty() -> None:
    _file().parent.mkdir(parents=True, exist_ok=True)
    _file().write_text(
        json.dumps(
            [
                {"kind": "pod", "location": "pod/x", "when": 1.0},  # no name
                {"kind": "teleport", "location": "x", "when": 1.0},
                {"kind": "file", "location": "/a", "when": "yesterday"},
                {"kind": "file", "location": "/b", "when": 2.0},
            ]
        )
    )
    assert [r.target for r in load_recent()] == [FileTarget("/b")]
    _file().write_text("{not json")
    assert load_recent() == []
    _file().write_text('{"kind": "file"}')
    assert load_recent() == []
