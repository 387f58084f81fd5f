"""``triage attach --save-dir``: every snapshot and profile fetched is kept, as fetched,
and opens again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.probes.fakes import FakeClock
from tests.support.targets import leaky
from triage.config import Attach, Config
from triage.errors import BadInput
from triage.evidence import dump_bytes, evidence_name, save
from triage.goroutines import analyze
from triage.live.fetcher import Capability, http_fetcher
from triage.live.session import LiveSession, SnapshotFetched
from triage.ui.launch import register  # noqa: F401 - the option exists (checked below)


def _session(url: str, save_dir: Path) -> LiveSession:
    cfg = Config(attach=Attach(save_dir=str(save_dir)))
    return LiveSession(http_fetcher(url, cfg), cfg, clock=FakeClock(0.0))


def test_every_snapshot_and_profile_is_kept_and_reads_again(tmp_path: Path) -> None:
    keep = tmp_path / "evidence"
    with leaky("-spawn", "20") as svc:
        session = _session(svc.url, keep)
        first = session.fetch(Capability.GOROUTINES)
        svc.get("/leak?n=7")
        second = session.fetch(Capability.GOROUTINES)
        session.fetch_profile("heap", None)
        host = svc.url.removeprefix("http://").replace(":", "-")
    assert isinstance(first, SnapshotFetched) and isinstance(second, SnapshotFetched)
    dumps = sorted(keep.glob("*-goroutines-*.txt"))
    profiles = list(keep.glob("*-profile-heap-*.pb.gz"))
    assert len(dumps) == 2 and len(profiles) == 1  # two in one second: -2, never overwritten
    for p in [*dumps, *profiles]:
        assert p.name.startswith(host), (p.name, host)
    # the bytes as fetched: the session's own dumps are what the files hold
    texts = {p.read_bytes() for p in dumps}
    assert {dump_bytes(r.analysis.dumps[-1].dump) for r in (first, second)} == texts
    leaked = sorted(t.count(b"created by main.leak in goroutine") for t in texts)
    assert leaked == [0, 7]
    assert all(analyze(t).dumps for t in texts)
    for path in (*dumps, *profiles):
        proc = subprocess.run(
            [sys.executable, "-m", "triage", "flame" if path in profiles else "analyze", str(path)]
            + (["--top", "3"] if path in profiles else ["--json"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr


def test_a_directory_that_cannot_be_written_does_not_stop_the_session(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with leaky() as svc:
        session = _session(svc.url, blocker / "sub")
        result = session.fetch(Capability.GOROUTINES)
        assert isinstance(result, SnapshotFetched)
        session.apply(result)
    text, level = session.status_line()
    assert level == "warning" and text.startswith("not saving: cannot create")


def test_names_say_target_what_and_when_and_never_overwrite(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 12, 5, 3, 14, 7, tzinfo=UTC)
    name = evidence_name("http://127.0.0.1:6060", "goroutines", at)
    assert name == "127.0.0.1-6060-goroutines-20261205T031407Z.txt"
    assert evidence_name("pod/api-0", "profile", at, "cpu") == (
        "pod-api-0-profile-cpu-20261205T031407Z.pb.gz"
    )
    one, two = save(tmp_path, name, b"a"), save(tmp_path, name, b"b")
    assert one != two and one.read_bytes() == b"a" and two.read_bytes() == b"b"
    assert two.name == "127.0.0.1-6060-goroutines-20261205T031407Z-2.txt"


def test_attach_help_offers_save_dir() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "attach", "--help"], capture_output=True, check=False
    )
    assert b"--save-dir DIR" in proc.stdout


def test_unwritable_target_is_bad_input(tmp_path: Path) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("x")
    try:
        save(blocker, "n.txt", b"")
    except BadInput as exc:
        assert "cannot create" in exc.line() or "cannot write" in exc.line()
    else:
        raise AssertionError("no error")
