"""Use the service's own binary: its main module path, and names for bare addresses.

Go writes symbolized profiles, but profiles from other tools, or ones passed
through ``pprof -symbolize=none``-style pipelines, can hold locations with only
an address. Given the Go binary they came from, those locations get their
frames (inlined ones included) from triage.binary; the binary's build info also
names the main module exactly, which beats inferring it (see origin.py).

Addresses are looked up as they are, without the return-address ``-1``: Go's
profile writer already stores call-site PCs, and exact lookups reproduce the
runtime's own frames for every location of Go 1.27 CPU, heap, block and
goroutine profiles (with ``-1`` some inlined frames come out wrong).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from triage.pprof.model import Function, Line, Profile


def main_module_of(binary_path: str) -> str | None:
    """The main module path recorded in the binary's build info (None when absent)."""
    from triage.binary import open_binary

    with open_binary(binary_path) as binary:
        main = binary.build_info().main
    if main is None or not main.path or main.path == "command-line-arguments":
        return None
    return main.path


def symbolize(profile: Profile, binary_path: str) -> int:
    """Give frames to every location that has none; return how many were filled in."""
    bare = [loc for loc in profile.locations.values() if not loc.lines and loc.address]
    if not bare:
        return 0
    from triage.binary import open_binary

    functions: dict[tuple[str, str], Function] = {
        (f.name, f.filename): f for f in profile.functions.values()
    }
    next_id = max(profile.functions, default=0) + 1
    filled = 0
    with open_binary(binary_path) as binary:
        plain = binary.symbolizer()
        by_mapping: dict[int, Any] = {}
        for loc in bare:
            sym = plain
            mapping = loc.mapping
            if mapping is not None and mapping.memory_limit > mapping.memory_start:
                if mapping.id not in by_mapping:
                    by_mapping[mapping.id] = plain.with_mapping(
                        mapping.memory_start, mapping.memory_limit, mapping.file_offset
                    )
                sym = by_mapping[mapping.id]
            lines = []
            for frame in sym.lookup(loc.address):
                key = (frame.func, frame.file)
                function = functions.get(key)
                if function is None:
                    function = functions[key] = Function(
                        next_id, frame.func, frame.func, frame.file
                    )
                    profile.functions[next_id] = function
                    next_id += 1
                lines.append(Line(function, frame.line))
            if lines:
                profile.locations[loc.id] = replace(loc, lines=tuple(lines))
                filled += 1
    return filled
