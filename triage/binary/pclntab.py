"""The Go runtime's PC/line table (``.gopclntab``): PC -> function, file:line, inlining.

This is the table the runtime itself uses for tracebacks, so it is present in
every Go binary, stripped (``-s -w``) or not, and gives exactly the frames a
panic would print. Layout read from the Go source: ``runtime/symtab.go``
(``pcHeader``, ``_func``, ``pcvalue``, ``step``), ``runtime/symtabinl.go``
(``inlinedCall``, ``inlineUnwinder``) and ``internal/abi/symtab.go`` (magic
numbers, ``PCDATA_InlTreeIndex``=2, ``FUNCDATA_InlTree``=3).

Only the Go 1.20+ layout (magic ``0xfffffff1``) is decoded; older tables are
recognised and refused by name, since their ``_func`` and inline-tree records
differ and cannot be checked against a toolchain here.
"""

from __future__ import annotations

import struct
from bisect import bisect_right
from collections.abc import Callable, Iterator
from typing import NamedTuple

from triage.binary.frames import SymFrame
from triage.errors import BadInput

GO120_MAGIC = 0xFFFFFFF1
KNOWN_MAGICS = {
    0xFFFFFFF1: "Go 1.20 or later",
    0xFFFFFFF0: "Go 1.18-1.19",
    0xFFFFFFFA: "Go 1.16-1.17",
    0xFFFFFFFB: "Go 1.2-1.15",
}
PCDATA_INL_TREE_INDEX = 2
FUNCDATA_INL_TREE = 3
#: ``_func`` up to ``nfuncdata`` (40 bytes), little- and big-endian
FUNC_HEADER = {"<": struct.Struct("<IiiIIIIIIiBBBB"), ">": struct.Struct(">IiiIIIIIIiBBBB")}
INLINED_CALL_SIZE = 16  # funcID u8, pad [3]byte, nameOff i32, parentPc i32, startLine i32
NO_FUNCDATA = 0xFFFFFFFF
MAX_INLINE_DEPTH = 256
#: walk a pc-value table this many times before decoding it whole and caching it
DECODE_AFTER = 4


class UnsupportedPclntab(BadInput):
    """A pclntab from a Go release whose layout triage does not decode."""


class PclnHeader(NamedTuple):
    """The fields of ``runtime.pcHeader`` the lookups need."""

    order: str
    quantum: int
    ptr_size: int
    nfunc: int
    nfiles: int
    funcname_off: int
    cu_off: int
    filetab_off: int
    pctab_off: int
    pcln_off: int


def identify(data: memoryview) -> tuple[str, str] | None:
    """(byte order, release label) for a pclntab header, or None if it is not one."""
    if len(data) < 8 or data[4] != 0 or data[5] != 0:
        return None
    if data[6] not in (1, 2, 4) or data[7] not in (4, 8):
        return None
    for order in "<>":
        magic = struct.unpack_from(order + "I", data, 0)[0]
        if magic in KNOWN_MAGICS:
            return order, KNOWN_MAGICS[magic]
    return None


def parse_header(name: str, data: memoryview) -> PclnHeader:
    """Decode a Go 1.20+ ``pcHeader``; refuse other releases with a clear line."""
    found = identify(data)
    if found is None:
        magic = bytes(data[:4]).hex() if len(data) >= 4 else "none"
        raise BadInput(
            f"{name}: .gopclntab has an unknown header (magic {magic})",
            "is this a Go binary? `go version -m` should name its Go release",
        )
    order, label = found
    if struct.unpack_from(order + "I", data, 0)[0] != GO120_MAGIC:
        raise UnsupportedPclntab(
            f"{name}: its .gopclntab is the {label} layout, which triage does not decode "
            "(it reads Go 1.20 and later)",
            "use `go tool addr2line` from that Go release, or a build with DWARF",
        )
    ptr = data[7]
    word = order + ("Q" if ptr == 8 else "I")
    fields = [struct.unpack_from(word, data, 8 + i * ptr)[0] for i in range(8)]
    nfunc, nfiles, _text, funcname, cu, filetab, pctab, pcln = fields
    header = PclnHeader(order, data[6], ptr, nfunc, nfiles, funcname, cu, filetab, pctab, pcln)
    if max(funcname, cu, filetab, pctab, pcln) >= len(data) or (
        pcln + (2 * nfunc + 1) * 4 > len(data)
    ):
        raise BadInput(
            f"{name}: corrupt .gopclntab (offsets past its end)",
            "copy the binary again (kubectl cp can cut files short)",
        )
    return header


class FuncRecord(NamedTuple):
    """One ``_func``: entry PC (link-time), name, and the tables that describe it."""

    entry: int
    end: int
    name_off: int
    pcfile: int
    pcln: int
    cu_offset: int
    start_line: int
    inl_index_table: int  # pctab offset of PCDATA_InlTreeIndex, 0 if none
    inl_tree_off: int  # gofunc offset of FUNCDATA_InlTree, NO_FUNCDATA if none


class LineTable:
    """Lookups in one module's pclntab; everything decoded lazily and cached."""

    def __init__(
        self,
        data: memoryview,
        header: PclnHeader,
        text_start: int,
    ) -> None:
        self.data = data
        self.h = header
        self.text_start = text_start
        self._inline_data: Callable[[int], memoryview | None] | None = None
        n = header.nfunc
        ftab = struct.unpack_from(f"{header.order}{2 * n + 2}I", data, header.pcln_off)
        self._entries: list[int] = list(ftab[0::2])  # nfunc entries + the end sentinel
        self._funcoffs: list[int] = list(ftab[1::2])
        self._funcs: dict[int, FuncRecord] = {}
        self._names: dict[int, str] = {}
        self._files: dict[int, str] = {}
        self._tables: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._hits: dict[tuple[int, int], int] = {}

    def use_inline_base(self, inline_data: Callable[[int], memoryview | None]) -> bool:
        """Adopt ``inline_data`` (gofunc offset -> bytes) if the inline trees it gives are sane.

        Samples functions across the table: each first ``inlinedCall`` must
        have zero padding, a name inside ``funcnametab`` and a parent PC inside
        its function. With no inlining anywhere there is nothing to check.
        """
        try:
            checked = self._count_sane_trees(inline_data)
        except (struct.error, IndexError):  # a damaged function table
            return False
        if checked:
            self._inline_data = inline_data
        return checked > 0

    def _count_sane_trees(self, inline_data: Callable[[int], memoryview | None]) -> int:
        """How many sampled inline trees look right (0 as soon as one does not)."""
        names_size = self.h.cu_off - self.h.funcname_off
        checked = 0
        for i in range(0, self.h.nfunc, max(1, self.h.nfunc // 256)):
            rec = self._func_record(i)
            if rec.inl_tree_off == NO_FUNCDATA:
                continue
            tree = inline_data(rec.inl_tree_off)
            if tree is None or len(tree) < INLINED_CALL_SIZE:
                return 0
            _id, p1, p2, p3, name_off, parent_pc, start = struct.unpack_from(
                self.h.order + "BBBBiii", tree, 0
            )
            if p1 or p2 or p3 or not 0 <= name_off < names_size or start < 0:
                return 0
            if not 0 <= parent_pc < rec.end - rec.entry:
                return 0
            checked += 1
            if checked >= 32:
                break
        return checked

    @property
    def has_inline_tree(self) -> bool:
        """Whether inlined frames can be expanded (the gofunc base was found)."""
        return self._inline_data is not None

    def __len__(self) -> int:
        return self.h.nfunc

    def covers(self, pc: int) -> bool:
        """True when link-time ``pc`` lies in a Go function of this table."""
        off = pc - self.text_start
        return self._entries[0] <= off < self._entries[-1]

    def func_for(self, pc: int) -> FuncRecord | None:
        """The function containing link-time ``pc``."""
        if not self.covers(pc):
            return None
        i = bisect_right(self._entries, pc - self.text_start, 0, self.h.nfunc) - 1
        rec = self._funcs.get(i)
        if rec is None:
            rec = self._func_record(i)
            self._funcs[i] = rec
        return rec

    def functions(self) -> list[tuple[int, int, str]]:
        """(entry, end, name) of every function, in address order."""
        out = []
        for i in range(self.h.nfunc):
            rec = self.func_for(self.text_start + self._entries[i])
            if rec is not None:
                out.append((rec.entry, rec.end, self.func_name(rec.name_off)))
        return out

    def _func_record(self, i: int) -> FuncRecord:
        base = self.h.pcln_off + self._funcoffs[i]
        layout = FUNC_HEADER[self.h.order]
        f = layout.unpack_from(self.data, base)
        entry_off, name_off, _args, _defer, _pcsp, pcfile, pcln, npcdata, cu, start = f[:10]
        nfuncdata = f[13]
        after = base + layout.size
        inl_index = 0
        if npcdata > PCDATA_INL_TREE_INDEX:
            inl_index = self._u32(after + 4 * PCDATA_INL_TREE_INDEX)
        inl_tree = NO_FUNCDATA
        if nfuncdata > FUNCDATA_INL_TREE:
            inl_tree = self._u32(after + 4 * npcdata + 4 * FUNCDATA_INL_TREE)
        entry = self.text_start + entry_off
        end = self.text_start + self._entries[i + 1]
        return FuncRecord(entry, end, name_off, pcfile, pcln, cu, start, inl_index, inl_tree)

    def _u32(self, off: int) -> int:
        value: int = struct.unpack_from(self.h.order + "I", self.data, off)[0]
        return value

    def _cstring(self, off: int) -> str:
        """The NUL-terminated string at ``off`` (names are short; long ones are read on)."""
        size = 256
        while True:
            chunk = bytes(self.data[off : off + size])
            end = chunk.find(0)
            if end >= 0 or off + size >= len(self.data):
                return chunk[: end if end >= 0 else None].decode("utf-8", "replace")
            size *= 4

    def func_name(self, name_off: int) -> str:
        """The function name at ``name_off`` in ``funcnametab``."""
        name = self._names.get(name_off)
        if name is None:
            name = self._cstring(self.h.funcname_off + name_off)
            self._names[name_off] = name
        return name

    def file_name(self, rec: FuncRecord, fileno: int) -> str:
        """File ``fileno`` of ``rec``'s compilation unit, via ``cutab`` and ``filetab``."""
        if fileno < 0:
            return "?"
        off = self._u32(self.h.cu_off + 4 * (rec.cu_offset + fileno))
        if off == NO_FUNCDATA:
            return "?"
        name = self._files.get(off)
        if name is None:
            name = self._cstring(self.h.filetab_off + off)
            self._files[off] = name
        return name

    def pcvalue(self, rec: FuncRecord, table: int, pc: int) -> int:
        """The value of pc-value table ``table`` at link-time ``pc`` (-1 if absent).

        A table is walked up to ``pc`` the first few times (most functions of a
        crash or a random sample are hit once or twice, an inlined frame's parent
        included) and decoded whole and cached after that (profiles hit the same
        hot functions over and over).
        """
        if table == 0:
            return -1
        key = (table, rec.entry)
        decoded = self._tables.get(key)
        if decoded is None:
            hits = self._hits.get(key, 0)
            if hits < DECODE_AFTER:
                self._hits[key] = hits + 1
                return self._walk(table, rec.entry, pc)
            decoded = self._decode(table, rec.entry, rec.end)
            self._tables[key] = decoded
        ends, values = decoded
        i = bisect_right(ends, pc)
        return values[i] if i < len(ends) else -1

    def _walk(self, table: int, entry: int, target: int) -> int:
        """``runtime.pcvalue``: step through the table until the range holding ``target``.

        The hot loop of symbolization: pairs of varints (value delta, PC delta)
        read from one iterator over the bytes, the fastest byte access CPython
        offers; the rare multi-byte varint finishes in :func:`_varint_rest`.
        ``target`` lies inside the function, so the walk ends at a range past
        it or at the table's terminating zero.
        """
        it = iter(self.data[self.h.pctab_off + table :])
        quantum = self.h.quantum
        pc, val = entry, -1
        first = True
        try:
            for raw in it:
                uv = _varint_rest(raw, it) if raw & 0x80 else raw
                if uv == 0 and not first:
                    return -1
                first = False
                val += (uv >> 1) ^ -(uv & 1)  # zigzag
                delta = next(it)
                if delta & 0x80:
                    delta = _varint_rest(delta, it)
                pc += delta * quantum
                if target < pc:
                    return val
        except StopIteration:  # a table running off the end of the section
            pass
        return -1

    def _decode(self, table: int, entry: int, end: int) -> tuple[list[int], list[int]]:
        """Run ``runtime.step`` over a whole table: ``values[i]`` holds below ``ends[i]``."""
        data = self.data
        p = self.h.pctab_off + table
        quantum = self.h.quantum
        pc, val, first = entry, -1, True
        ends: list[int] = []
        values: list[int] = []
        try:
            while True:
                uv = data[p]
                p += 1
                if uv & 0x80:
                    uv, p = _uvarint(data, p - 1)
                if uv == 0 and not first:
                    break
                first = False
                val += (uv >> 1) ^ -(uv & 1)  # zigzag
                delta = data[p]
                p += 1
                if delta & 0x80:
                    delta, p = _uvarint(data, p - 1)
                pc += delta * quantum
                ends.append(pc)
                values.append(val)
                if pc >= end:
                    break
        except IndexError:  # a table running off the end: keep what was decoded
            pass
        return ends, values

    def _file_line(self, rec: FuncRecord, pc: int) -> tuple[str, int]:
        """File and line at ``pc``; ("", 0) where the tables say nothing (padding)."""
        fileno = self.pcvalue(rec, rec.pcfile, pc)
        line = self.pcvalue(rec, rec.pcln, pc)
        if fileno < 0 or line < 0:
            return "", 0
        return self.file_name(rec, fileno), line

    def _inline_call(self, rec: FuncRecord, index: int) -> tuple[int, int] | None:
        """(nameOff, parentPc) of entry ``index`` of ``rec``'s inline tree."""
        if self._inline_data is None or rec.inl_tree_off == NO_FUNCDATA:
            return None
        tree = self._inline_data(rec.inl_tree_off)
        at = index * INLINED_CALL_SIZE
        if tree is None or at + INLINED_CALL_SIZE > len(tree):
            return None
        name_off, parent_pc = struct.unpack_from(self.h.order + "ii", tree, at + 4)
        return name_off, parent_pc

    def frames(self, pc: int) -> list[SymFrame]:
        """Frames at link-time ``pc``, innermost (inlined) first; [] outside Go code.

        Follows ``runtime.inlineUnwinder``: the inline index at a PC names the
        inlined function; its ``parentPc`` is a PC in the caller whose position is
        the call site, and whose own index continues the walk.
        """
        rec = self.func_for(pc)
        if rec is None:
            return []
        out: list[SymFrame] = []
        cur = pc
        for _ in range(MAX_INLINE_DEPTH):
            file, line = self._file_line(rec, cur)
            index = self.pcvalue(rec, rec.inl_index_table, cur) if self._inline_data else -1
            call = self._inline_call(rec, index) if index >= 0 else None
            if call is None:
                break
            out.append(SymFrame(self.func_name(call[0]), file, line, inlined=True))
            cur = rec.entry + call[1]
        out.append(SymFrame(self.func_name(rec.name_off), file, line, inlined=False))
        return out


def _varint_rest(first: int, it: Iterator[int]) -> int:
    """Finish a varint whose first byte (with the continuation bit) was ``first``."""
    value, shift = first & 0x7F, 7
    for b in it:
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value
        shift += 7
    raise StopIteration


def _uvarint(data: memoryview, p: int) -> tuple[int, int]:
    b = data[p]
    if b < 0x80:
        return b, p + 1
    value = b & 0x7F
    shift = 7
    while True:
        p += 1
        b = data[p]
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, p + 1
        shift += 7
