"""Argument values of one goroutine, read back from the dump on demand.

The bulk parser drops argument values (they differ per goroutine and would
split groups), so the detail view and the lock-holder search read a
goroutine's block again from :attr:`Dump.source` when they need them.
"""

from __future__ import annotations

import re

from triage.goroutines.frames import FILE_RE, split_call
from triage.goroutines.model import Dump, Frame

_HEX = re.compile(r"0x[0-9a-f]+")


def goroutine_block(dump: Dump, gid: int) -> list[str]:
    """The lines of goroutine ``gid``'s block, header first; empty if not found."""
    src = dump.source
    if isinstance(src, str):
        src = src.encode("utf-8", "surrogateescape")
    start, end = dump.span if dump.span[1] > dump.span[0] else (0, len(src))
    head = f"goroutine {gid} ".encode()
    if src[start : start + len(head)] == head:
        pos = start
    else:
        hit = src.find(b"\n" + head, start, end)
        if hit < 0:
            return []
        pos = hit + 1
    stop = src.find(b"\n\n", pos, end)
    raw = bytes(src[pos : end if stop < 0 else stop])
    return raw.decode("utf-8", "replace").splitlines()


def frame_args(dump: Dump, gid: int) -> list[tuple[Frame, str]]:
    """Each frame of goroutine ``gid`` with its argument text (``0x1, {0x2?}``)."""
    lines = goroutine_block(dump, gid)[1:]
    out: list[tuple[Frame, str]] = []
    i = 0
    while i + 1 < len(lines):
        call = split_call(lines[i])
        fm = FILE_RE.match(lines[i + 1]) if call else None
        if call is None or fm is None:
            i += 1
            continue
        func, args = call
        off = fm.group("off")
        frame = Frame(func, fm.group("file"), int(fm.group("line")), int(off, 16) if off else None)
        out.append((frame, args))
        i += 2
    return out


def addresses(args: str) -> list[str]:
    """The exact (non-stale) hexadecimal values in an argument list."""
    out = []
    for m in _HEX.finditer(args):
        if args[m.end() : m.end() + 1] != "?":
            out.append(m.group(0))
    return out
