"""Go binaries: build info and symbolization from the ELF file itself (no Go toolchain).

Use it like this::

    from triage.binary import open_binary

    with open_binary("/tmp/api-server") as binary:      # BadInput (exit 2) if not a Go ELF
        info = binary.build_info()                      # what `go version -m` prints
        info.go_version, info.main, info.deps, info.setting("vcs.revision")
        sym = binary.symbolizer()                       # index built once, lazily
        frames = sym.lookup(0x47F7A1)                   # [SymFrame(func, file, line, inlined)]
        callers = sym.lookup(ret_pc, return_address=True)   # PC-1 for saved return PCs

Frames come innermost first: inlined callees, then the physical function, as a
Go traceback prints them. ``SymFrame.func`` is the stored name (as ``go tool
addr2line`` prints it); ``SymFrame.print_name`` is the traceback form
(``main.Map[...]``). An address in no function gives ``[]``.

For a PIE binary, runtime PCs include a random load base:
``binary.symbolizer(load_base=0x55d0c0a00000)`` (the start of the executable's
first ``/proc/PID/maps`` line), or ``sym.with_mapping(start, limit, offset)``
with a pprof ``Mapping``'s memory_start, memory_limit and file_offset.

To fill in missing frames: for a goroutine dump frame lacking file:line, look
up its ``pc=`` with ``return_address=True``, except the frame a signal
interrupted (the one after ``runtime.sigpanic``), looked up as is; a PC at a
function's entry is never stepped back, as the runtime does. A Location in a
Go-written pprof profile already holds a call PC (``runtime/pprof`` stores
``Frame.PC``): look it up as is. A symbolizer caches decoded tables as it goes;
sharing one between threads is safe. Build the first one in a worker, not on
the UI thread (a 50 MB binary: about 1 ms to index, ~50 us per new function).

Source for a frame: ``resolve_source(frame.file, roots)`` finds the file under
``--source-root`` directories (a checkout, GOROOT, GOPATH or module cache),
``-trimpath`` names included; ``source_lines(path, frame.line)`` gives the
lines around it for the UI to highlight.

Known-bad runtimes: ``advisories_for(info.go_version, cgo=..., goos=...)``
returns :class:`RuntimeAdvisory` records to show as findings.
"""

from __future__ import annotations

from triage.binary.advisories import RuntimeAdvisory, advisories_for, parse_go_version
from triage.binary.buildinfo import BuildInfo, BuildSetting, Module
from triage.binary.frames import SymFrame, print_name, traceback_name
from triage.binary.gobinary import GoBinary, Sections, open_binary
from triage.binary.srcpath import resolve_source, source_lines
from triage.binary.symbolizer import Symbolizer

__all__ = [
    "BuildInfo",
    "BuildSetting",
    "GoBinary",
    "Module",
    "RuntimeAdvisory",
    "Sections",
    "SymFrame",
    "Symbolizer",
    "advisories_for",
    "open_binary",
    "parse_go_version",
    "print_name",
    "resolve_source",
    "source_lines",
    "traceback_name",
]
