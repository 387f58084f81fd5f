"""``triage binary PATH``: build info of a Go binary, or symbolization of raw PCs.

Registered by :mod:`triage.cli`; importing this module builds nothing but the
argument parser, so ``triage --help`` does not pay for pyelftools.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from triage.errors import BadInput

if TYPE_CHECKING:
    from triage.binary import GoBinary, RuntimeAdvisory, SymFrame
    from triage.textout import Painter


def register(subparsers: Any) -> None:
    """Add the ``binary`` subcommand."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "binary",
        help="Go version, modules and build settings of a binary; symbolize PCs",
        description=(
            "Read a Go ELF binary without a Go toolchain: what `go version -m` prints, "
            "or, with --pc, the function, file:line and inlined frames at each address "
            "(like `go tool addr2line`)."
        ),
    )
    p.add_argument("path", metavar="PATH", help="the Go executable")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument(
        "--pc",
        dest="pcs",
        action="extend",
        nargs="+",
        metavar="ADDR",
        help="hex addresses to symbolize (several, or - to read them from stdin)",
    )
    p.add_argument(
        "--return-addresses",
        action="store_true",
        help="the addresses are saved return PCs (caller frames): look up PC-1",
    )
    p.add_argument(
        "--base",
        metavar="ADDR",
        help="for a PIE binary: where its first segment was mapped (/proc/PID/maps)",
    )
    p.add_argument(
        "--table",
        choices=("auto", "pclntab", "dwarf"),
        default="auto",
        help="symbol table to prefer (default: pclntab, then DWARF, then .symtab)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour: on a terminal unless NO_COLOR is set (auto), always, or never",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point for ``triage binary``."""
    from triage.binary import open_binary

    with open_binary(args.path) as binary:
        if args.pcs:
            return _symbolize(binary, args)
        return _describe(binary, args)


def parse_address(token: str) -> int:
    """``0x47f7a1``, ``47f7a1`` or ``pc=0x47f7a1`` -> int; BadInput otherwise."""
    text = token.strip().removeprefix("pc=")
    digits = text[2:] if text[:2].lower() == "0x" else text
    try:
        value = int(digits, 16)
    except ValueError:
        raise BadInput(f"{token!r} is not a hex address", "give addresses like 0x47f7a1") from None
    if value < 0 or value >= 1 << 64 or not digits:
        raise BadInput(f"{token!r} is not a 64-bit address", "give addresses like 0x47f7a1")
    return value


def _read_pcs(tokens: Sequence[str]) -> list[int]:
    out: list[int] = []
    for token in tokens:
        if token == "-":
            words = sys.stdin.read().split()
            if not words:
                raise BadInput("no addresses on stdin", "pipe hex addresses, one per line")
            out.extend(parse_address(w) for w in words)
        else:
            out.append(parse_address(token))
    return out


def _symbolize(binary: GoBinary, args: argparse.Namespace) -> int:
    pcs = _read_pcs(args.pcs)
    base = parse_address(args.base) if args.base else None
    sym = binary.symbolizer(load_base=base, prefer=args.table)
    results = [(pc, sym.lookup(pc, return_address=args.return_addresses)) for pc in pcs]
    if args.json:
        doc = {
            "pcs": [
                {"pc": f"{pc:#x}", "frames": [f.as_dict() for f in frames]}
                for pc, frames in results
            ]
        }
        _print_json(doc)
    else:
        paint = _painter(args)
        for pc, frames in results:
            print("\n".join(_pc_lines(pc, frames, paint)))
    if results and not any(frames for _, frames in results):
        print(
            f"triage: no address matched a function in {binary.name}; " + _miss_hint(binary, base),
            file=sys.stderr,
        )
    return 0


def _print_json(doc: object) -> None:
    """Indented for a person at a terminal; compact (and C-encoded, so fast) in a pipe."""
    if sys.stdout.isatty():
        print(json.dumps(doc, indent=2))
    else:
        print(json.dumps(doc, separators=(",", ":")))


def _miss_hint(binary: GoBinary, base: int | None) -> str:
    if binary.pie and base is None:
        return "it is a PIE binary: give --base (its first /proc/PID/maps address)"
    return "is this the binary that produced the addresses?"


def _pc_lines(pc: int, frames: list[SymFrame], paint: Painter) -> list[str]:
    if not frames:
        return [f"{pc:#x}", "    ?"]
    lines = [paint(f"{pc:#x}", "bold")]
    for f in frames:
        where = f"{f.file}:{f.line}" if f.file else "(no line information)"
        tag = paint("  (inlined)", "dim") if f.inlined else ""
        lines.append(f"    {paint(f.func, 'cyan')}{tag}")
        lines.append(f"        {where}")
    return lines


def _painter(args: argparse.Namespace) -> Painter:
    from triage.textout import Painter, color_enabled

    return Painter(color_enabled(sys.stdout, args.color))


def _describe(binary: GoBinary, args: argparse.Namespace) -> int:
    info = binary.build_info()
    advisories = _advisories(binary)
    sections = binary.sections
    if args.json:
        doc: dict[str, object] = {
            "go_version": info.go_version,
            "path": info.path,
            "main": _main_dict(binary),
            "deps": [d.as_dict() for d in info.deps],
            "settings": {s.raw_key: s.raw_value for s in info.settings},
            "sections": {
                "dwarf": sections.dwarf,
                "symtab": sections.symtab,
                "pclntab": sections.pclntab,
            },
            "pie": binary.pie,
            "build_id": binary.build_id,
            "gnu_build_id": binary.gnu_build_id,
            "advisories": [a.as_dict() for a in advisories],
        }
        _print_json(doc)
        return 0
    paint = _painter(args)
    print(f"{binary.name}: {paint(info.go_version, 'bold')}")
    for line in info.lines():
        print(f"\t{line}")
    print(_sections_line(binary))
    for adv in advisories:
        print(_advisory_line(adv, paint))
    if not advisories:
        print(f"known runtime bugs: none listed for {info.go_version}")
    return 0


def _main_dict(binary: GoBinary) -> dict[str, str] | None:
    main = binary.build_info().main
    if main is None:
        return None
    return {"path": main.path, "version": main.version, "sum": main.sum}


def _sections_line(binary: GoBinary) -> str:
    s = binary.sections

    def yn(flag: bool) -> str:
        return "yes" if flag else "no"

    parts = [
        f"pclntab {yn(s.pclntab)}",
        f"symtab {yn(s.symtab)}",
        f"DWARF {yn(s.dwarf)}",
        f"PIE {yn(binary.pie)}",
        f"build id {binary.build_id or '-'}",
    ]
    return "tables: " + ", ".join(parts[:3]) + "; " + "; ".join(parts[3:])


def _advisories(binary: GoBinary) -> list[RuntimeAdvisory]:
    from triage.binary import advisories_for

    info = binary.build_info()
    cgo = info.setting("CGO_ENABLED")
    return advisories_for(
        info.go_version,
        cgo=None if cgo is None else cgo == "1",
        goos=info.setting("GOOS"),
    )


def _advisory_line(adv: RuntimeAdvisory, paint: Painter) -> str:
    label = paint("WARNING known runtime bug", "byellow")
    return f"{label}: {adv.summary} ({adv.url}); fixed in {adv.fixed_in}, rebuild with it"
