"""Parse the frame lines of one traceback block.

This runs once per *unique* stack text, not once per goroutine, so it favours
clarity over speed. It accepts the indented frames of race reports too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.goroutines.model import Ancestor, CreatedBy, Frame

#: ``\s++`` is possessive: a long run of blanks that is not a file line fails in one pass
FILE_RE = re.compile(
    r"^\s++(?P<file>.+?):(?P<line>\d+)(?: \+0x(?P<off>[0-9a-fA-F]+))?"
    r"(?: fp=0x[0-9a-f]+(?: sp=0x[0-9a-f]+)?(?: pc=0x[0-9a-f]+)?)?\s*$"
)
CREATED_RE = re.compile(r"^\s*created by (?P<func>\S+?)(?: in goroutine (?P<gid>\d+))?\s*$")
ELIDED_RE = re.compile(r"^\s*\.\.\.(?:(\d+) frames|additional frames) elided\.\.\.\s*$")
ORIGIN_RE = re.compile(r"^\[originating from goroutine (\d+)\]:\s*$")
UNAVAILABLE = "goroutine running on other thread; stack unavailable"


@dataclass(slots=True)
class ParsedFrames:
    """What one block of frame lines holds."""

    frames: list[Frame] = field(default_factory=list)
    created_by: CreatedBy | None = None
    creator: int | None = None
    elided: int = 0
    ancestors: list[Ancestor] = field(default_factory=list)
    unavailable: bool = False
    #: lines that are not part of a traceback (interleaved log output)
    foreign: list[str] = field(default_factory=list)
    #: the block ends with a function line whose file line is missing
    truncated: bool = False


def split_call(line: str) -> tuple[str, str] | None:
    """``pkg.(*T).M(0x1, {0x2?})`` -> (``pkg.(*T).M``, ``0x1, {0x2?}``)."""
    text = line.strip()
    if not text.endswith(")"):
        return None
    func, paren, args = text[:-1].rpartition("(")
    if not paren or not func or " " in func:
        return None
    return func, args


def parse_frames(lines: list[str]) -> ParsedFrames:
    """Parse function/file line pairs, created-by, elision and ancestor blocks."""
    out = ParsedFrames()
    target = out.frames
    origins: list[tuple[int, list[Frame]]] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        m = ORIGIN_RE.match(line)
        if m:
            target = []
            origins.append((int(m.group(1)), target))
            out.ancestors.append(Ancestor(int(m.group(1)), ()))
            i += 1
            continue
        m = ELIDED_RE.match(line)
        if m:
            out.elided = int(m.group(1)) if m.group(1) else -1
            i += 1
            continue
        if line.strip() == UNAVAILABLE:
            out.unavailable = True
            i += 1
            continue
        m = CREATED_RE.match(line)
        if m:
            created, i = _file_after(lines, i, m.group("func"))
            if out.ancestors:
                out.ancestors[-1].created_by = created
            else:
                out.created_by = created
                out.creator = int(m.group("gid")) if m.group("gid") else None
            continue
        call = split_call(line)
        if call is not None:
            if i + 1 >= n:
                out.truncated = True
                break
            fm = FILE_RE.match(lines[i + 1])
            if fm is not None:
                func, args = call
                off = fm.group("off")
                target.append(
                    Frame(
                        func=func,
                        file=fm.group("file"),
                        line=int(fm.group("line")),
                        offset=int(off, 16) if off else None,
                        inlined=args == "...",
                    )
                )
                i += 2
                continue
        out.foreign.append(line)
        i += 1
    for anc, (_, frames) in zip(out.ancestors, origins, strict=True):
        anc.frames = tuple(frames)
    return out


def _file_after(lines: list[str], i: int, func: str) -> tuple[CreatedBy | None, int]:
    if i + 1 < len(lines):
        fm = FILE_RE.match(lines[i + 1])
        if fm is not None:
            return CreatedBy(func, fm.group("file"), int(fm.group("line"))), i + 2
    return CreatedBy(func, "", 0), i + 1
