"""Text in, dumps out: the goroutine engine's entry point.

Speed matters (a 100,000-goroutine debug=2 dump must parse in well under a
second), so goroutine blocks are handled in bulk, a few MiB at a time: one
regex pass removes argument values and system-level ``fp= sp= pc=`` suffixes,
the text is split at blank lines, and each block costs a few string operations
and dictionary look-ups. Frame lines are parsed once per distinct stack text,
and goroutines are stored by column (see :class:`~triage.goroutines.model.Dump`).
Argument values are read on demand from :attr:`Dump.source`.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from triage.goroutines.crash import crashing_goroutine, parse_crash_header, parse_trailer
from triage.goroutines.debug1 import debug1_dump
from triage.goroutines.frames import parse_frames
from triage.goroutines.headers import HEADER_RE, Status, parse_status
from triage.goroutines.model import Dump, Stack, SystemStack
from triage.goroutines.race import race_dump
from triage.goroutines.scan import (
    UNKNOWN,
    Region,
    first_foreign,
    trailer_end,
    walk,
)
from triage.goroutines.threads import Sections
from triage.goroutines.unwrap import looks_like_test_json, unwrap, unwrap_test_json
from triage.sources import Buffer

#: lines that start a new dump (a log line before them ended the previous one)
CRASH_STARTS = (
    "panic: ",
    "fatal error: ",
    "SIGQUIT: ",
    "SIGABRT: ",
    "unexpected fault address ",
    "runtime: goroutine stack exceeds",
    "runtime: out of memory",
    "WARNING: DATA RACE",
    "goroutine profile: total ",
)
#: system-level suffix of a file line; older runtimes printed ``fp= sp=`` or ``fp=`` only
_SYSTEM_RE = re.compile(r" fp=0x[0-9a-f]+(?: sp=0x[0-9a-f]+)?(?: pc=0x[0-9a-f]+)?")
#: bytes of goroutine text decoded and normalised at a time (bounds peak memory)
CHUNK = 4 << 20
#: the first chunk of a run (see :func:`iter_chunks`)
FIRST_CHUNK = 16 << 10


@dataclass(slots=True)
class ParseResult:
    """Every dump found in one input, in input order."""

    dumps: list[Dump] = field(default_factory=list)

    @property
    def goroutine_count(self) -> int:
        """Goroutines across all dumps."""
        return sum(d.goroutine_count for d in self.dumps)

    @property
    def warnings(self) -> list[str]:
        """Every dump's warnings."""
        return [w for d in self.dumps for w in d.warnings]


def parse(data: Buffer | str, *, parallel: bool = False) -> ParseResult:
    """Find and parse every goroutine dump in ``data`` (bytes, mmap or str).

    ``parallel`` lets a large dump be parsed on two cores by forking
    (:mod:`triage.goroutines.parallel`); only for callers with no other threads.
    """
    with collector_paused():
        return _parse(data, parallel)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk pass.

    Parsing creates a few hundred thousand small tracked objects (rows,
    tuples) that are never cyclic garbage; letting the collector re-scan the
    growing heap every 700 allocations costs about a fifth of the parse.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _parse(data: Buffer | str, parallel: bool) -> ParseResult:
    buf, copied = unwrap(data)
    result = _parse_buffer(buf, copied, parallel)
    if not result.dumps and looks_like_test_json(buf, everywhere=True):
        # test2json output that starts later in a CI log
        result = _parse_buffer(unwrap_test_json(buf), True, parallel)
    return result


def _parse_buffer(buf: Buffer, copied: bool, parallel: bool) -> ParseResult:
    """Every dump of ``buf``; ``copied`` when ``buf`` is not the caller's input itself.

    The scanner hands each region over and scans on from the offset returned,
    in the region's own buffer; thread sections of a GOTRACEBACK=crash dump are
    folded into the dump they follow.
    """
    result = ParseResult()
    sections = Sections()

    def handle(region: Region) -> int:
        dumps, resume = parse_region(region, parallel=parallel)
        for dump in dumps:
            # A stripped or unwrapped copy is the only text the spans fit.
            dump.source_is_input = not copied and dump.source is buf
        if len(dumps) != 1 or not sections.absorb(region, dumps[0]):
            for dump in dumps:
                _append(result.dumps, dump)
            sections.follow(region, dumps[-1] if dumps and region.kind == "traceback" else None)
        return resume if resume is not None else region.end

    walk(buf, handle)
    for dump in result.dumps:
        _keep_own_text(dump)
    return result


def _keep_own_text(dump: Dump) -> None:
    """A dump read from a copy keeps only its own text of it (the rest is freed,
    and a dump sent between processes does not carry the whole log)."""
    start, end = dump.span
    if dump.source_is_input or not isinstance(dump.source, bytes) or end <= start:
        return
    if end - start < len(dump.source):
        dump.source = dump.source[start:end]
        dump.span = (0, end - start)


def _append(dumps: list[Dump], dump: Dump) -> None:
    """Add a dump; consecutive race reports of one run become one dump."""
    prev = dumps[-1] if dumps else None
    if (
        prev is not None
        and prev.crash is not None
        and dump.crash is not None
        and prev.crash.kind == dump.crash.kind == "race"
    ):
        prev.crash.races.extend(dump.crash.races)
        return
    dumps.append(dump)


def parse_region(region: Region, *, parallel: bool = False) -> tuple[list[Dump], int | None]:
    """Parse one measured region into one dump (two if goroutine ids repeat).

    Also returns where to resume scanning when the goroutines turned out to end
    early (log lines and a new crash header inside a goroutine block), else None.
    """
    buf = region.buf
    resume: int | None = None
    if region.kind == "debug1":
        dumps = [debug1_dump(_decode(buf, region.start, region.end))]
    elif region.kind == "race":
        dumps = [race_dump(_decode(buf, region.start, region.end))]
    else:
        crash = parse_crash_header(_decode(buf, region.start, region.g_start).splitlines())
        dumps, resume = (
            _parse_goroutines(region, parallel) if region.g_end == UNKNOWN else ([Dump()], None)
        )
        first = dumps[0]
        first.crash = crash
        if crash is not None:
            crash.goroutine = crashing_goroutine(crash, first)
        unknown = parse_trailer(_decode(buf, region.g_end, region.end).splitlines(), crash)
        if unknown:
            dumps[-1].warnings.append(f"skipped {len(unknown)} lines after the goroutines")
    for dump in dumps:
        dump.start_line = region.line
    return [d for d in dumps if d.ids or d.counted or d.crash is not None], resume


#: digits of the largest goroutine id (a uint64)
_ID_DIGITS = 20


#: states of a goroutine the crash happened on: executing, or in a cgo call or system call
def _decode(buf: Buffer, start: int, end: int) -> str:
    return bytes(buf[start:end]).decode("utf-8", "replace")


_HeaderFields = tuple[str | None, str | None, str | None, Status, str | None]
#: (header line, stack, header fields)
_Row = tuple[str, Stack, _HeaderFields]


class _Bulk:
    """State of the bulk pass over one region's goroutine blocks."""

    def __init__(self, source: Buffer, span: tuple[int, int]) -> None:
        self.source = source
        self.span = span
        self.stacks: dict[tuple[str, ...], Stack] = {}
        self.by_signature: dict[tuple[object, ...], Stack] = {}
        self.foreign: dict[int, int] = {}
        self.headers: dict[str, _HeaderFields] = {}
        self.rows: list[_Row] = []
        self.bad_headers: list[str] = []
        #: ``goroutine 0`` blocks (threads' system stacks), each with the number of
        #: goroutine rows before it (taken out of the rows by :meth:`finish`)
        self.system_stacks: list[tuple[int, SystemStack]] = []
        #: stacks whose block holds log lines and a new crash: the dump ends there
        self.cut_lines: dict[int, str] = {}

    def stack(self, key: tuple[str, ...], lines: list[str]) -> Stack:
        """The Stack of a block not seen before (parsed once per distinct key)."""
        parsed = parse_frames(lines)
        stack = Stack(
            tuple(parsed.frames),
            parsed.created_by,
            parsed.elided,
            tuple(parsed.ancestors),
            parsed.unavailable,
        )
        # Blocks whose lines do not alternate (elision, ancestors) get keys of
        # their own; the same frames still share one Stack. A block holding
        # foreign lines never shares one with a clean block: its damage (and a
        # crash starting inside it) is its own.
        ancestors = tuple((a.goroutine, a.frames, a.created_by) for a in stack.ancestors)
        damage = (tuple(parsed.foreign), parsed.truncated)
        shared = self.by_signature.setdefault(
            (stack.signature, stack.created_by, stack.elided, stack.unavailable, ancestors, damage),
            stack,
        )
        if shared is stack:
            if parsed.foreign or parsed.truncated:
                self.foreign[id(stack)] = len(parsed.foreign) + int(parsed.truncated)
            if any(line.startswith(CRASH_STARTS) for line in parsed.foreign):
                self.cut_lines[id(stack)] = parsed.foreign[0]
        self.stacks[key] = shared
        return shared

    def header(self, head: str) -> _HeaderFields | None:
        m = HEADER_RE.match(head)
        if m is None:
            return None
        return (m.group(2), m.group(3), m.group(4), parse_status(m.group(5)), m.group(6))

    def run(self, text: str) -> int | None:
        """Add the goroutine blocks of ``text`` (whole blocks only).

        Stops at the first block that is not a goroutine and returns its index
        (the dump ends there), else None; also stops after a block that runs into
        a new crash header, so chained crashes are each read once. This loop
        runs once per goroutine: keep it to slicing and look-ups.

        A block's stack is found by its file lines (every second line after the
        header): argument values only appear on the function lines, so blocks
        that differ only in arguments share a key without any rewriting. The
        file lines (path:line +0xoffset) pin the functions down; a block with
        an unpaired last line (cut off, or log text and a new crash after it)
        keys that line too. A new crash inside a block is seen when its stack
        is first parsed: the run stops there, so it is never seen twice.
        """
        if " fp=0x" in text:  # system level: per-goroutine addresses on every file line
            text = _SYSTEM_RE.sub("", text)
        append = self.rows.append
        headers = self.headers
        stacks_get = self.stacks.get
        for index, block in enumerate(text.split("\n\n")):
            if block[:10] != "goroutine ":
                block = block.lstrip("\n")  # noqa: PLW2901 - runs of blank lines
                if block[:10] != "goroutine ":
                    if block:
                        return index
                    continue
            lines = block.split("\n")
            head = lines[0]
            # "goroutine 7 [select, 2 minutes] {k: v}:" is cached on " [select, 2 minutes]"
            sp = head.find(" ", 10)
            br = head.find("]", sp)
            fields = headers.get(head[sp : br + 1])
            if fields is None:
                fields = self.header(head[: br + 1] + ":") if sp > 10 and br > 0 else None
                if fields is None:
                    self.bad_headers.append(head[:80])
                    continue
                if fields[0] is None:  # gp= addresses differ per goroutine: not cached
                    headers[head[sp : br + 1]] = fields
            key = tuple(lines[2::2])
            if not len(lines) & 1:  # an unpaired last line (cut off, or log text): key it too
                key += (lines[-1],)
            stack = stacks_get(key)
            if stack is None:
                stack = self.stack(key, lines[1:])
                if id(stack) in self.cut_lines:
                    append((head, stack, fields))
                    return index + 1  # a new crash starts inside this block: the dump ends here
            append((head, stack, fields))
        return None

    def goroutine_ids(self) -> list[int]:
        """The rows' goroutine ids, once every row is in.

        The bulk pass caches header fields by status, so it never looked at the
        ids: here a row whose id is no goroutine's leaves the rows. ``goroutine 0``
        is a thread's system stack (the runtime counts it as no goroutine), any
        other id that is not a plain number is an unreadable header. Checked in
        one pass at C speed; the row-by-row path runs only when one exists.
        """
        rows = self.rows
        try:
            ids = [int(r[0][10 : r[0].find(" ", 10)]) for r in rows]
            if min(ids, default=1) > 0:
                return ids
        except ValueError:  # not a number, or more digits than int() reads
            pass
        kept: list[_Row] = []
        ids = []
        for row in rows:
            head, stack, fields = row
            gid = head[10 : head.find(" ", 10)]
            if gid.isascii() and gid.isdecimal() and gid[0] != "0" and len(gid) <= _ID_DIGITS:
                kept.append(row)
                ids.append(int(gid))
            elif gid == "0":
                system = SystemStack(fields[1], fields[3].state, stack.frames)
                self.system_stacks.append((len(kept), system))
            else:
                self.bad_headers.append(head[:80])
        self.rows = kept
        return ids

    def finish(self) -> list[Dump]:
        """Turn the rows into one dump, or several where goroutine ids repeat."""
        dumps: list[Dump] = []
        ids = self.goroutine_ids()
        rows = self.rows
        cuts = [0]
        if len(set(ids)) != len(ids):
            seen: set[int] = set()
            for i, gid in enumerate(ids):
                if gid in seen:
                    cuts.append(i)
                    seen = set()
                seen.add(gid)
        n = len(rows)
        cuts.append(n)
        for a, b in itertools.pairwise(cuts):
            dump = Dump(source=self.source, span=self.span)
            part = rows[a:b]
            dump.ids = ids[a:b]
            dump.heads = [r[0] for r in part]
            dump.stacks = [r[1] for r in part]
            dump.statuses = [r[2][3] for r in part]
            dump.system = {i: r[2][:3] for i, r in enumerate(part) if r[2][0] is not None}  # type: ignore[misc]
            dump.system_stacks = [s for at, s in self.system_stacks if a <= at < b or at == b == n]
            dumps.append(dump)
        if self.bad_headers:
            dumps[0].warnings.append(
                f"skipped {len(self.bad_headers)} unreadable goroutine headers, "
                f"first: {self.bad_headers[0]!r}"
            )
        return dumps


def iter_chunks(buf: Buffer, start: int) -> Iterator[tuple[int, int]]:
    """Cut the text from ``start`` into chunks, each ending where a goroutine block starts.

    Chunks grow fourfold from FIRST_CHUNK to CHUNK bytes: most dumps in a log are short,
    and what is decoded past a dump's end is wasted, so a log of ten thousand
    small crashes costs ten thousand small chunks, not ten thousand big ones.
    The last chunk is where no goroutine header follows within a few chunks.
    Lazy: the caller stops pulling where the goroutines end.
    """
    size = len(buf)
    pos = start
    want = min(FIRST_CHUNK, CHUNK)
    while pos < size:
        if size - pos <= want:
            yield pos, size
            return
        nxt = buf.find(b"\n\ngoroutine ", pos + want, pos + 4 * want)
        if nxt < 0:
            if want < CHUNK:  # one long block, or the end of the run: look further first
                want = min(CHUNK, want * 4)
                continue
            yield pos, min(size, pos + 4 * want)
            return
        yield pos, nxt + 2
        pos = nxt + 2
        want = min(CHUNK, want * 4)


def chunk_bounds(buf: Buffer, start: int) -> list[tuple[int, int]]:
    """Every chunk :func:`iter_chunks` would give (walks to the end of the run)."""
    return list(iter_chunks(buf, start))


def _parse_goroutines(region: Region, parallel: bool = False) -> tuple[list[Dump], int | None]:
    """Bulk-parse the goroutine blocks from ``g_start`` and measure where they end.

    Blocks are decoded a few MiB at a time, cut where a goroutine block starts.
    The run ends at the first block that is not a goroutine, at the first
    foreign line of the last goroutine block (log output resuming without a
    blank line), or at a crash header found inside a block (returned as the
    offset to resume scanning from).
    """
    from triage.goroutines.parallel import run_parallel, run_serial

    buf = region.buf
    size = len(buf)
    bulk = _Bulk(buf, (region.g_start, size))
    run = run_parallel if parallel else run_serial
    region.g_end = region.end = run(bulk, buf, region.g_start)
    resume = _cut_at_crash(bulk, region) if bulk.cut_lines else None
    if resume is None:
        _cut_trailing_log(bulk, region)
        region.end = trailer_end(buf, region.g_end)
    bulk.span = (region.g_start, region.g_end)
    region.at_eof = region.g_end >= size > 0 and bytes(buf[size - 1 : size]) != b"\n"
    dumps = bulk.finish()
    _report_damage(bulk, dumps[-1], region.at_eof)
    return dumps, resume


def _cut_trailing_log(bulk: _Bulk, region: Region) -> None:
    """Log output right after the last frame (no blank line) ends the dump there."""
    if not bulk.rows or id(bulk.rows[-1][1]) not in bulk.foreign:
        return
    if _cut_block_at_foreign(region, bulk.rows[-1][0]):
        bulk.foreign.pop(id(bulk.rows[-1][1]))


def _cut_block_at_foreign(region: Region, header: str) -> bool:
    """End the goroutines at the first foreign line of the block with ``header``."""
    buf = region.buf
    needle = ("\n" + header.split("[", 1)[0]).encode()
    head = buf.rfind(needle, max(0, region.g_start - 1), region.g_end) + 1
    end = first_foreign(buf, head, region.g_end)
    if head < end < region.g_end:
        region.g_end = end
        return True
    return False


def _cut_at_crash(bulk: _Bulk, region: Region) -> int | None:
    """End the goroutines at the block that runs into another crash; return its offset."""
    for index, row in enumerate(bulk.rows):
        line = bulk.cut_lines.get(id(row[1]))
        if line is None:
            continue
        head = ("\n" + row[0].split("[", 1)[0]).encode()
        buf = region.buf
        block = buf.find(head, max(0, region.g_start - 1), region.g_end)
        at = buf.find(b"\n" + line.encode("utf-8", "replace") + b"\n", block + 1, region.g_end)
        if block < 0 or at < 0:
            return None
        del bulk.rows[index + 1 :]
        bulk.foreign.pop(id(row[1]), None)
        region.g_end = at + 1
        region.end = trailer_end(buf, at + 1)  # keep an "exit status N" line
        return region.end
    return None


def _report_damage(bulk: _Bulk, last: Dump, at_eof: bool) -> None:
    """Warn about a cut-off last goroutine and about foreign lines inside blocks."""
    foreign = dict(bulk.foreign)
    last_stack = last.stacks[-1] if last.stacks else None
    if at_eof and last_stack is not None and id(last_stack) in foreign:
        foreign.pop(id(last_stack))
        last.warnings.append(
            f"input ends inside goroutine {last.ids[-1]}: its stack is incomplete; "
            "every goroutine before it is complete"
        )
    if foreign:
        count = sum(foreign.values())
        last.warnings.append(f"skipped {count} lines inside goroutines that are not traceback text")
