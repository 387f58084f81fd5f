"""Symbolization compared with `go tool addr2line` and with the Go runtime's tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.binary import peers
from triage.binary import GoBinary, SymFrame, open_binary, traceback_name

STRIDE = 23  # bytes between sampled PCs: thousands of PCs, every function hit


def text_pcs(binary: GoBinary, stride: int = STRIDE) -> list[int]:
    """PCs spread over .text, read from the section header (pyelftools, not triage)."""
    sec = binary.image.elf.get_section_by_name(".text")
    assert sec is not None
    start, size = int(sec["sh_addr"]), int(sec["sh_size"])
    return list(range(start, start + size, stride))


def symbol(binary: GoBinary, name: str) -> tuple[int, int]:
    """Address and size of an ELF symbol, read with pyelftools (not triage)."""
    from elftools.elf.sections import SymbolTableSection

    tab = binary.image.elf.get_section_by_name(".symtab")
    assert isinstance(tab, SymbolTableSection)
    sym = tab.get_symbol_by_name(name)
    assert sym
    return int(sym[0]["st_value"]), int(sym[0]["st_size"])


def agrees(frames: list[SymFrame], peer: tuple[str, str, int]) -> bool:
    """addr2line names the physical function and the innermost file:line."""
    func, file, line = peer
    if func == "?":
        return frames == []
    if func.startswith("go:") and frames and frames[0].file == "":
        # linker marker symbols (go:textfipsstart) have no pc tables: the runtime
        # prints "?" for them, debug/gosym decodes whatever table 0 holds
        return frames[-1].func == func
    return (
        bool(frames)
        and frames[-1].func == func
        and (frames[0].file, frames[0].line)
        == (
            file,
            line,
        )
    )


@pytest.mark.parametrize("variant", ["default", "stripped", "pie", "noinline"])
def test_pclntab_agrees_with_addr2line(variant: str, binsample: Callable[[str], Path]) -> None:
    path = binsample(variant)
    with open_binary(path) as binary:
        pcs = text_pcs(binary)
        sym = binary.symbolizer()
        ours = [sym.lookup(pc) for pc in pcs]
    peer = peers.addr2line(path, pcs)
    wrong = [(hex(pc), p, o) for pc, p, o in zip(pcs, peer, ours, strict=True) if not agrees(o, p)]
    assert wrong == [], f"{len(wrong)} of {len(pcs)} PCs differ, first: {wrong[:3]}"
    inlined = [o for o in ours if len(o) > 1]
    if variant == "noinline":
        # -gcflags=-l: main has no inlined calls (the runtime's assembly helpers still may)
        assert not any(f.func.startswith("main.") for o in inlined for f in o)
    else:
        assert len(inlined) > 100
        assert any(len(o) >= 3 and o[0].func == "main.clamp" for o in inlined)


def test_inline_tree_expands_the_three_deep_chain(binsample: Callable[[str], Path]) -> None:
    """A PC in total() inside clamp maps to clamp <- discount <- priceOf <- total."""
    with open_binary(binsample("default")) as binary:
        start, size = symbol(binary, "main.total")
        sym = binary.symbolizer()
        chains = {tuple(f.func for f in sym.lookup(pc)) for pc in range(start, start + size)}
    assert ("main.clamp", "main.discount", "main.priceOf", "main.total") in chains


@pytest.mark.parametrize("mode", ["index", "nil"])
@pytest.mark.parametrize("variant", ["default", "stripped"])
def test_frames_match_the_runtime_traceback(
    mode: str, variant: str, binsample: Callable[[str], Path]
) -> None:
    """Every physical frame's PC expands to exactly the frames the runtime printed.

    Caller frames hold return addresses (looked up at PC-1); the frame the
    signal interrupted holds the faulting PC itself, as does a frame at entry.
    """
    path = binsample(variant)
    physical = peers.first_goroutine(peers.crash(path, mode))
    with open_binary(path) as binary:
        check_traceback(binary.symbolizer(), physical)
    assert any(len(p.frames) > 1 for p in physical), "no inlined frame in the crash"


def check_traceback(sym: object, physical: list[peers.PhysicalFrame]) -> None:
    from triage.binary import Symbolizer

    assert isinstance(sym, Symbolizer)
    after_signal = False
    for p in physical:
        ours = sym.lookup(p.pc, return_address=p.offset and not after_signal)
        got = [(traceback_name(f.func), f.file, f.line) for f in ours]
        assert got == p.frames, f"pc {p.pc:#x}"
        after_signal = p.frames[-1][0] == "runtime.sigpanic"


def test_pie_with_load_base_and_mapping(binsample: Callable[[str], Path]) -> None:
    path = binsample("pie")
    stderr = peers.crash(path, "index")
    physical = peers.first_goroutine(stderr)
    maps = peers.maps_lines(stderr)
    base = next(start for start, _, off in maps if off == 0)
    assert base > 0x10000000, "expected a randomised PIE load address"
    with open_binary(path) as binary:
        assert binary.pie
        plain = binary.symbolizer()
        assert plain.lookup(physical[-2].pc) == [], "runtime PCs of a PIE need the base"
        check_traceback(binary.symbolizer(load_base=base), physical)
        code_pc = physical[-2].pc
        start, end, offset = next(m for m in maps if m[0] <= code_pc < m[1])
        check_traceback(plain.with_mapping(start, end, offset), physical)


def test_dwarf_line_programs_agree(binsample: Callable[[str], Path]) -> None:
    """DWARF (pyelftools) gives what addr2line and the pclntab give, inlining included."""
    path = binsample("default")
    with open_binary(path) as binary:
        pcs = text_pcs(binary, 3)
        peer = peers.addr2line(path, pcs)
        # package main plus one runtime function: each CU is decoded on demand
        chosen = [i for i, p in enumerate(peer) if p[0].startswith("main.")]
        chosen += [i for i, p in enumerate(peer) if p[0] == "runtime.gopanic"][:5]
        dwarf = binary.symbolizer(prefer="dwarf")
        pcln = binary.symbolizer()
        for i in chosen:
            ours = dwarf.lookup(pcs[i])
            assert agrees(ours, peer[i]), f"{pcs[i]:#x}: {ours} vs {peer[i]}"
            assert [f.func for f in ours] == [f.func for f in pcln.lookup(pcs[i])]
    assert len(chosen) > 300


def test_address_outside_any_function(binsample: Callable[[str], Path]) -> None:
    with open_binary(binsample("default")) as binary:
        sym = binary.symbolizer()
        assert sym.lookup(0x10) == []
        assert sym.lookup(0xFFFF_FFFF_FFFF) == []


def test_return_address_steps_back_into_the_call(binsample: Callable[[str], Path]) -> None:
    """Where a return address starts the next line, only PC-1 names the call's line."""
    path = binsample("default")
    physical = peers.first_goroutine(peers.crash(path, "index"))
    with open_binary(path) as binary:
        sym = binary.symbolizer()
        differ = [
            p
            for p in physical
            if p.offset and sym.lookup(p.pc) != sym.lookup(p.pc, return_address=True)
        ]
        assert differ, "no caller frame where PC and PC-1 resolve differently"
        for p in differ:
            got = [
                (traceback_name(f.func), f.file, f.line)
                for f in sym.lookup(p.pc, return_address=True)
            ]
            assert got == p.frames


@pytest.mark.slow
@pytest.mark.parametrize("arch", ["arm64", "386"])
def test_other_architectures(arch: str, cross: Callable[[str], Path]) -> None:
    """arm64 (4-byte PC quantum, common on Kubernetes nodes) and 386 (ELF32, 4-byte words)."""
    path = cross(arch)
    with open_binary(path) as binary:
        assert binary.build_info().setting("GOARCH") == arch
        pcs = text_pcs(binary)
        sym = binary.symbolizer()
        assert sym.inline_frames
        ours = [sym.lookup(pc) for pc in pcs]
    peer = peers.addr2line(path, pcs)
    wrong = [(hex(pc), p, o) for pc, p, o in zip(pcs, peer, ours, strict=True) if not agrees(o, p)]
    assert wrong == [], f"{len(wrong)} of {len(pcs)} PCs differ, first: {wrong[:3]}"
    assert sum(len(o) > 1 for o in ours) > 100


def test_one_symbolizer_shared_by_threads(binsample: Callable[[str], Path]) -> None:
    """Workers share a symbolizer: concurrent DWARF and pclntab lookups give serial results."""
    from concurrent.futures import ThreadPoolExecutor

    path = binsample("default")
    with open_binary(path) as serial:
        start, size = symbol(serial, "main.main")
        pcs = list(range(start, start + size, 3))
        one = serial.symbolizer(prefer="dwarf")
        expected = [one.lookup(pc) for pc in pcs]
    with open_binary(path) as binary:
        dwarf = binary.symbolizer(prefer="dwarf")
        pcln = binary.symbolizer()
        with ThreadPoolExecutor(4) as pool:
            got = list(pool.map(dwarf.lookup, pcs))
            fast = list(pool.map(pcln.lookup, pcs))
    assert got == expected
    assert [[f.func for f in fr] for fr in fast] == [[f.func for f in fr] for fr in expected]
