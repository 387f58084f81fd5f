"""``WARNING: DATA RACE`` reports from binaries built with ``-race``.

A report lists the current access and the previous conflicting one, each with
the goroutine and an indented stack, then where each goroutine was created::

    Read at 0x00c000094028 by goroutine 8:
      main.main.func1()
          /src/main.go:17 +0x33
    Previous write at 0x00c000094028 by main goroutine:
    Goroutine 8 (running) created at:
"""

from __future__ import annotations

import re

from triage.goroutines.frames import parse_frames
from triage.goroutines.model import Crash, Dump, RaceAccess, RaceCreation, RaceReport

#: ``Read at 0x.. by goroutine 8:``; older runtimes printed no address
#: (``Write by goroutine 5:``, ``Previous write by main goroutine:``)
ACCESS_RE = re.compile(
    r"^(?P<kind>(?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))(?: at (?P<addr>0x[0-9a-f]+))?"
    r" by (?:goroutine (?P<gid>\d+)|(?P<main>main goroutine)):\s*$"
)
CREATED_RE = re.compile(r"^Goroutine (?P<gid>\d+) \((?P<state>[^)]*)\) created at:\s*$")
RACE_MARK = "WARNING: DATA RACE"


def parse_race(lines: list[str]) -> RaceReport:
    """Parse the lines of one report (between the ``=====`` rulers)."""
    report = RaceReport()
    sections: list[tuple[re.Match[str], list[str]]] = []
    for line in lines:
        m = ACCESS_RE.match(line) or CREATED_RE.match(line)
        if m is not None:
            sections.append((m, []))
        elif sections:
            sections[-1][1].append(line)
    for m, body in sections:
        frames = tuple(parse_frames(body).frames)
        if "kind" in m.groupdict():
            gid = int(m.group("gid")) if m.group("gid") else (1 if m.group("main") else None)
            report.accesses.append(RaceAccess(m.group("kind"), m.group("addr") or "", gid, frames))
        else:
            report.creations.append(RaceCreation(int(m.group("gid")), m.group("state"), frames))
    return report


def split_races(text: str) -> list[list[str]]:
    """The line lists of every report in ``text``."""
    reports: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.strip() == RACE_MARK:
            current = []
            reports.append(current)
        elif current is not None:
            if line.startswith("=========="):
                current = None
            else:
                current.append(line)
    return reports


def race_dump(text: str) -> Dump:
    """Race reports as a Dump whose crash is the first race (the rest in ``races``)."""
    reports = [parse_race(lines) for lines in split_races(text)]
    first = reports[0].accesses[0] if reports and reports[0].accesses else None
    message = "data race"
    if first is not None:
        who = f"goroutine {first.goroutine}" if first.goroutine is not None else "a goroutine"
        at = f" at {first.addr}" if first.addr else ""
        message = f"data race: {first.kind.lower()}{at} by {who}"
    crash = Crash(kind="race", message=message, races=reports)
    crash.goroutine = first.goroutine if first is not None else None
    return Dump(crash=crash, source=text)
