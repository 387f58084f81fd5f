"""Damaged Go binaries found by fuzzing: one `triage:` line and exit 2, never an internal error.

Each case is the real binsample binary with the exact damage a fuzzer found
escaping as a Python exception: a section address of 2^64-1 (struct.error),
a section-name offset far past the file (pyelftools' ValueError), a
``.debug_line`` or ``.debug_info`` overwritten with 0xff/0x7f words
(AttributeError, TypeError, AssertionError from pyelftools). Where the binary
only enriches, the output goes on without its symbols (tests/pprof/test_hostile.py
for ``flame --binary``).
"""

from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tests.binary import peers
from tests.binary.test_bad_input import one_line_exit_2
from triage.cli import main

#: PCs spread over binsample's text, so DWARF lookups reach every compilation unit
TEXT_PCS = [hex(pc) for pc in range(0x401000, 0x4A0000, 0x400)]


def header_patched(tmp_path: Path, source: Path, section: str, field: int, data: bytes) -> Path:
    """``source`` with ``data`` written at byte ``field`` of ``section``'s section header."""
    with source.open("rb") as fh:
        elf = ELFFile(fh)
        index = next(i for i, s in enumerate(elf.iter_sections()) if s.name == section)
        where = elf["e_shoff"] + index * elf["e_shentsize"] + field
    blob = bytearray(source.read_bytes())
    blob[where : where + len(data)] = data
    out = tmp_path / f"{source.name}-shdr-{section.strip('.')}-{field}"
    out.write_bytes(bytes(blob))
    return out


def test_pclntab_address_of_2_to_the_64_minus_1(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """sh_addr = 2^64-1: the module-data search packed addr+offset into a word (struct.error)."""
    damaged = header_patched(
        tmp_path, binsample("default"), ".gopclntab", 16, struct.pack("<Q", 2**64 - 1)
    )
    line = one_line_exit_2(capsys, str(damaged), "--pc", "0x401000")
    assert "corrupt symbol tables" in line and str(damaged) in line


def test_section_name_offset_past_the_file(
    tmp_path: Path, binsample: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """pyelftools seeks to the name and fails with ValueError; ours is one line."""
    damaged = header_patched(
        tmp_path, binsample("default"), ".debug_info", 0, struct.pack("<I", 0x7FFFFFFF)
    )
    line = one_line_exit_2(capsys, str(damaged), "--pc", "0x1")  # in no Go function: .symtab
    assert "corrupt" in line


@pytest.mark.parametrize(
    "damage",
    [
        (".debug_line", 21705, b"\xff" * 8),  # AttributeError in pyelftools' line program
        (".debug_line", 28835, b"\x7f" + b"\xff" * 7),  # TypeError: no file table
        (".debug_info", 111222, b"\x7f" + b"\xff" * 7),  # AssertionError in a CU header
    ],
    ids=["line-attributeerror", "line-typeerror", "info-assertionerror"],
)
def test_corrupt_dwarf_is_one_line(
    damage: tuple[str, int, bytes],
    tmp_path: Path,
    binsample: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    section, offset, word = damage
    damaged = peers.patched(tmp_path, binsample("default"), section, offset, word)
    line = one_line_exit_2(capsys, str(damaged), "--table", "dwarf", "--json", "--pc", *TEXT_PCS)
    assert "corrupt DWARF" in line
    assert main(["binary", str(damaged), "--json", "--pc", *TEXT_PCS[:20]]) == 0  # pclntab
    capsys.readouterr()


def test_no_traceback_in_a_subprocess(tmp_path: Path, binsample: Callable[[str], Path]) -> None:
    damaged = header_patched(
        tmp_path, binsample("default"), ".gopclntab", 16, struct.pack("<Q", 2**64 - 1)
    )
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "binary", str(damaged), "--pc", "0x401000"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "internal error" not in proc.stderr


def test_a_go_version_with_thousands_of_digits_is_no_version() -> None:
    """Build info is the binary's own text: int() of 5,000 digits raised ValueError."""
    from triage.binary import advisories_for, parse_go_version

    huge = "go1." + "9" * 5000
    assert parse_go_version(huge) is None
    assert advisories_for(huge, cgo=True, goos="linux") == []
    assert parse_go_version("go1.22.3") == (1, 22, 3, 1)
