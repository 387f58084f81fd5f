"""What a Go binary adds to a dump: its build, known-bad runtimes, symbols for bare PCs.

``triage analyze --binary PATH`` (and the workspace's ``--binary``) opens the
service's executable and, per dump, adds a finding for each known runtime bug
of the binary's Go version, and names the function at the crash's signal PC
(``[signal SIGSEGV ... pc=0x47f7a1]``) and at a SIGQUIT dump's ``PC=``/``rip``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage.goroutines import Analysis
from triage.goroutines.diagnose import Finding
from triage.goroutines.model import Crash


@dataclass(slots=True)
class BinaryContext:
    """An opened binary: its build info, advisories and a symbolizer."""

    path: str
    info: Any  # triage.binary.BuildInfo
    advisories: list[Any]  # triage.binary.RuntimeAdvisory
    symbolizer: Any  # triage.binary.Symbolizer
    pie: bool


def open_context(path: str, load_base: int | None = None) -> BinaryContext:
    """Open ``path`` (BadInput with one line when it is not a Go binary)."""
    from triage.binary import advisories_for, open_binary

    binary = open_binary(path)
    info = binary.build_info()
    cgo = info.setting("CGO_ENABLED")
    goos = info.setting("GOOS")
    advisories = advisories_for(info.go_version, cgo=cgo == "1" if cgo else None, goos=goos)
    return BinaryContext(
        path, info, list(advisories), binary.symbolizer(load_base=load_base), binary.pie
    )


def advisory_findings(ctx: BinaryContext) -> list[Finding]:
    """One warning per known-bad runtime release the binary was built with."""
    return [
        Finding(
            rule="known-bad-runtime",
            severity="warning",
            summary=f"{ctx.info.go_version} has a known runtime bug: {a.summary} "
            f"(go.dev/issue/{a.go_issue}, fixed in {a.fixed_in})",
            next_step=f"rebuild with {a.fixed_in} or later; see {a.url}",
        )
        for a in ctx.advisories
    ]


def crash_pcs(crash: Crash) -> list[tuple[str, int]]:
    """(what, pc) pairs worth naming: the signal's pc, a dump's PC= and rip."""
    out: list[tuple[str, int]] = []
    if crash.signal is not None and crash.signal.pc:
        out.append(("signal pc", int(crash.signal.pc, 16)))
    rip = crash.registers.get("rip") or crash.registers.get("pc")
    if rip and all(pc != int(rip, 16) for _, pc in out):
        out.append(("rip", int(rip, 16)))
    return out


def symbolize_crash(crash: Crash, ctx: BinaryContext) -> list[str]:
    """Lines like ``signal pc 0x47f7a1 is main.(*Server).Name (main.go:34)``."""
    lines = []
    for what, pc in crash_pcs(crash):
        frames = ctx.symbolizer.lookup(pc)  # interrupted PCs are looked up as they are
        if not frames:
            lines.append(f"{what} {pc:#x} is in no Go function of {ctx.path}")
            continue
        inner = frames[0]
        where = f" ({inner.file}:{inner.line})" if inner.file else ""
        lines.append(f"{what} {pc:#x} is {inner.print_name}{where}")
    return lines


def enrich(analysis: Analysis, ctx: BinaryContext) -> None:
    """Add the binary's findings and symbol lines to every dump, in place."""
    extra = advisory_findings(ctx)
    for item in analysis.dumps:
        item.findings.extend(extra)
        crash = item.dump.crash
        if crash is None:
            continue
        lines = symbolize_crash(crash, ctx)
        if ctx.pie and lines:
            lines.append(
                "the binary is PIE: addresses only match with --binary-base (the load base)"
            )
        first = next((f for f in item.findings if f.severity == "critical"), None)
        if first is not None:
            first.details.extend(lines)


def build_json(ctx: BinaryContext) -> dict[str, Any]:
    """The binary's identity for the analyze JSON document (added key ``binary``)."""
    info = ctx.info
    return {
        "path": ctx.path,
        "go_version": info.go_version,
        "main": info.main.path if info.main else info.path,
        "vcs_revision": info.setting("vcs.revision"),
        "vcs_time": info.setting("vcs.time"),
        "advisories": [a.as_dict() for a in ctx.advisories],
    }


def describe(ctx: BinaryContext) -> str:
    """One line: ``binary: go1.27.3 example.com/shop @ 1a2b3c4 (2026-11-20)``."""
    info = ctx.info
    rev = info.setting("vcs.revision")
    when = info.setting("vcs.time")
    main = info.main.path if info.main else info.path
    text = f"binary: {info.go_version} {main}"
    if rev:
        text += f" @ {rev[:12]}"
    if when:
        text += f" ({when})"
    return text
