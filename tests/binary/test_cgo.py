"""A cgo binary (CGO_ENABLED=1, the Linux default when a C compiler exists).

The external linker puts C start-up code before the Go text, so function
entries are relative to ``runtime.text``, not to the start of ``.text``; and C
functions are absent from the pclntab, so their names and lines come from DWARF
(gcc's) and ``.symtab``. Peers: `go tool addr2line` for Go code, the Go runtime's
traceback, and binutils' decoded DWARF line table (`readelf`) for C code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.binary import peers
from tests.binary.test_symbolize import agrees, check_traceback, symbol, text_pcs
from triage.binary import open_binary

pytestmark = pytest.mark.slow


def test_go_code_agrees_with_addr2line(cgosample: Path) -> None:
    with open_binary(cgosample) as binary:
        text = binary.image.sections[".text"].addr
        assert symbol(binary, "runtime.text")[0] > text, "expected C code before the Go text"
        pcs = text_pcs(binary)
        sym = binary.symbolizer()
        ours = [sym.lookup(pc) for pc in pcs]
    peer = peers.addr2line(cgosample, pcs)
    go = [(pc, p, o) for pc, p, o in zip(pcs, peer, ours, strict=True) if p[0] != "?"]
    wrong = [(hex(pc), p, o) for pc, p, o in go if not agrees(o, p)]
    assert wrong == [] and len(go) > 1000


def test_traceback(cgosample: Path) -> None:
    physical = peers.first_goroutine(peers.crash(cgosample, "index"))
    with open_binary(cgosample) as binary:
        check_traceback(binary.symbolizer(), physical)
    assert any(p.frames[0][0] == "main.at" for p in physical)


def decoded_lines(path: Path) -> list[tuple[int, str, int]]:
    """(address, file basename, line) rows of binutils' decoded DWARF line table."""
    out = subprocess.run(
        ["readelf", "--debug-dump=decodedline", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, LC_ALL="C"),
    ).stdout
    row = re.compile(r"^(\S+)\s+(\d+)\s+(0x[0-9a-f]+)\b")
    return [
        (int(m[3], 16), m[1], int(m[2])) for m in map(row.match, out.splitlines()) if m is not None
    ]


@pytest.mark.skipif(shutil.which("readelf") is None, reason="binutils not installed")
def test_c_function_from_dwarf(cgosample: Path) -> None:
    """Every PC of the C function c_sum: its name, and the line binutils' table gives."""
    rows = decoded_lines(cgosample)
    with open_binary(cgosample) as binary:
        start, size = symbol(binary, "c_sum")
        sym = binary.symbolizer()
        assert sym.lookup(start) and all(  # the pclntab does not cover C code
            sym.lookup(pc)[-1].func == "c_sum" for pc in range(start, start + size)
        )
        for pc in range(start, start + size):
            # the last row at or before pc (later rows at one address override earlier ones)
            want = [r for r in rows if start <= r[0] <= pc][-1]
            frame = sym.lookup(pc)[0]
            assert (Path(frame.file).name, frame.line) == want[1:], hex(pc)
