"""``GOTRACEBACK=crash`` output: one dump in several thread sections.

With ``crash`` the runtime prints the usual dump, then relays the signal to
every other thread (M), and each prints a section of its own::

    -----

    SIGQUIT: quit
    PC=0x48aa23 m=1 sigcode=0

    goroutine 0 gp=0x.. m=1 mp=0x.. [idle]:
    runtime.futex(...)
    ...
    rax    0xca
    ...

The scanner finds each section as a crash of its own; :class:`Sections`
folds a section that follows a ``-----`` line straight after a dump back into
that dump, so the process's goroutines are counted once, in one dump, and the
per-thread signal and registers are kept as :class:`ThreadSection` entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.goroutines.model import Dump, ThreadSection
from triage.goroutines.scan import Region
from triage.sources import Buffer

_SEPARATOR = re.compile(rb"[ \t\r\n]*-----[ \t\r]*\n[ \t\r\n]*")
_M_RE = re.compile(rb"^PC=0x[0-9a-f]+ m=(\S+)", re.M)
#: bytes between a dump's end and the next section that can still be a separator
_MAX_GAP = 64


@dataclass(slots=True)
class _Last:
    buf: Buffer
    end: int
    dump: Dump
    header: tuple[int, int]
    #: goroutine id -> index in ``dump`` (kept as sections are added: many sections stay linear)
    index: dict[int, int] = field(default_factory=dict)


class Sections:
    """Folds the thread sections of a crash-mode dump into the dump they belong to."""

    def __init__(self) -> None:
        self.last: _Last | None = None

    def absorb(self, region: Region, dump: Dump) -> bool:
        """Merge ``dump`` into the previous dump if ``region`` is one of its thread sections."""
        last = self.last
        crash = dump.crash
        if (
            last is None
            or last.buf is not region.buf
            or crash is None
            or crash.signal is None
            or region.start - last.end > _MAX_GAP
            or _SEPARATOR.fullmatch(bytes(region.buf[last.end : region.start])) is None
        ):
            return False
        main = last.dump
        if main.crash is None:
            return False
        if not main.crash.threads:
            main.crash.threads.append(_section(last.buf, last.header, main))
            last.index = {gid: i for i, gid in enumerate(main.ids) if gid != 0}
        main.crash.threads.append(_section(region.buf, (region.start, region.g_start), dump))
        _merge(main, dump, last.index)
        if dump.warnings:
            main.warnings.extend(dump.warnings)
        last.end = region.end
        return True

    def follow(self, region: Region, dump: Dump | None) -> None:
        """Remember the dump ``region`` ended with: a section may follow it (None: none can)."""
        self.last = (
            None
            if dump is None
            else _Last(region.buf, region.end, dump, (region.start, region.g_start))
        )


def _section(buf: Buffer, header: tuple[int, int], dump: Dump) -> ThreadSection:
    crash = dump.crash
    m = _M_RE.search(bytes(buf[header[0] : header[1]]))
    return ThreadSection(
        m=m.group(1).decode("ascii", "replace") if m else None,
        signal=crash.signal if crash is not None else None,
        registers=dict(crash.registers) if crash is not None else {},
        goroutines=tuple(dump.ids),
    )


def _merge(main: Dump, section: Dump, index: dict[int, int]) -> None:
    """Add a section's goroutines to ``main``.

    A goroutine the first section could only list ("stack unavailable", it
    was running on this thread) takes the stack printed here; one already
    listed in full is not counted twice.
    """
    for i, gid in enumerate(section.ids):
        at = index.get(gid) if gid != 0 else None
        if at is not None:
            if main.stacks[at].unavailable and not section.stacks[i].unavailable:
                main.stacks[at] = section.stacks[i]
                main.heads[at] = section.heads[i]
                main.statuses[at] = section.statuses[i]
            continue
        if i in section.system:
            main.system[len(main.ids)] = section.system[i]
        if gid != 0:
            index[gid] = len(main.ids)
        main.ids.append(gid)
        main.heads.append(section.heads[i])
        main.stacks.append(section.stacks[i])
        main.statuses.append(section.statuses[i])
    main.system_stacks.extend(section.system_stacks)
    if section.source is main.source and section.span[1] > main.span[1]:
        main.span = (main.span[0], section.span[1])
    main._goroutines = main._labels = main._creators = None
