"""Symbolization from DWARF through pyelftools, one compilation unit at a time.

A full pyelftools walk of a 10 MB Go binary's DIEs takes seconds, so nothing is
walked eagerly: the first lookup reads only each CU's top DIE (its address
ranges; Go writes no ``.debug_aranges``), and a CU's line program and
subprogram/inlined-subroutine tree are decoded the first time a PC lands in it.
This is the path for PCs the pclntab does not cover (C code linked through
cgo) and for binaries whose pclntab layout triage does not decode.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, NamedTuple

from triage.binary.frames import SymFrame
from triage.binary.guard import corrupt_input
from triage.errors import BadInput

if TYPE_CHECKING:
    from elftools.dwarf.compileunit import CompileUnit
    from elftools.dwarf.die import DIE
    from elftools.dwarf.dwarfinfo import DWARFInfo
    from elftools.dwarf.lineprogram import LineProgram

    from triage.binary.elf import ElfImage

Ranges = list[tuple[int, int]]


class Scope:
    """A concrete subprogram or an inlined call inside one, with its PC ranges."""

    __slots__ = ("call_file", "call_line", "children", "name", "ranges")

    def __init__(self, name: str, ranges: Ranges, call_file: str = "", call_line: int = 0) -> None:
        self.name = name
        self.ranges = ranges
        self.call_file = call_file
        self.call_line = call_line
        self.children: list[Scope] = []

    def contains(self, pc: int) -> bool:
        """True when ``pc`` lies in one of this scope's ranges."""
        return any(lo <= pc < hi for lo, hi in self.ranges)


class _Unit(NamedTuple):
    """What one CU yields once decoded: line rows and the scope tree."""

    addrs: list[int]
    rows: list[tuple[str, int, bool]]  # (file, line, end_sequence)
    scopes: list[Scope]


class DwarfIndex:
    """PC -> frames from DWARF line programs and inlined-subroutine DIEs."""

    def __init__(self, image: ElfImage) -> None:
        self._image = image
        self._info: DWARFInfo | None = None
        self._cu_ranges: list[tuple[int, int, int]] | None = None  # (lo, hi, cu offset)
        self._cu_by_offset: dict[int, CompileUnit] = {}
        self._units: dict[int, _Unit] = {}

    def _dwarf(self) -> DWARFInfo:
        if self._info is None:
            try:
                self._info = self._image.elf.get_dwarf_info(relocate_dwarf_sections=False)
            except BadInput:
                raise
            except Exception as exc:  # pyelftools raises many types on corrupt DWARF
                raise BadInput(
                    f"{self._image.name}: corrupt DWARF ({exc})", "use --table pclntab"
                ) from None
        return self._info

    def _cus(self) -> list[tuple[int, int, int]]:
        """Every CU's address ranges, from its top DIE only, sorted by start."""
        if self._cu_ranges is None:
            info = self._dwarf()
            out: list[tuple[int, int, int]] = []
            for cu in info.iter_CUs():
                self._cu_by_offset[cu.cu_offset] = cu
                for lo, hi in _die_ranges(info, cu, cu.get_top_DIE(), 0):
                    out.append((lo, hi, cu.cu_offset))
            out.sort()
            self._cu_ranges = out
        return self._cu_ranges

    def frames(self, pc: int) -> list[SymFrame]:
        """Frames at link-time ``pc``, innermost first; [] when no CU covers it."""
        with (
            self._image.elf_lock,
            corrupt_input(
                self._image.name, f"DWARF at {pc:#x}", "use --table pclntab", foreign=True
            ),
        ):
            return self._frames(pc)

    def _frames(self, pc: int) -> list[SymFrame]:
        cus = self._cus()
        i = bisect_right(cus, (pc, 1 << 64, 1 << 64)) - 1
        while i >= 0 and cus[i][0] <= pc:
            lo, hi, off = cus[i]
            if lo <= pc < hi:
                return self._unit_frames(self._unit(off), pc)
            i -= 1
        return []

    def _unit(self, offset: int) -> _Unit:
        unit = self._units.get(offset)
        if unit is None:
            cu = self._cu_by_offset[offset]
            info = self._dwarf()
            addrs, rows, files = _line_rows(info.line_program_for_CU(cu))
            scopes = _scopes(info, cu, files)
            unit = _Unit(addrs, rows, scopes)
            self._units[offset] = unit
        return unit

    @staticmethod
    def _unit_frames(unit: _Unit, pc: int) -> list[SymFrame]:
        file, line = "", 0
        i = bisect_right(unit.addrs, pc) - 1
        if i >= 0 and not unit.rows[i][2]:
            file, line = unit.rows[i][0], unit.rows[i][1]
        chain: list[Scope] = []
        level = unit.scopes
        while True:
            inner = next((s for s in level if s.contains(pc)), None)
            if inner is None:
                break
            chain.append(inner)
            level = inner.children
        if not chain:
            return [SymFrame("?", file, line)] if line else []
        out: list[SymFrame] = []
        for depth in range(len(chain) - 1, -1, -1):
            out.append(SymFrame(chain[depth].name, file, line, inlined=depth > 0))
            file, line = chain[depth].call_file, chain[depth].call_line
        return out


def _line_rows(
    prog: LineProgram | None,
) -> tuple[list[int], list[tuple[str, int, bool]], list[str]]:
    """Sorted line-table rows (end-of-sequence rows sort before rows at the same PC)."""
    if prog is None:
        return [], [], []
    files = _file_names(prog)
    raw: list[tuple[int, int, str, int, bool]] = []
    for entry in prog.get_entries():
        st = entry.state
        if st is None:
            continue
        name = files[st.file] if 0 <= st.file < len(files) else "?"
        raw.append((st.address, 0 if st.end_sequence else 1, name, st.line, st.end_sequence))
    raw.sort(key=lambda r: (r[0], r[1]))
    return [r[0] for r in raw], [(r[2], r[3], r[4]) for r in raw], files


def _file_names(prog: LineProgram) -> list[str]:
    """File table as full paths, indexed the way ``file`` registers count."""
    hdr = prog.header
    dirs = [_text(d) for d in hdr["include_directory"]]
    names: list[str] = []
    for fe in hdr["file_entry"]:
        name = _text(fe.name)
        d = fe.dir_index
        if hdr["version"] < 5:
            d -= 1  # DWARF 4: directory 0 is the CU's own, entries count from 1
        if not name.startswith("/") and 0 <= d < len(dirs) and dirs[d] not in ("", "."):
            name = f"{dirs[d]}/{name}"
        names.append(name)
    if hdr["version"] < 5:
        names.insert(0, "?")  # DWARF 4 file numbers start at 1
    return names


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _scopes(info: DWARFInfo, cu: CompileUnit, files: list[str]) -> list[Scope]:
    """Concrete subprograms of ``cu`` with their inlined-call trees."""
    top = cu.get_top_DIE()
    base = _attr_int(top, "DW_AT_low_pc")
    out: list[Scope] = []
    for die in top.iter_children():
        if die.tag != "DW_TAG_subprogram" or "DW_AT_inline" in die.attributes:
            continue
        ranges = _die_ranges(info, cu, die, base)
        if ranges:
            scope = Scope(_die_name(die), ranges)
            scope.children = _inlined(info, cu, die, base, files)
            out.append(scope)
    return out


def _inlined(
    info: DWARFInfo, cu: CompileUnit, die: DIE, base: int, files: list[str]
) -> list[Scope]:
    out: list[Scope] = []
    for child in die.iter_children():
        if child.tag == "DW_TAG_lexical_block":
            out.extend(_inlined(info, cu, child, base, files))
            continue
        if child.tag != "DW_TAG_inlined_subroutine":
            continue
        fileno = _attr_int(child, "DW_AT_call_file")
        scope = Scope(
            _die_name(child),
            _die_ranges(info, cu, child, base),
            call_file=files[fileno] if 0 <= fileno < len(files) else "?",
            call_line=_attr_int(child, "DW_AT_call_line"),
        )
        scope.children = _inlined(info, cu, child, base, files)
        out.append(scope)
    return out


def _attr_int(die: DIE, name: str) -> int:
    attr = die.attributes.get(name)
    return int(attr.value) if attr is not None else 0


def _die_name(die: DIE) -> str:
    """DW_AT_name, following DW_AT_abstract_origin/specification when absent."""
    for _ in range(4):
        attr = die.attributes.get("DW_AT_name")
        if attr is not None:
            return _text(attr.value)
        ref = next(
            (a for a in ("DW_AT_abstract_origin", "DW_AT_specification") if a in die.attributes),
            None,
        )
        if ref is None:
            break
        die = die.get_DIE_from_attribute(ref)
    return "?"


def _die_ranges(info: DWARFInfo, cu: CompileUnit, die: DIE, base: int) -> Ranges:
    """A DIE's PC ranges from low_pc/high_pc or DW_AT_ranges."""
    attrs = die.attributes
    if "DW_AT_ranges" in attrs:
        from elftools.dwarf.ranges import BaseAddressEntry

        lists = info.range_lists()
        if lists is None:
            return []
        cur = _attr_int(die, "DW_AT_low_pc") if die.tag == "DW_TAG_compile_unit" else base
        out: Ranges = []
        for entry in lists.get_range_list_at_offset(int(attrs["DW_AT_ranges"].value), cu=cu):
            if isinstance(entry, BaseAddressEntry):
                cur = entry.base_address
            elif entry.is_absolute:
                out.append((entry.begin_offset, entry.end_offset))
            else:
                out.append((cur + entry.begin_offset, cur + entry.end_offset))
        return out
    if "DW_AT_low_pc" in attrs and "DW_AT_high_pc" in attrs:
        lo = int(attrs["DW_AT_low_pc"].value)
        high = attrs["DW_AT_high_pc"]
        hi = int(high.value) if high.form == "DW_FORM_addr" else lo + int(high.value)
        return [(lo, hi)]
    return []
