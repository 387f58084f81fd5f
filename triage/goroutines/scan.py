"""Find the goroutine dumps inside arbitrary input, without copying it.

The input may be a bare dump, or a log (``kubectl logs --previous``, journald,
docker) with dumps somewhere in it, with or without a per-line prefix
(timestamps, ``[pod/name/container]``, ``app-1 | ``). We search the raw bytes
(a memory map for big files) for anchor lines with fast substring search, then
measure the dump that follows:

* the crash header, line by line (it is short);
* the run of goroutine blocks, with one C-level regex search for the first
  blank line *not* followed by a goroutine header, and a line-by-line check of
  the last block only (log output may follow a dump without a blank line);
* the register dump and ``exit status`` trailer.

Only those spans are ever decoded. Lines carrying a prefix are stripped into a
new buffer first, which is then walked the same way; every offset a handler
returns is an offset in the buffer of the region it was given, never in the
input it was copied from.

Everything here is linear in the input: each literal's next hit is cached (a
rejected hit never makes the others be searched again), no anchor is looked
for deeper than MAX_PREFIX bytes into a line, and the line patterns have no
nested or overlapping quantifiers to backtrack through.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Callable
from dataclasses import dataclass

from triage.sources import Buffer

#: literals whose occurrence may start a dump; each is verified by ANCHOR_AT
_LITERALS = (
    b"goroutine ",
    b"goroutineleak profile: total ",
    b"panic: ",
    b"fatal error: ",
    b"SIG",
    b"WARNING: DATA RACE",
    b"unexpected fault address ",
    b"runtime: ",
)
ANCHOR_AT = re.compile(
    rb"goroutine \d+ (?:gp=\S+ m=\S+ (?:mp=\S+ )?)?\[[^\]\n]{0,512}\][^\n]*:\r?$"
    rb"|goroutine(?:leak)? profile: total \d+\r?$"
    rb"|panic: |fatal error: |SIG[A-Z0-9]+: |WARNING: DATA RACE\r?$|unexpected fault address "
    rb"|runtime: (?:goroutine stack exceeds|out of memory|unexpected |sp=)",
    re.M,
)
GOROUTINE_AT = re.compile(rb"goroutine \d+ (?:gp=|\[)")
#: a function line ``pkg.(*T).F(args)``: its first ``(`` comes before any space.
#: The possessive run cannot backtrack, so a line of ten thousand ``(`` is one pass.
_CALL = rb"[^\s(][^\s(]*+\([^\n]*\)[ \t\r]*$"
#: any line that can stand inside a dump (after the prefix)
DUMP_LINE = re.compile(
    rb"[ \t\r]*$|[\t ]|goroutine \d+ [^\n]*:[ \t\r]*$|" + _CALL + rb"|created by \S"
    rb"|\.\.\.(?:\d+|additional) frames elided|\[originating from goroutine "
    rb"|panic: |fatal error: |SIG[A-Z0-9]+: |PC=0x|runtime stack:|runtime: "
    rb"|unexpected fault address|\[signal |[a-z][a-z0-9]{0,7} +0x[0-9a-f]+[ \t\r]*$"
    rb"|exit status \d+|goroutine(?:leak)? profile: total|\d+ @(?: 0x[0-9a-f]+)*[ \t\r]*$|# "
    rb"|={10,}|WARNING: DATA RACE|Found \d+ data race"
    rb"|(?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite) at |Goroutine \d+ \(|-{5}[ \t\r]*$",
    re.M,
)
#: lines of a goroutine block (stricter: no crash headers, no registers)
GOROUTINE_LINE = re.compile(
    rb"\t|goroutine \d+ [^\n]*:[ \t\r]*$|" + _CALL + rb"|created by \S"
    rb"|\.\.\.(?:\d+|additional) frames elided|\[originating from goroutine \d+\]:",
    re.M,
)
TRAILER_LINE = re.compile(
    rb"[a-z][a-z0-9]{0,7} +0x[0-9a-f]+[ \t\r]*$|exit status \d+|[ \t\r]*$", re.M
)
_D1_RUN_END = re.compile(rb"\n\n(?!\d+ @)")
_RULER = re.compile(rb"^={10,}\r?$", re.M)
_TS = rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_KNOWN_PREFIXES = (
    rb"\[pod/[^\]\s]+\] " + _TS + rb" ",
    rb"\[pod/[^\]\s]+\] ",
    _TS + rb" (?:(?:stdout|stderr) [FP] )?",
    rb"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:\[]+(?:\[\d+\])?: ",
    rb"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)? ",
    rb"[\w.-]+ +\| ",
)
MAX_PREFIX = 256
#: Region.g_end/end before the parser has measured the goroutine run
UNKNOWN = -1


@dataclass(slots=True)
class Region:
    """The spans of one dump inside ``buf`` (the input, or a prefix-stripped copy)."""

    buf: Buffer
    kind: str  # "traceback" | "debug1" | "race"
    start: int
    g_start: int
    g_end: int
    end: int
    #: 1-based input line of ``start``
    line: int = 1
    #: True when the input ended inside the goroutines, without a final newline
    at_eof: bool = False
    prefix: bytes = b""


#: what a walk's handler returns: the offset (in ``region.buf``) to scan on from
Handler = Callable[[Region], int]
#: prefixes stripped inside prefixes ("[pod/x] 2026-... app-1 | ") before giving up
MAX_DEPTH = 4


def walk(buf: Buffer, handle: Handler, *, depth: int = 0) -> int:
    """Hand every dump region of ``buf`` to ``handle``, in order; return how many.

    ``handle`` parses the region and returns where to scan on, in the region's
    own buffer (a prefixed run is walked in its stripped copy, so an offset from
    there is never applied to the input). Scanning always moves forward.
    """
    finder = _AnchorFinder(buf)
    pos = 0
    found = 0
    while (anchor := finder.next_from(pos)) is not None:
        line_start, at = anchor
        if at > line_start:
            run_end = at + 1
            if depth < MAX_DEPTH:
                prefix = bytes(buf[line_start:at])
                stripped, run_end = _strip_prefixed(buf, line_start, prefix)
                shifted = _shifted(handle, finder.line_of(line_start) - 1, prefix)
                found += walk(stripped, shifted, depth=depth + 1)
            pos = max(run_end, at + 1)
            continue
        region = measure(buf, line_start)
        if region is None:
            pos = at + 1
            continue
        region.line = finder.line_of(line_start)
        found += 1
        pos = max(handle(region), at + 1)
    return found


def _shifted(handle: Handler, lines: int, prefix: bytes) -> Handler:
    """A handler for the regions of a stripped run: line numbers moved to the input's."""

    def inner(region: Region) -> int:
        region.line += lines
        region.prefix = region.prefix or prefix
        return handle(region)

    return inner


class _AnchorFinder:
    """Earliest verified anchor at or after a position, via memmem-speed finds.

    The input is searched in 1 MiB windows. Each literal's next hit is kept, so
    a rejected hit costs one new find for that literal only: a log where every
    line says "goroutine" is still read once. Newlines are counted in the same
    pass (line numbers for the report), and pages of a memory-mapped file are
    released behind the window, so a multi-GB log is read once and never stays
    resident.
    """

    WINDOW = 1 << 20

    def __init__(self, buf: Buffer) -> None:
        self.buf = buf
        self.counted = 0
        self.line = 1
        #: literal -> (next hit at or after the last search start or -1, end of that search)
        self.hits = {lit: (-1, 0) for lit in _LITERALS}

    def line_of(self, pos: int) -> int:
        """1-based line number of offset ``pos`` (offsets only move forward)."""
        if pos < self.counted:
            self.counted, self.line = 0, 1
        while self.counted < pos:
            end = min(pos, self.counted + (self.WINDOW << 2))
            self.line += bytes(self.buf[self.counted : end]).count(b"\n")
            self.counted = end
        return self.line

    def _next_hit(self, pos: int, stop: int) -> int:
        """Earliest literal hit in [pos, stop), or -1; each byte is searched once per literal."""
        best = -1
        buf = self.buf
        for lit, (cached, until) in self.hits.items():
            hit = cached
            if hit < pos and (hit >= 0 or until < stop):
                start = max(pos, until - len(lit) + 1) if hit < 0 else pos
                hit = buf.find(lit, start, stop)
                self.hits[lit] = (hit, stop)
            if pos <= hit < stop and (best < 0 or hit < best):
                best = hit
        return best

    def next_from(self, pos: int) -> tuple[int, int] | None:
        buf = self.buf
        size = len(buf)
        longest = max(len(lit) for lit in _LITERALS)
        while pos < size:
            stop = min(size, pos + self.WINDOW)
            best = self._next_hit(pos, min(size, stop + longest))
            if best < 0:
                if self.counted == pos:
                    self.line_of(stop)
                release(buf, pos, stop)
                pos = stop
                continue
            line_start = buf.rfind(b"\n", max(0, best - MAX_PREFIX - 1), best) + 1
            reachable = line_start > 0 or best <= MAX_PREFIX
            if not reachable:  # too deep into a (huge) line to be an anchor: skip the line
                nl = buf.find(b"\n", best)
                pos = size if nl < 0 else nl + 1
                continue
            if _prefix_ok(bytes(buf[line_start:best])) and ANCHOR_AT.match(buf, best):
                return line_start, best
            pos = best + 1
        return None


def release(buf: Buffer, start: int, end: int) -> None:
    """Drop the mapped pages of [start, end) from memory (no-op for bytes).

    The file stays in the page cache; only this process's resident set shrinks,
    so scanning a multi-GB log does not make it look (or act) multi-GB big.
    """
    if not isinstance(buf, mmap.mmap):
        return
    page = mmap.PAGESIZE
    first = (start + page - 1) // page * page
    last = end // page * page
    if last > first:
        buf.madvise(mmap.MADV_DONTNEED, first, last - first)


def _prefix_ok(prefix: bytes) -> bool:
    if not prefix:
        return True
    if b"\t" in prefix or len(prefix) > MAX_PREFIX:
        return False
    if prefix.endswith(b"[signal ") or b'"Action":"' in prefix:
        return False  # the middle of a crash line; a go test -json event (unwrapped whole)
    return prefix.endswith((b" ", b"|", b":", b"]"))


def measure(buf: Buffer, start: int) -> Region | None:
    """Measure the dump starting at ``start`` (a line start without prefix)."""
    if _at(buf, start, b"goroutine profile: total ") or _at(
        buf, start, b"goroutineleak profile: total "
    ):
        m = _D1_RUN_END.search(buf, start)
        end = m.start() + 1 if m else len(buf)
        return Region(buf, "debug1", start, start, end, end)
    if _at(buf, start, b"WARNING: DATA RACE"):
        # An unclosed report ends where the next one starts (else each would read the rest).
        nxt = buf.find(b"WARNING: DATA RACE", start + 1)
        limit = len(buf) if nxt < 0 else nxt
        close = _RULER.search(buf, start, limit)
        end = close.end() if close else limit
        return Region(buf, "race", start, start, end, end)
    g_start = _header_end(buf, start)
    if g_start is None:
        return None
    if not GOROUTINE_AT.match(buf, g_start):
        return Region(buf, "traceback", start, g_start, g_start, g_start)
    # Where the goroutines end is measured by the parser's bulk pass.
    return Region(buf, "traceback", start, g_start, UNKNOWN, UNKNOWN)


def _at(buf: Buffer, pos: int, literal: bytes) -> bool:
    """``buf.startswith(literal, pos)`` for bytes and mmap alike."""
    return buf[pos : pos + len(literal)] == literal


def _header_end(buf: Buffer, start: int) -> int | None:
    """Offset of the first goroutine header after the crash header lines.

    Returns ``start`` itself for a bare goroutine listing, the offset where
    dump text stops for a header with no goroutines, and None when the anchor
    line is not followed by anything dump-like (a stray "panic: " in a log).
    """
    pos = start
    size = len(buf)
    saw_text = False
    while pos < size:
        if GOROUTINE_AT.match(buf, pos):
            return pos
        if not DUMP_LINE.match(buf, pos):
            break
        nl = buf.find(b"\n", pos)
        saw_text = True
        if nl < 0:
            return size
        pos = nl + 1
    return pos if saw_text and pos > start else None


def block_offset(buf: Buffer, start: int, index: int) -> int:
    """Offset of the ``index``-th block (blocks are separated by blank lines) from ``start``."""
    pos = start
    for _ in range(index):
        nxt = buf.find(b"\n\n", pos)
        if nxt < 0:
            return len(buf)
        pos = nxt + 2
    return pos


def first_foreign(buf: Buffer, start: int, end: int) -> int:
    """Offset of the first line in [start, end) that is not goroutine-block text."""
    pos = start
    while pos < end:
        if not GOROUTINE_LINE.match(buf, pos):
            return pos
        nl = buf.find(b"\n", pos, end)
        if nl < 0:
            return end
        pos = nl + 1
    return end


def trailer_end(buf: Buffer, pos: int) -> int:
    """Skip the register dump, ``exit status`` and blank lines after the goroutines."""
    size = len(buf)
    end = pos
    while pos < size and TRAILER_LINE.match(buf, pos):
        nl = buf.find(b"\n", pos)
        pos = size if nl < 0 else nl + 1
        end = pos
    return end


def prefix_pattern(prefix: bytes) -> re.Pattern[bytes]:
    """A pattern for the per-line prefix seen before an anchor."""
    for known in _KNOWN_PREFIXES:
        if re.fullmatch(known, prefix):
            # Blank lines may lose the prefix's trailing space.
            return re.compile(known.removesuffix(rb" ") + rb" ?")
    return re.compile(re.escape(prefix.rstrip(b" ")) + rb" ?")


def _strip_prefixed(buf: Buffer, start: int, prefix: bytes) -> tuple[bytes, int]:
    """Lines with the same kind of prefix and dump text, prefixes removed."""
    pattern = prefix_pattern(prefix)
    size = len(buf)
    pos = start
    lines: list[bytes] = []
    while pos < size:
        nl = buf.find(b"\n", pos)
        stop = size if nl < 0 else nl
        m = pattern.match(buf, pos, stop)
        if m is None or not DUMP_LINE.match(buf, m.end(), stop):
            break
        lines.append(bytes(buf[m.end() : stop]))
        pos = stop + 1
    at_eof = pos >= size > 0 and bytes(buf[size - 1 : size]) != b"\n"
    text = b"\n".join(lines) + (b"" if at_eof else b"\n")
    return text, min(pos, size)
