"""Anything that is not a readable Go ELF binary gives one `triage:` line and exit 2."""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.binary import peers
from tests.support import gotool
from triage.binary import open_binary
from triage.cli import main


def one_line_exit_2(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run `triage binary ARGV`; assert exit 2 and a single `triage: ` line on stderr."""
    code = main(["binary", *argv])
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("triage: "), captured.err
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    assert captured.out == ""
    return lines[0]


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_garbage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    noise = random.Random(5).randbytes(200_000)
    assert "not an ELF" in one_line_exit_2(capsys, write(tmp_path, "noise", noise))


def test_elf_magic_then_garbage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"\x7fELF" + random.Random(6).randbytes(4096)
    assert "ELF" in one_line_exit_2(capsys, write(tmp_path, "fake", data))


@pytest.mark.parametrize("keep", [100, 4096, 0.5, 0.99])
def test_truncated_go_binary(
    keep: float,
    tmp_path: Path,
    binsample: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """kubectl cp cut short: every truncation point gives one clear line."""
    data = binsample("default").read_bytes()
    size = int(keep) if keep > 1 else int(len(data) * keep)
    line = one_line_exit_2(capsys, write(tmp_path, "cut", data[:size]))
    assert "truncated" in line


def test_text_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "dump.txt", b"goroutine 1 [running]:\nmain.main()\n")
    assert "text file" in one_line_exit_2(capsys, path)


def test_empty_missing_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "empty" in one_line_exit_2(capsys, write(tmp_path, "empty", b""))
    assert "no such file" in one_line_exit_2(capsys, str(tmp_path / "missing"))
    assert "directory" in one_line_exit_2(capsys, str(tmp_path))


def test_non_go_elf(capsys: pytest.CaptureFixture[str]) -> None:
    true = shutil.which("true")
    assert true is not None
    assert "not a Go binary" in one_line_exit_2(capsys, true)
    assert "not a Go binary" in one_line_exit_2(capsys, true, "--pc", "0x1000")


@pytest.mark.skipif(not gotool.have_cc(), reason="no C compiler")
def test_c_program_with_dwarf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "hello.c"
    src.write_text("int main(void) { return 0; }\n")
    out = tmp_path / "hello"
    subprocess.run(["gcc", "-g", "-o", str(out), str(src)], check=True, capture_output=True)
    assert "not a Go binary" in one_line_exit_2(capsys, str(out))


def test_bad_addresses(
    binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(binsample("stripped"))
    assert "not a hex address" in one_line_exit_2(capsys, path, "--pc", "main.main")
    assert "not a hex address" in one_line_exit_2(capsys, path, "--pc", "0x")
    assert "not a hex address" in one_line_exit_2(capsys, path, "--pc", "0x1", "--base", "zz")


def test_unknown_pclntab_version_is_refused(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A Go 1.16-1.17 table (magic 0xfffffffa) is named and refused, build info still reads."""
    old = peers.patched(
        tmp_path, binsample("stripped"), ".gopclntab", 0, struct.pack("<I", 0xFFFFFFFA)
    )
    line = one_line_exit_2(capsys, str(old), "--pc", "0x401000")
    assert "Go 1.16-1.17" in line and "does not decode" in line
    assert main(["binary", str(old)]) == 0
    assert "go1.27" in capsys.readouterr().out


def test_unknown_pclntab_falls_back_to_dwarf(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = binsample("default")
    good = open_binary(source).symbolizer()
    pc = next(pc for pc in range(0x401000, 0x500000, 97) if good.lookup(pc))
    old = peers.patched(tmp_path, source, ".gopclntab", 0, struct.pack("<I", 0xFFFFFFF0))
    assert main(["binary", str(old), "--pc", hex(pc)]) == 0
    assert good.lookup(pc)[-1].func in capsys.readouterr().out


def test_corrupt_pclntab_header(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = peers.patched(
        tmp_path, binsample("stripped"), ".gopclntab", 8, struct.pack("<Q", 1 << 40)
    )
    assert "corrupt .gopclntab" in one_line_exit_2(capsys, str(bad), "--pc", "0x401000")


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    """The installed entry point, not just main(): one line, exit 2."""
    path = write(tmp_path, "noise", random.Random(7).randbytes(1000))
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "binary", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("triage: ")


@pytest.mark.parametrize("seed", range(12))
def test_damaged_pclntab_never_crashes(
    seed: int, tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Random damage to the function table: frames or one `triage:` line, never a traceback."""
    source = binsample("stripped")
    rng = random.Random(seed)
    noise = rng.randbytes(4096)
    offset = rng.randrange(0x48, 0xA0000)  # names, files, pc tables, function table
    damaged = peers.patched(tmp_path, source, ".gopclntab", offset, noise)
    pcs = [hex(rng.randrange(0x401000, 0x4A0000)) for _ in range(300)]
    code = main(["binary", str(damaged), "--json", "--return-addresses", "--pc", *pcs])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    if code == 0:
        assert len(json.loads(captured.out)["pcs"]) == len(pcs)
    else:
        assert code == 2 and captured.err.count("\n") == 1


def test_damaged_dwarf_gives_one_line(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    noise = random.Random(3).randbytes(256)
    damaged = peers.patched(tmp_path, binsample("default"), ".debug_info", 0, noise)
    line = one_line_exit_2(capsys, str(damaged), "--table", "dwarf", "--pc", "0x49f000")
    assert "DWARF" in line
    assert main(["binary", str(damaged), "--pc", "0x49f000"]) == 0  # the pclntab still answers
