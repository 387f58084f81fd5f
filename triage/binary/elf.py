"""A read-only view of an ELF file: headers through pyelftools, bytes through mmap.

pyelftools parses the ELF, section and program headers (cheap, lazy) and
decompresses DWARF when asked; everything the Go tables need is read by slicing
the memory-mapped file directly, so a 50 MB binary is never copied. Every way a
file can fail to be an ELF (garbage, truncation, a directory, a Mach-O) becomes
one :class:`~triage.errors.BadInput` line.
"""

from __future__ import annotations

import contextlib
import io
import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from triage.errors import BadInput
from triage.sources import Buffer, Payload, load_file, sniff

if TYPE_CHECKING:
    from elftools.elf.elffile import ELFFile

SHT_NOBITS = "SHT_NOBITS"
SHF_ALLOC = 0x2
SHF_WRITE = 0x1
SHF_COMPRESSED = 0x800
PF_X = 0x1
PF_W = 0x2


@dataclass(frozen=True)
class Section:
    """One section header, reduced to what the readers use."""

    name: str
    addr: int
    offset: int
    size: int
    nobits: bool
    flags: int

    def contains(self, addr: int) -> bool:
        """True when the virtual address ``addr`` lies in this (allocated) section."""
        return bool(self.flags & SHF_ALLOC) and self.addr <= addr < self.addr + self.size


@dataclass(frozen=True)
class Segment:
    """One PT_LOAD program header."""

    vaddr: int
    offset: int
    filesz: int
    memsz: int
    flags: int
    align: int


class ElfImage:
    """An opened ELF file: section and segment tables plus zero-copy reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self._payload: Payload = load_file(path)
        self.data: Buffer = self._payload.data
        try:
            self.elf: ELFFile = _parse(self.name, self.data)
            self.sections: dict[str, Section] = _sections(self.name, self.elf, len(self.data))
            self.segments: list[Segment] = _load_segments(self.name, self.elf)
        except BadInput:
            self._payload.close()
            raise
        self.little_endian: bool = bool(self.elf.little_endian)
        self.ptr_size: int = 8 if self.elf.elfclass == 64 else 4
        self.e_type: str = str(self.elf.header["e_type"])
        self.machine: str = str(self.elf.header["e_machine"])
        self.program_types: frozenset[str] = frozenset(
            str(seg["p_type"]) for seg in self.elf.iter_segments()
        )

    def close(self) -> None:
        """Release the mapping (once no memoryview handed out still points into it)."""
        # A caller may still hold a view (a symbolizer it kept): then the mapping
        # is unmapped when the last view is garbage-collected.
        with contextlib.suppress(BufferError):
            self._payload.close()

    @property
    def byteorder(self) -> str:
        """``"<"`` or ``">"`` for :mod:`struct` formats."""
        return "<" if self.little_endian else ">"

    def section_data(self, name: str) -> memoryview | None:
        """The raw file bytes of an uncompressed, allocated section, or None."""
        sec = self.sections.get(name)
        if sec is None or sec.nobits or sec.flags & SHF_COMPRESSED:
            return None
        return memoryview(self.data)[sec.offset : sec.offset + sec.size]

    def section_at(self, addr: int) -> Section | None:
        """The allocated section holding virtual address ``addr``."""
        for sec in self.sections.values():
            if sec.contains(addr) and not sec.nobits:
                return sec
        return None

    def view_at(self, addr: int) -> memoryview | None:
        """File bytes from virtual address ``addr`` to the end of its PT_LOAD segment."""
        for seg in self.segments:
            if seg.vaddr <= addr < seg.vaddr + seg.filesz:
                start = seg.offset + (addr - seg.vaddr)
                end = min(seg.offset + seg.filesz, len(self.data))
                if start >= end:
                    return None
                return memoryview(self.data)[start:end]
        return None

    def read(self, addr: int, size: int) -> bytes | None:
        """``size`` bytes at virtual address ``addr``, or None if the file lacks them."""
        view = self.view_at(addr)
        if view is None or len(view) < size:
            return None
        return bytes(view[:size])

    def first_load_address(self) -> int:
        """The page-aligned virtual address of the lowest PT_LOAD segment."""
        if not self.segments:
            return 0
        seg = min(self.segments, key=lambda s: s.vaddr)
        align = seg.align if seg.align > 1 else 0x1000
        return seg.vaddr - (seg.vaddr % align)

    def segment_for_offset(self, file_offset: int) -> Segment | None:
        """The PT_LOAD segment whose file range holds ``file_offset`` (page-rounded)."""
        for seg in self.segments:
            page = 0x1000
            lo = seg.offset - (seg.offset % page)
            if lo <= file_offset < seg.offset + max(seg.filesz, 1):
                return seg
        return None


def _parse(name: str, data: Buffer) -> ELFFile:
    """Parse the ELF header; say in one line what the bytes are when they are not ELF."""
    kind = sniff(data)
    if kind == "empty":
        raise BadInput(f"{name}: is empty", "give the service's Go binary")
    head = bytes(data[:4])
    if head != b"\x7fELF":
        raise BadInput(f"{name}: {_not_elf(head, kind)}", "give the service's Linux Go binary")
    from elftools.elf.elffile import ELFFile

    # mmap has the read/seek/tell pyelftools needs; small unmappable files are bytes
    stream = cast("IO[bytes]", data if isinstance(data, mmap.mmap) else io.BytesIO(data))
    try:
        elf = ELFFile(stream)
        elf.num_sections()
        elf.num_segments()
    except Exception as exc:  # pyelftools and construct raise many types on short reads
        raise BadInput(
            f"{name}: corrupt or truncated ELF file ({_short(exc)})",
            "copy the binary again (kubectl cp can cut files short)",
        ) from None
    return elf


def _not_elf(head: bytes, kind: str) -> str:
    if head[:2] == b"MZ":
        return "is a Windows (PE) executable, not a Linux ELF binary"
    if head in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "is a macOS (Mach-O) executable, not a Linux ELF binary"
    if head[:2] == b"#!":
        return "is a script, not a compiled Go binary"
    if kind == "text":
        return "is a text file, not an ELF binary"
    if kind == "gzip":
        return "is gzip data (a pprof profile?), not an ELF binary (try `triage flame`)"
    return "is not an ELF file (no \\x7fELF magic)"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:100]


def _sections(name: str, elf: ELFFile, file_size: int) -> dict[str, Section]:
    """Read the section headers; a header pointing past the end means truncation."""
    out: dict[str, Section] = {}
    try:
        for sec in elf.iter_sections():
            hdr = sec.header
            nobits = str(hdr["sh_type"]) == SHT_NOBITS
            entry = Section(
                name=sec.name,
                addr=int(hdr["sh_addr"]),
                offset=int(hdr["sh_offset"]),
                size=int(hdr["sh_size"]),
                nobits=nobits,
                flags=int(hdr["sh_flags"]),
            )
            if not nobits and entry.offset + entry.size > file_size:
                raise BadInput(
                    f"{name}: truncated ELF file (section {entry.name or '?'} ends at byte "
                    f"{entry.offset + entry.size}, the file has {file_size})",
                    "copy the binary again (kubectl cp can cut files short)",
                )
            out.setdefault(entry.name, entry)
    except BadInput:
        raise
    except Exception as exc:  # pyelftools/construct errors on corrupt headers
        raise BadInput(
            f"{name}: corrupt or truncated ELF section headers ({_short(exc)})",
            "copy the binary again (kubectl cp can cut files short)",
        ) from None
    return out


def _load_segments(name: str, elf: ELFFile) -> list[Segment]:
    try:
        return [
            Segment(
                vaddr=int(seg["p_vaddr"]),
                offset=int(seg["p_offset"]),
                filesz=int(seg["p_filesz"]),
                memsz=int(seg["p_memsz"]),
                flags=int(seg["p_flags"]),
                align=int(seg["p_align"]),
            )
            for seg in elf.iter_segments()
            if str(seg["p_type"]) == "PT_LOAD"
        ]
    except Exception as exc:  # pyelftools/construct errors on corrupt headers
        raise BadInput(
            f"{name}: corrupt or truncated ELF program headers ({_short(exc)})",
            "copy the binary again (kubectl cp can cut files short)",
        ) from None
