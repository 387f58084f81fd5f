"""Runtime PCs -> source frames, with load-address handling for PIE binaries.

A :class:`Symbolizer` asks the pclntab first (what the runtime uses; present
even in ``-s -w`` builds), DWARF second (C code, or a pclntab layout triage
does not decode), and ``.symtab`` last (a bare function name). Address
arithmetic is in one place: ``link_pc = runtime_pc - bias``, where the bias is
0 for a non-PIE binary and the load base minus the link-time base for PIE.
"""

from __future__ import annotations

from typing import NamedTuple

from triage.binary.dwarf import DwarfIndex
from triage.binary.elf import ElfImage
from triage.binary.frames import SymFrame
from triage.binary.guard import corrupt_input
from triage.binary.pclntab import LineTable
from triage.binary.symtab import SymtabIndex
from triage.errors import BadInput

TABLES = ("auto", "pclntab", "dwarf")


class _Tables(NamedTuple):
    """The per-binary indexes, shared by every Symbolizer of that binary."""

    image: ElfImage
    pcln: LineTable | None
    dwarf: DwarfIndex | None
    symtab: SymtabIndex


class Symbolizer:
    """Look up runtime PCs of one binary; cheap to copy with another load base."""

    def __init__(self, tables: _Tables, *, bias: int = 0, prefer: str = "auto") -> None:
        if prefer not in TABLES:
            raise ValueError(f"prefer must be one of {TABLES}")
        if prefer == "dwarf" and tables.dwarf is None:
            raise BadInput(
                f"{tables.image.name}: has no DWARF (built with -w or -s?)",
                "drop --table dwarf to use the pclntab",
            )
        if prefer == "pclntab" and tables.pcln is None:
            raise BadInput(f"{tables.image.name}: its .gopclntab cannot be read")
        self._t = tables
        self.bias = bias
        self.prefer = prefer

    @property
    def inline_frames(self) -> bool:
        """Whether inlined frames are expanded (False only for odd, stripped layouts)."""
        if self.prefer == "dwarf" or self._t.pcln is None:
            return self._t.dwarf is not None
        return self._t.pcln.has_inline_tree

    def with_bias(self, bias: int) -> Symbolizer:
        """The same tables, with runtime PCs offset by ``bias`` from link-time PCs."""
        return Symbolizer(self._t, bias=bias, prefer=self.prefer)

    def with_load_base(self, base: int) -> Symbolizer:
        """For a process where the binary's first segment was mapped at ``base``.

        ``base`` is the start of the executable's first line in
        ``/proc/PID/maps`` (file offset 0). For a non-PIE binary that is its
        link address and the bias is 0.
        """
        return self.with_bias(base - self._t.image.first_load_address())

    def with_mapping(self, start: int, limit: int, file_offset: int) -> Symbolizer:
        """From a pprof ``Mapping`` (or a maps line): memory_start, memory_limit, file_offset."""
        seg = self._t.image.segment_for_offset(file_offset)
        if seg is None or limit <= start:
            raise BadInput(
                f"{self._t.image.name}: mapping {start:#x}-{limit:#x} at offset "
                f"{file_offset:#x} matches no segment of this binary",
                "is this the binary the profile or crash came from?",
            )
        return self.with_bias(start - file_offset + seg.offset - seg.vaddr)

    def lookup(self, pc: int, *, return_address: bool = False) -> list[SymFrame]:
        """Frames at runtime ``pc``, innermost (inlined) first; [] if nothing covers it.

        With ``return_address`` the PC is a saved return address (every frame of
        a stack but the innermost, unless it follows a signal): the call
        instruction is the byte before it, so ``pc - 1`` is looked up, as the
        runtime does, except at a function's entry.
        """
        # tables that point outside themselves: the file is damaged (DWARF and
        # .symtab lookups guard themselves, naming their table)
        with corrupt_input(self._t.image.name, f"symbol tables at {pc:#x}"):
            link = pc - self.bias
            if return_address and link > 0 and not self._is_entry(link):
                link -= 1
            return self._lookup_link(link)

    def _lookup_link(self, link: int) -> list[SymFrame]:
        order = ("dwarf", "pclntab") if self.prefer == "dwarf" else ("pclntab", "dwarf")
        for table in order:
            if table == "pclntab" and self._t.pcln is not None:
                if self._t.pcln.covers(link):
                    return self._t.pcln.frames(link)
            elif table == "dwarf" and self._t.dwarf is not None:
                found = self._t.dwarf.frames(link)
                if found:
                    return found
        return self._t.symtab.frames(link)

    def _is_entry(self, link: int) -> bool:
        pcln = self._t.pcln
        if pcln is None or self.prefer == "dwarf":
            return False
        rec = pcln.func_for(link)
        return rec is not None and rec.entry == link
