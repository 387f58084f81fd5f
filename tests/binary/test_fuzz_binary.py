"""Fuzzing the ELF, build-info, pclntab and DWARF readers with damaged real binaries.

binsample is built by the real toolchain (stripped, and with DWARF); each
example damages one place a copy can go wrong: the ELF header, the program or
section header tables, or the bytes of a section the readers use, with bit
flips, random bytes, or words of 0, 2^63-1 and 2^64-1. Every public call then
either works or raises :class:`~triage.errors.TriageError` with one line.
DWARF decoding is slow in pyelftools, so its test draws fewer examples and
looks up few PCs; ``HYPOTHESIS_PROFILE=long`` runs thousands.
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.binary import open_binary
from triage.binary.elfheaders import read_headers
from triage.errors import TriageError

WORDS = (b"\x00" * 8, b"\xff" * 8, b"\xff" * 7 + b"\x7f", b"\x00\x00\x00\x80" * 2)
STRIPPED_SECTIONS = (".gopclntab", ".go.buildinfo", ".note.go.buildid", ".noptrdata")
DWARF_SECTIONS = (".debug_info", ".debug_line", ".debug_abbrev", ".debug_rnglists", ".symtab")
_BINARIES: dict[str, bytes] = {}
_SCRATCH: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def real_binaries(binsample: Callable[[str], Path]) -> Iterator[None]:
    """binsample's bytes in a module table, and one scratch file the examples overwrite."""
    for variant in ("stripped", "default"):
        _BINARIES[variant] = binsample(variant).read_bytes()
    fd, name = tempfile.mkstemp(prefix="triage-fuzz-", suffix=".bin")
    os.close(fd)
    _SCRATCH.append(Path(name))
    yield
    _SCRATCH.pop().unlink()


def regions(data: bytes, sections: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """(start, size) of the ELF header, both header tables and the named sections."""
    headers = read_headers("binsample", data)
    e_phoff, e_shoff = struct.unpack_from("<QQ", data, 0x20)
    phnum, shnum = struct.unpack_from("<H", data, 0x38)[0], struct.unpack_from("<H", data, 0x3C)[0]
    out = {"ehdr": (0, 64), "phdrs": (e_phoff, 56 * phnum), "shdrs": (e_shoff, 64 * shnum)}
    for name in sections:
        sec = headers.sections.get(name)
        if sec is not None and not sec.nobits:
            out[name] = (sec.offset, min(sec.size, 1 << 18))
    return out


@st.composite
def damaged(draw: st.DrawFn, variant: str, sections: tuple[str, ...]) -> bytes:
    data = bytearray(_BINARIES[variant])
    places = regions(bytes(data), sections)
    for _ in range(draw(st.integers(1, 3))):
        start, size = places[draw(st.sampled_from(sorted(places)))]
        at = start + draw(st.integers(0, max(size - 1, 0)))
        kind = draw(st.sampled_from(["bitflip", "word", "random"]))
        if kind == "bitflip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "word":
            data[at : at + 8] = draw(st.sampled_from(WORDS))
        else:
            data[at : at + 64] = draw(st.binary(min_size=64, max_size=64))
    return bytes(data)


def exercise(data: bytes, tables: tuple[str, ...], pcs: list[int]) -> None:
    """Everything `triage binary` and the enrichment paths call, on ``data``."""
    path = _SCRATCH[0]
    path.write_bytes(data)
    try:
        with open_binary(path) as binary:
            for attempt in (
                binary.build_info,
                lambda: binary.sections,
                lambda: binary.pie,
                lambda: binary.build_id,
                lambda: binary.gnu_build_id,
            ):
                _only_ours(attempt)
            for table in tables:
                sym = binary.symbolizer(prefer=table)
                for pc in pcs:
                    _only_ours(partial(sym.lookup, pc, return_address=True))
    except TriageError as exc:
        assert "\n" not in exc.line()


def _only_ours(call: Callable[[], object]) -> None:
    try:
        call()
    except TriageError as exc:
        assert "\n" not in exc.line()


PCS = [0x401000, 0x45A3C0, 0x47F7A1, 2**64 - 1, 0]


@given(damaged("stripped", STRIPPED_SECTIONS))
def test_damaged_headers_and_go_tables(data: bytes) -> None:
    exercise(data, ("auto", "pclntab"), PCS)


@settings(max_examples=15)
@given(damaged("default", DWARF_SECTIONS))
def test_damaged_dwarf_and_symtab(data: bytes) -> None:
    exercise(data, ("dwarf",), [0x45A3C0, 0x1])
