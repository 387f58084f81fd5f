"""A read-only view of an ELF file: headers via :mod:`struct`, bytes via mmap.

Everything the Go tables need is read by slicing the memory-mapped file, so a
50 MB binary is never copied; pyelftools is loaded only when DWARF or the
symbol table is asked for. Every way a file can fail to be an ELF (garbage,
truncation, a directory, a Mach-O) becomes one
:class:`~triage.errors.BadInput` line.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import threading
from typing import IO, TYPE_CHECKING, cast

from triage.binary.elfheaders import HINT, Section, Segment, read_headers
from triage.binary.guard import corrupt_input
from triage.errors import BadInput
from triage.sources import open_input

if TYPE_CHECKING:
    from elftools.elf.elffile import ELFFile

__all__ = ["PF_W", "PF_X", "ElfImage", "Section", "Segment"]

SHF_COMPRESSED = 0x800
PF_X = 0x1
PF_W = 0x2
PAGE = 0x1000


class ElfImage:
    """An opened ELF file: section and segment tables plus zero-copy reads."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.name = self.path
        self._file, self.data = _open(self.path)
        try:
            if self.data[:4] != b"\x7fELF":
                raise BadInput(
                    f"{self.name}: {_not_elf(self.data)}", "give the service's Go binary"
                )
            with corrupt_input(self.name, "ELF headers"):
                headers = read_headers(self.name, memoryview(self.data))
        except BadInput:
            self.close()
            raise
        self.little_endian = headers.little_endian
        self.ptr_size = headers.ptr_size
        self.e_type = headers.e_type
        self.machine = headers.machine
        self.sections: dict[str, Section] = headers.sections
        self.segments: list[Segment] = headers.segments
        self.has_interp = headers.has_interp
        self._elf: ELFFile | None = None
        #: pyelftools reads through one shared file position: hold this around its use
        self.elf_lock = threading.RLock()

    def close(self) -> None:
        """Release the mapping (once no memoryview handed out still points into it)."""
        # A caller may still hold a view (a symbolizer it kept): then the mapping
        # is unmapped when the last view is garbage-collected.
        if isinstance(self.data, mmap.mmap):
            with contextlib.suppress(BufferError):
                self.data.close()
        self._file.close()

    @property
    def elf(self) -> ELFFile:
        """pyelftools' view of the file, for DWARF and symbol tables (loaded on first use)."""
        if self._elf is None:
            from elftools.elf.elffile import ELFFile

            try:
                self._elf = ELFFile(cast("IO[bytes]", self.data))
            except Exception as exc:  # pyelftools raises many types on corrupt input
                raise BadInput(f"{self.name}: corrupt ELF file ({exc})", HINT) from None
        return self._elf

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
        align = seg.align if seg.align > 1 else PAGE
        return seg.vaddr - (seg.vaddr % align)

    def segment_for_offset(self, file_offset: int) -> Segment | None:
        """The PT_LOAD segment whose file range holds ``file_offset`` (page-rounded)."""
        for seg in self.segments:
            lo = seg.offset - (seg.offset % PAGE)
            if lo <= file_offset < seg.offset + max(seg.filesz, 1):
                return seg
        return None


def _open(name: str) -> tuple[IO[bytes], mmap.mmap | bytes]:
    """Open and map the file ``name``; say in one line why when it cannot be."""
    fh = open_input(name, "the binary")  # closed by ElfImage.close
    try:
        return fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError:  # an empty file cannot be mapped
        fh.close()
        raise BadInput(f"{name}: is empty", "give the service's Go binary") from None
    except OSError:  # not mappable (a pipe or special file): read it
        data = fh.read()
        return fh, data


def _not_elf(data: mmap.mmap | bytes) -> str:
    """Say what the bytes look like instead of an ELF binary."""
    from triage.sources import sniff

    head = bytes(data[:4])
    if head[:2] == b"MZ":
        return "is a Windows (PE) executable, not a Linux ELF binary"
    if head in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "is a macOS (Mach-O) executable, not a Linux ELF binary"
    if head[:2] == b"#!":
        return "is a script, not a compiled Go binary"
    kind = sniff(data)
    if kind == "empty":
        return "is empty"
    if kind == "text":
        return "is a text file, not an ELF binary"
    if kind == "gzip":
        return "is gzip data (a pprof profile?), not an ELF binary (try `triage flame`)"
    return "is not an ELF file (no \\x7fELF magic)"
