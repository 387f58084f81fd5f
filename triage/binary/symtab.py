"""Function names from the ELF symbol table, for code neither pclntab nor DWARF covers.

C code linked in through cgo has no pclntab entries and, in a ``-w`` build, no
DWARF; its ``.symtab`` (or ``.dynsym``) function symbols still name it. Loaded
on first use, since reading every symbol of a large binary costs time.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from triage.binary.frames import SymFrame
from triage.binary.guard import corrupt_input

if TYPE_CHECKING:
    from triage.binary.elf import ElfImage


class SymtabIndex:
    """PC -> enclosing STT_FUNC symbol name."""

    def __init__(self, image: ElfImage) -> None:
        self._image = image
        self._starts: list[int] | None = None
        self._syms: list[tuple[int, int, str]] = []

    def _load(self) -> list[int]:
        if self._starts is None:
            from elftools.elf.sections import SymbolTableSection

            syms: list[tuple[int, int, str]] = []
            for name in (".symtab", ".dynsym"):
                sec = self._image.elf.get_section_by_name(name)
                if not isinstance(sec, SymbolTableSection):
                    continue
                for sym in sec.iter_symbols():
                    # sized functions only: zero-size markers (runtime.etext) are not code
                    if sym["st_info"]["type"] == "STT_FUNC" and sym["st_value"] and sym["st_size"]:
                        syms.append((int(sym["st_value"]), int(sym["st_size"]), sym.name))
                if syms:
                    break
            syms.sort()
            self._syms = syms
            self._starts = [s[0] for s in syms]
        return self._starts

    def frames(self, pc: int) -> list[SymFrame]:
        """``[SymFrame(name, "", 0)]`` for the symbol holding ``pc``, else []."""
        with self._image.elf_lock, corrupt_input(self._image.name, ".symtab", foreign=True):
            starts = self._load()
        i = bisect_right(starts, pc) - 1
        if i < 0:
            return []
        start, size, name = self._syms[i]
        if pc < start + size:
            return [SymFrame(name, "", 0)]
        return []
