"""What a Go binary adds to a dump: its build, known-bad runtimes, symbols for bare PCs.

``triage analyze --binary PATH`` (and the workspace's ``--binary``) opens the
service's executable and, per dump, adds a finding for each known runtime bug
of the binary's Go version, and names the function at the crash's signal PC
(``[signal SIGSEGV ... pc=0x47f7a1]``) and at a SIGQUIT dump's ``PC=``/``rip``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from triage.goroutines import Analysis, DumpAnalysis
from triage.goroutines.diagnose import Finding
from triage.goroutines.model import Crash

if TYPE_CHECKING:  # the ELF reader loads only when a binary is opened
    from triage.binary import BuildInfo, RuntimeAdvisory, Symbolizer


@dataclass(slots=True)
class BinaryContext:
    """An opened binary: its build info, advisories and a symbolizer."""

    path: str
    info: BuildInfo
    advisories: list[RuntimeAdvisory]
    symbolizer: Symbolizer
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


def enrich(analysis: Analysis, ctx: BinaryContext) -> Analysis:
    """The analysis with the binary's findings and symbol lines added to every dump.

    A new value: the parsed analysis is left as it was, so a view can show
    both and nothing has to remember what was already enriched.
    """
    extra = advisory_findings(ctx)
    return Analysis([_enrich_dump(item, ctx, extra) for item in analysis.dumps])


def _enrich_dump(item: DumpAnalysis, ctx: BinaryContext, extra: list[Finding]) -> DumpAnalysis:
    findings = [*item.findings, *extra]
    crash = item.dump.crash
    lines = symbolize_crash(crash, ctx) if crash is not None else []
    if ctx.pie and lines:
        lines.append("the binary is PIE: addresses only match with --binary-base (the load base)")
    at = next((i for i, f in enumerate(findings) if f.severity == "critical"), None)
    if at is not None and lines:
        first = findings[at]
        findings[at] = replace(first, details=[*first.details, *lines])
    return replace(item, findings=findings)


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
