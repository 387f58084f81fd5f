"""ELF file, section and program headers, read with :mod:`struct`.

Build info needs only a few headers, and importing pyelftools alone costs
about 60 ms, more than the whole build-info budget; so headers are read here
(layout from the System V ABI, ``elf(5)``) and pyelftools is loaded only for
DWARF and symbol tables. Every inconsistency a truncated or corrupt file can
show is reported as one :class:`~triage.errors.BadInput` line.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from triage.errors import BadInput

ET_NAMES = {0: "ET_NONE", 1: "ET_REL", 2: "ET_EXEC", 3: "ET_DYN", 4: "ET_CORE"}
PT_LOAD = 1
PT_INTERP = 3
SHT_NOBITS = 8
SHN_XINDEX = 0xFFFF
HINT = "copy the binary again (kubectl cp can cut files short)"


class Section(NamedTuple):
    """One section header, reduced to what the readers use."""

    name: str
    addr: int
    offset: int
    size: int
    nobits: bool
    flags: int

    def contains(self, addr: int) -> bool:
        """True when the virtual address ``addr`` lies in this (allocated) section."""
        return bool(self.flags & 0x2) and self.addr <= addr < self.addr + self.size


class Segment(NamedTuple):
    """One PT_LOAD program header."""

    vaddr: int
    offset: int
    filesz: int
    memsz: int
    flags: int
    align: int


class Headers(NamedTuple):
    """What the ELF headers say about the file."""

    little_endian: bool
    ptr_size: int
    e_type: str
    machine: int
    sections: dict[str, Section]
    segments: list[Segment]
    has_interp: bool


def read_headers(name: str, data: bytes | memoryview) -> Headers:
    """Parse the ELF header, program headers and section headers of ``data``."""
    if len(data) < 16:
        raise BadInput(f"{name}: truncated ELF file ({len(data)} bytes)", HINT)
    klass, encoding = data[4], data[5]
    if klass not in (1, 2) or encoding not in (1, 2):
        raise BadInput(f"{name}: corrupt ELF header (class {klass}, encoding {encoding})", HINT)
    order = "<" if encoding == 1 else ">"
    wide = klass == 2
    fmt = order + ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH")
    if len(data) < 16 + struct.calcsize(fmt):
        raise BadInput(f"{name}: truncated ELF file (header cut short)", HINT)
    fields = struct.unpack_from(fmt, data, 16)
    e_type, machine, _ver, _entry, phoff, shoff, _flags, _ehsize = fields[:8]
    phentsize, phnum, shentsize, shnum, shstrndx = fields[8:]
    segments, has_interp = _segments(
        name, data, order, wide=wide, off=phoff, size=phentsize, n=phnum
    )
    sections = _sections(
        name, data, order, wide=wide, off=shoff, size=shentsize, n=shnum, strndx=shstrndx
    )
    return Headers(
        little_endian=order == "<",
        ptr_size=8 if wide else 4,
        e_type=ET_NAMES.get(e_type, f"ET_{e_type:#x}"),
        machine=machine,
        sections=sections,
        segments=segments,
        has_interp=has_interp,
    )


def _table(name: str, data: bytes | memoryview, what: str, *, off: int, size: int, n: int) -> None:
    if off + size * n > len(data):
        raise BadInput(
            f"{name}: truncated ELF file ({what} end at byte {off + size * n}, "
            f"the file has {len(data)})",
            HINT,
        )


def _segments(
    name: str, data: bytes | memoryview, order: str, *, wide: bool, off: int, size: int, n: int
) -> tuple[list[Segment], bool]:
    if n == 0:
        return [], False
    fmt = order + ("IIQQQQQQ" if wide else "IIIIIIII")
    if size < struct.calcsize(fmt):
        raise BadInput(f"{name}: corrupt ELF header (program header size {size})", HINT)
    _table(name, data, "program headers", off=off, size=size, n=n)
    out: list[Segment] = []
    interp = False
    for i in range(n):
        f = struct.unpack_from(fmt, data, off + i * size)
        if wide:
            ptype, flags, offset, vaddr, _paddr, filesz, memsz, align = f
        else:
            ptype, offset, vaddr, _paddr, filesz, memsz, flags, align = f
        interp = interp or ptype == PT_INTERP
        if ptype == PT_LOAD:
            out.append(Segment(vaddr, offset, filesz, memsz, flags, align))
    return out, interp


def _sections(
    name: str,
    data: bytes | memoryview,
    order: str,
    *,
    wide: bool,
    off: int,
    size: int,
    n: int,
    strndx: int,
) -> dict[str, Section]:
    if off == 0:
        return {}
    fmt = order + ("IIQQQQIIQQ" if wide else "IIIIIIIIII")
    if size < struct.calcsize(fmt):
        raise BadInput(f"{name}: corrupt ELF header (section header size {size})", HINT)
    _table(name, data, "section headers", off=off, size=size, n=1)
    first = struct.unpack_from(fmt, data, off)
    if n == 0:
        n = first[5]  # more than 0xff00 sections: the count is in section 0's size
    if strndx == SHN_XINDEX:
        strndx = first[6]  # and the string table index in its link
    _table(name, data, "section headers", off=off, size=size, n=n)
    raw = [struct.unpack_from(fmt, data, off + i * size) for i in range(n)]
    if not 0 <= strndx < n:
        raise BadInput(f"{name}: corrupt ELF header (no section name table)", HINT)
    names_off, names_size = raw[strndx][4], raw[strndx][5]
    if names_off + names_size > len(data):
        raise BadInput(f"{name}: truncated ELF file (section names past its end)", HINT)
    out: dict[str, Section] = {}
    for sh_name, sh_type, flags, addr, offset, sec_size, *_ in raw:
        nobits = sh_type == SHT_NOBITS
        label = _cstring(data, names_off + sh_name, names_off + names_size)
        if not nobits and offset + sec_size > len(data):
            raise BadInput(
                f"{name}: truncated ELF file (section {label or '?'} ends at byte "
                f"{offset + sec_size}, the file has {len(data)})",
                HINT,
            )
        out.setdefault(label, Section(label, addr, offset, sec_size, nobits, flags))
    return out


def _cstring(data: bytes | memoryview, start: int, limit: int) -> str:
    chunk = bytes(data[start : min(limit, start + 4096)])
    return chunk.split(b"\0", 1)[0].decode("utf-8", "replace")
