"""Hostile and broken bundles: one line, exit 2, nothing written anywhere.

Bundles are read into memory member by member (never extracted), so these tests
also check that no file appears where a ``../`` or absolute member points.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from triage.bundle import archive
from triage.bundle.archive import FORMAT, Bundle, read_bundle, write_bundle
from triage.errors import BadInput

MANIFEST = json.dumps({"format": FORMAT, "pod": "x", "target": "pod/x"}).encode()


def tarball(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isfile() else 0
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def member(
    name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE
) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    if kind == tarfile.SYMTYPE:
        info.linkname = "/etc/passwd"
    return info, data


def triage(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TMPDIR=str(cwd))
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
        start_new_session=True,  # no terminal: `open` never starts the app here
        check=False,
    )


def hostile(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each bad bundle and the words its one line must hold."""
    d = tmp_path / "in"
    d.mkdir()
    text = d / "text.tar.gz"
    text.write_text("goroutine 1 [running]:\n")
    good = write_good(d / "good.tar.gz")
    cut = d / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    plain_gz = d / "plain.tar.gz"
    plain_gz.write_bytes(gzip.compress(b"not a tar at all" * 100))
    huge_header = tarfile.TarInfo("pprof/cpu.pb.gz")
    huge_header.size = 1 << 33  # claims 8 GiB, holds nothing
    claims = d / "claims.tar.gz"
    claims.write_bytes(gzip.compress(huge_header.tobuf(tarfile.GNU_FORMAT)))
    return {
        "text": (text, "not a gzip file"),
        "truncated": (cut, "not a readable tar.gz"),
        "gzip, not tar": (plain_gz, "not a readable tar.gz"),
        "dotdot": (
            tarball(d / "dotdot.tar.gz", [member("manifest.json", MANIFEST), member("../../evil")]),
            "points outside the bundle",
        ),
        "absolute": (
            tarball(d / "abs.tar.gz", [member("/tmp/evil-abs"), member("manifest.json", MANIFEST)]),
            "points outside the bundle",
        ),
        "symlink": (
            tarball(
                d / "link.tar.gz",
                [member("manifest.json", MANIFEST), member("ln", b"", tarfile.SYMTYPE)],
            ),
            "is a link or device",
        ),
        "huge member": (claims, "too large (a tar bomb?)"),
        "no manifest": (
            tarball(d / "nomanifest.tar.gz", [member("logs/a.log")]),
            "no manifest.json",
        ),
        "not ours": (
            tarball(d / "foreign.tar.gz", [member("manifest.json", b'{"format": "other"}')]),
            "is not a triage-bundle/1 manifest",
        ),
    }


def write_good(path: Path) -> Path:
    manifest = {"format": FORMAT, "pod": "x", "target": "pod/x", "failed": []}
    write_bundle(path, Bundle(manifest, {"logs/app.log": b"level=info\n"}))
    return path


@pytest.mark.parametrize("command", ["analyze", "open"])
def test_hostile_bundles_are_one_line_and_exit_2(tmp_path: Path, command: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for case, (path, words) in hostile(tmp_path).items():
        proc = triage(work, command, str(path))
        assert proc.returncode == 2, (case, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"triage: {path}: "), (case, proc.stderr)
        assert words in lines[0], (case, lines[0])
        assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert list(work.iterdir()) == []  # nothing extracted, no temporary file left
    assert not (tmp_path.parent / "evil").exists() and not Path("/tmp/evil-abs").exists()


def test_a_bundle_with_nothing_to_analyze_says_what_is_missing(tmp_path: Path) -> None:
    path = write_good(tmp_path / "logs-only.tar.gz")
    proc = triage(tmp_path, "analyze", str(path))
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert line.startswith(f"triage: {path}: the bundle holds no crash and no goroutine dump; ")
    assert "missing: the crash" in line


def test_total_size_and_member_count_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A limit check, not a budget: the limits are lowered so a small file crosses them.
    many = tarball(
        tmp_path / "many.tar.gz",
        [member("manifest.json", MANIFEST)] + [member(f"f{i}", b"y" * 100) for i in range(20)],
    )
    monkeypatch.setattr(archive, "MAX_TOTAL", 1000)
    with pytest.raises(BadInput, match="too large"):
        read_bundle(many)
    monkeypatch.setattr(archive, "MAX_TOTAL", 1 << 20)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 10)
    with pytest.raises(BadInput, match="more than 10 members"):
        read_bundle(many)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 100)
    assert len(read_bundle(many).files) == 20


def test_write_is_atomic_and_never_leaves_half_a_bundle(tmp_path: Path) -> None:
    path = tmp_path / "b.tar.gz"
    path.write_bytes(b"the previous bundle")

    # a member that fails half way through writing (str, not bytes)
    broken = Bundle({"format": FORMAT}, {"a": b"1", "b": "not bytes"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        write_bundle(path, broken)
    assert path.read_bytes() == b"the previous bundle"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.tar.gz"]  # no .part left
    write_good(path)
    assert read_bundle(path).files == {"logs/app.log": b"level=info\n"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
