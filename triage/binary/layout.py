"""Where the runtime's tables are: the pclntab, the text base and ``go:func.*``.

Since Go 1.18 function entries in the pclntab are offsets from
``moduledata.text``, and since Go 1.20 funcdata (the inline trees) are offsets
from ``moduledata.gofunc`` (the ``go:func.*`` symbol). Both are read from the
module data the linker writes (``runtime.firstmoduledata``, in ``.go.module``
in recent releases, found by its pointer to the pclntab otherwise), so stripped
``-s -w`` builds, which have no ``.symtab``, still symbolize fully. ``.symtab``
is the fallback. Field order read from ``runtime/symtab.go`` (``moduledata``).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from triage.binary.elf import PF_X, ElfImage
from triage.binary.pclntab import PclnHeader, identify

PCLNTAB_SECTIONS = (".gopclntab", ".data.rel.ro.gopclntab")
MODULEDATA_SECTIONS = (".go.module", ".noptrdata", ".data", ".data.rel.ro")
#: moduledata word holding ``text``: pcHeader, six slices (3 words each),
#: findfunctab, minpc, maxpc come first (stable since Go 1.16)
TEXT_WORD = 22
#: ``gofunc`` follows ``rodata``, which comes after ``end, gcdata, gcbss``
#: (words 34-36) and a version-dependent run of type fields
FIRST_WORD_AFTER_GCBSS = 37
SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
LAST_SEARCHED_WORD = 60


class Pclntab(NamedTuple):
    """The pclntab bytes and the virtual address they start at."""

    addr: int
    data: memoryview


class RuntimeLayout(NamedTuple):
    """The text base, candidate ``gofunc`` bases, and where they came from.

    ``gofunc`` sits in module data after ``rodata``, but the fields before it
    changed between releases, so every word that follows a read-only data
    address is a candidate; the line table keeps the one whose inline trees
    make sense (:meth:`LineTable.use_inline_base`).
    """

    text_start: int
    gofunc_candidates: tuple[int, ...]
    source: str  # "moduledata", "symtab" or "sections"


def find_pclntab(image: ElfImage) -> Pclntab | None:
    """The pclntab: its section, or a search of read-only segments for its header."""
    for name in PCLNTAB_SECTIONS:
        sec = image.sections.get(name)
        data = image.section_data(name)
        if sec is not None and data is not None:
            return Pclntab(sec.addr, data)
    for seg in image.segments:
        if seg.flags & PF_X:
            continue
        view = image.view_at(seg.vaddr)
        if view is None:
            continue
        found = _search_header(view, image.ptr_size)
        if found >= 0:
            return Pclntab(seg.vaddr + found, view[found:])
    return None


def _search_header(view: memoryview, ptr_size: int) -> int:
    raw = bytes(view)
    for magic in (b"\xf1\xff\xff\xff", b"\xff\xff\xff\xf1", b"\xf0\xff\xff\xff"):
        start = 0
        while (i := raw.find(magic + b"\x00\x00", start)) >= 0:
            if i % ptr_size == 0 and identify(view[i : i + 8]) is not None:
                return i
            start = i + 1
    return -1


def locate(image: ElfImage, table: Pclntab, header: PclnHeader) -> RuntimeLayout:
    """Find ``text`` (and ``gofunc`` candidates) from module data, else ``.symtab``."""
    words = _moduledata_words(image, table, header)
    if words is not None and _is_code(image, words[TEXT_WORD]):
        return RuntimeLayout(words[TEXT_WORD], _gofunc_candidates(image, words), "moduledata")
    text_sym, gofunc_sym = symtab_bases(image)
    if text_sym is not None:
        return RuntimeLayout(text_sym, (gofunc_sym,) if gofunc_sym else (), "symtab")
    text_sec = image.sections.get(".text")
    return RuntimeLayout(text_sec.addr if text_sec else 0, (), "sections")


def _is_code(image: ElfImage, addr: int) -> bool:
    return any(s.flags & PF_X and s.vaddr <= addr < s.vaddr + s.memsz for s in image.segments)


def _moduledata_words(image: ElfImage, table: Pclntab, header: PclnHeader) -> list[int] | None:
    """The first words of ``runtime.firstmoduledata``, found by its two leading pointers."""
    ptr = header.ptr_size
    word = header.order + ("Q" if ptr == 8 else "I")
    needle = struct.pack(word, table.addr) + struct.pack(word, table.addr + header.funcname_off)
    size = (LAST_SEARCHED_WORD + 1) * ptr
    for name in MODULEDATA_SECTIONS:
        data = image.section_data(name)
        if data is None:
            continue
        raw = bytes(data)
        start = 0
        while (i := raw.find(needle, start)) >= 0:
            if i % ptr == 0 and i + size <= len(raw):
                return list(
                    struct.unpack_from(f"{header.order}{LAST_SEARCHED_WORD + 1}{word[1]}", raw, i)
                )
            start = i + 1
    return None


def _gofunc_candidates(image: ElfImage, words: list[int]) -> tuple[int, ...]:
    """Each word that follows an address inside a read-only data section."""
    readonly = [
        sec
        for sec in image.sections.values()
        if sec.flags & SHF_ALLOC and not sec.flags & (SHF_WRITE | SHF_EXECINSTR) and not sec.nobits
    ]
    out: list[int] = []
    for i in range(FIRST_WORD_AFTER_GCBSS, LAST_SEARCHED_WORD):
        after = words[i + 1]
        inside = any(sec.contains(words[i]) for sec in readonly)
        if inside and after not in out and image.view_at(after) is not None:
            out.append(after)
    return tuple(out)


def symtab_bases(image: ElfImage) -> tuple[int | None, int | None]:
    """``runtime.text`` and ``go:func.*`` (``go.func.*`` before Go 1.20) from ``.symtab``."""
    from elftools.elf.sections import SymbolTableSection

    sec = image.elf.get_section_by_name(".symtab")
    if not isinstance(sec, SymbolTableSection):
        return None, None
    wanted = {"runtime.text": None, "go:func.*": None, "go.func.*": None}
    found: dict[str, int] = {}
    try:
        for name in wanted:
            syms = sec.get_symbol_by_name(name)
            if syms:
                found[name] = int(syms[0]["st_value"])
    except Exception:  # a corrupt symbol table: fall back to section addresses
        return None, None
    gofunc = found.get("go:func.*", found.get("go.func.*"))
    return found.get("runtime.text"), gofunc
