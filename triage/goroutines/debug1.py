"""The aggregated ``/debug/pprof/goroutine?debug=1`` format.

::

    goroutine profile: total 100004
    10000 @ 0x48a1ca 0x4180ae 0x67efb0 0x490fa1
    # labels: {"handler":"/leak", "request_id":"req-0"}
    #	0x67efaf	main.worker+0x2f	/src/main.go:100

Frames are tab-padded by a tabwriter; runtime-internal frames are hidden and
there is no goroutine state, so the format is lossy (prefer debug=2 or 0).
``goroutineleak profile: total N`` has the same layout and lists only leaked
goroutines. Records with labels repeat the same frames many times, so frames
are parsed once per distinct text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.goroutines.headers import parse_labels
from triage.goroutines.model import CountedStack, Dump, Frame, Stack

TOTAL_RE = re.compile(r"^(?P<name>\w+) profile: total (?P<total>\d+)\s*$")
RECORD_RE = re.compile(r"^(\d+) @((?: 0x[0-9a-f]+)*)\s*$")
FUNC_OFF_RE = re.compile(r"^(?P<func>.+?)\+0x(?P<off>[0-9a-f]+)$")
LOCATION_RE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


@dataclass(slots=True)
class Debug1:
    """A parsed debug=1 listing."""

    profile: str = "goroutine"
    total: int | None = None
    records: list[CountedStack] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


def parse_debug1(text: str) -> Debug1:
    """Parse a debug=1 listing; lines that fit no record are returned as foreign."""
    out = Debug1()
    stacks: dict[str, Stack] = {}
    blocks = text.split("\n\n")
    first, _, rest = blocks[0].partition("\n")
    m = TOTAL_RE.match(first)
    if m is not None:
        out.profile, out.total = m.group("name"), int(m.group("total"))
        blocks[0] = rest
    for block in blocks:
        head, _, body = block.strip("\n").partition("\n")
        rm = RECORD_RE.match(head)
        if rm is None:
            out.foreign.extend(line for line in block.splitlines() if line.strip())
            continue
        labels: dict[str, str] | None = None
        if body.startswith("# labels: "):
            label_line, _, body = body.partition("\n")
            labels = dict(parse_labels(label_line[len("# labels: ") :].strip()))
        stack = stacks.get(body)
        if stack is None:
            frames = []
            for line in body.splitlines():
                frame = _frame(line) if line.startswith("#\t") else None
                if frame is None:
                    if line.strip():
                        out.foreign.append(line)
                else:
                    frames.append(frame)
            stack = stacks[body] = Stack(tuple(frames))
        pcs = tuple(int(pc, 16) for pc in rm.group(2).split())
        out.records.append(CountedStack(int(rm.group(1)), stack, labels, pcs))
    return out


def _frame(line: str) -> Frame | None:
    fields = [f for f in line[2:].split("\t") if f.strip()]
    if len(fields) < 2:
        return None
    func_text = fields[1].strip()
    m = FUNC_OFF_RE.match(func_text)
    func, off = (m.group("func"), int(m.group("off"), 16)) if m else (func_text, None)
    if len(fields) >= 3 and (loc := LOCATION_RE.match(fields[2].strip())) is not None:
        return Frame(func, loc.group("file"), int(loc.group("line")), off)
    return Frame(func, "", 0, off)


def debug1_dump(text: str) -> Dump:
    """A ``debug=1`` listing as a Dump of counted stacks."""
    listing = parse_debug1(text)
    dump = Dump(format="debug1", counted=listing.records, total=listing.total, source=text)
    dump.profile = listing.profile
    if listing.foreign:
        dump.warnings.append(f"skipped {len(listing.foreign)} lines that are not debug=1 records")
    return dump
