"""An opened Go executable: build info, what it contains, and its symbolizer."""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from triage.binary.buildinfo import BuildInfo, read_build_info
from triage.binary.elf import ElfImage
from triage.binary.guard import corrupt_input
from triage.binary.symbolizer import Symbolizer, _Tables
from triage.errors import BadInput

if TYPE_CHECKING:
    from triage.binary.pclntab import LineTable

DWARF_SECTIONS = (".debug_info", ".zdebug_info")
NT_GO_BUILD_ID = 4
NT_GNU_BUILD_ID = 3


class Sections(NamedTuple):
    """Which symbol tables the binary carries (``-w`` drops DWARF, ``-s`` both)."""

    dwarf: bool
    symtab: bool
    pclntab: bool


class GoBinary:
    """A Go ELF binary. Open with :func:`open_binary`; close when done (or use ``with``)."""

    def __init__(self, image: ElfImage) -> None:
        self.image = image
        self.name = image.name
        self._build_info: BuildInfo | None = None
        self._tables: _Tables | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Release the file mapping; do not use this binary's symbolizers afterwards."""
        self._tables = None
        self.image.close()

    def __enter__(self) -> GoBinary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def build_info(self) -> BuildInfo:
        """Go version, modules and build settings, as ``go version -m`` prints them."""
        if self._build_info is None:
            with corrupt_input(self.name, "build info"):
                self._build_info = read_build_info(self.image)
        return self._build_info

    @property
    def sections(self) -> Sections:
        """Presence of DWARF, ``.symtab`` and the pclntab."""
        from triage.binary.layout import find_pclntab

        secs = self.image.sections
        with corrupt_input(self.name, "pclntab"):
            pclntab = find_pclntab(self.image) is not None
        return Sections(
            dwarf=any(n in secs for n in DWARF_SECTIONS),
            symtab=".symtab" in secs,
            pclntab=pclntab,
        )

    @property
    def pie(self) -> bool:
        """True for a position-independent executable (loaded at a random base)."""
        if self.image.e_type != "ET_DYN":
            return False
        if self.image.has_interp:
            return True
        try:
            mode = self.build_info().setting("-buildmode")
        except BadInput:
            return False
        return mode == "pie"

    @property
    def build_id(self) -> str:
        """The Go build ID (what ``go tool buildid`` prints), or "" if absent."""
        return self._note("Go", NT_GO_BUILD_ID, text=True)

    @property
    def gnu_build_id(self) -> str:
        """The GNU build ID as hex (what ``file`` prints as BuildID[sha1]), or ""."""
        return self._note("GNU", NT_GNU_BUILD_ID, text=False)

    def _note(self, owner: str, kind: int, *, text: bool) -> str:
        for sec in self.image.sections.values():
            if not sec.name.startswith(".note") or sec.nobits:
                continue
            data = self.image.section_data(sec.name)
            if data is None:
                continue
            with corrupt_input(self.name, f"{sec.name} note"):
                found = _find_note(bytes(data), self.image.byteorder, owner, kind)
            if found is not None:
                return found.rstrip(b"\0").decode("utf-8", "replace") if text else found.hex()
        return ""

    def symbolizer(self, *, load_base: int | None = None, prefer: str = "auto") -> Symbolizer:
        """A :class:`Symbolizer`; ``load_base`` is where a PIE's first segment was mapped.

        The indexes are built once per binary and shared by every symbolizer.
        ``prefer="dwarf"`` looks in DWARF first (checks and cgo code).
        """
        with self._lock:
            if self._tables is None:
                with self.image.elf_lock, corrupt_input(self.name, "symbol tables"):
                    self._tables = _build_tables(self.image)
        sym = Symbolizer(self._tables, prefer=prefer)
        return sym if load_base is None else sym.with_load_base(load_base)


def _find_note(data: bytes, order: str, owner: str, kind: int) -> bytes | None:
    """The descriptor of the first ELF note named ``owner`` of type ``kind``."""
    pos = 0
    want = owner.encode()
    while pos + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from(order + "III", data, pos)
        name_at = pos + 12
        desc_at = name_at + ((namesz + 3) & ~3)
        end = desc_at + ((descsz + 3) & ~3)
        if end > len(data):
            return None
        if ntype == kind and data[name_at : name_at + namesz].rstrip(b"\0") == want:
            return data[desc_at : desc_at + descsz]
        pos = end
    return None


def _build_tables(image: ElfImage) -> _Tables:
    """Index the pclntab (refusing layouts we do not know unless DWARF can stand in)."""
    from triage.binary.dwarf import DwarfIndex
    from triage.binary.layout import find_pclntab, locate
    from triage.binary.pclntab import LineTable, UnsupportedPclntab, parse_header
    from triage.binary.symtab import SymtabIndex

    dwarf = DwarfIndex(image) if ".debug_info" in image.sections else None
    table = find_pclntab(image)
    pcln: LineTable | None = None
    if table is None:
        if dwarf is None:
            raise BadInput(
                f"{image.name}: not a Go binary (no .gopclntab) and no DWARF to read",
                "give the service's Go executable",
            )
    else:
        try:
            header = parse_header(image.name, table.data)
        except UnsupportedPclntab:
            if dwarf is None:
                raise
        else:
            layout = locate(image, table, header)
            pcln = LineTable(table.data, header, layout.text_start)
            _find_inline_base(image, pcln, layout.gofunc_candidates)
    return _Tables(image, pcln, dwarf, SymtabIndex(image))


def _find_inline_base(image: ElfImage, pcln: LineTable, candidates: tuple[int, ...]) -> None:
    """Give the line table its inline trees: module-data candidates, then ``go:func.*``."""
    from triage.binary.layout import symtab_bases

    def reader(base: int) -> Callable[[int], memoryview | None]:
        return lambda off: image.view_at(base + off)

    for base in candidates:
        if pcln.use_inline_base(reader(base)):
            return
    if ".symtab" in image.sections:
        _, base_sym = symtab_bases(image)
        if base_sym is not None and base_sym not in candidates:
            pcln.use_inline_base(reader(base_sym))


def open_binary(path: str | os.PathLike[str]) -> GoBinary:
    """Open a Go ELF binary; BadInput (exit 2) for anything else, with one clear line."""
    image = ElfImage(path)
    secs = image.sections
    if ".go.buildinfo" not in secs and ".gopclntab" not in secs:
        from triage.binary.buildinfo import find_blob
        from triage.binary.layout import find_pclntab

        try:
            with corrupt_input(image.name, "ELF file"):
                is_go = find_blob(image) is not None or find_pclntab(image) is not None
        except BadInput:
            image.close()
            raise
        if not is_go:
            image.close()
            raise BadInput(
                f"{image.name}: not a Go binary (an ELF file without Go build info or pclntab)",
                "give the service's Go executable",
            )
    return GoBinary(image)
