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
from dataclasses import dataclass

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
LAST_SEARCHED_WORD = 60


@dataclass(frozen=True)
class Pclntab:
    """The pclntab bytes and the virtual address they start at."""

    addr: int
    data: memoryview


@dataclass(frozen=True)
class RuntimeLayout:
    """The two bases the pclntab offsets are relative to, and where they came from."""

    text_start: int
    gofunc: int | None
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
    """Find ``text`` and ``gofunc`` from module data, else ``.symtab``, else sections."""
    words = _moduledata_words(image, table, header)
    if words is not None:
        text = words[TEXT_WORD]
        gofunc = _gofunc_from_words(image, words)
        if _is_code(image, text):
            return RuntimeLayout(text, gofunc, "moduledata")
    text_sym, gofunc_sym = _from_symtab(image)
    if text_sym is not None:
        return RuntimeLayout(text_sym, gofunc_sym, "symtab")
    text_sec = image.sections.get(".text")
    return RuntimeLayout(text_sec.addr if text_sec else 0, None, "sections")


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


def _gofunc_from_words(image: ElfImage, words: list[int]) -> int | None:
    """``gofunc`` is the word after ``rodata``, the one equal to ``.rodata``'s address."""
    rodata = image.sections.get(".rodata")
    if rodata is None:
        return None
    for i in range(FIRST_WORD_AFTER_GCBSS, LAST_SEARCHED_WORD):
        if words[i] == rodata.addr:
            candidate = words[i + 1]
            return candidate if image.view_at(candidate) is not None else None
    return None


def _from_symtab(image: ElfImage) -> tuple[int | None, int | None]:
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
