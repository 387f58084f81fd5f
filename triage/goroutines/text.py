"""Plain-text report of an analysis for the terminal (``triage analyze``).

Colour is optional and never the only signal: severities are spelled out and
every group line starts with its count.
"""

from __future__ import annotations

from triage.goroutines import Analysis, DumpAnalysis
from triage.goroutines.grouping import Group
from triage.goroutines.model import Frame
from triage.goroutines.origin import Origin
from triage.textout import Painter, highlight_go

_SEVERITY_STYLE = {"critical": ("bred",), "warning": ("byellow",), "info": ("cyan",)}


def render(
    analysis: Analysis,
    source: str,
    *,
    paint: Painter,
    top: int = 10,
    frames: int = 8,
) -> str:
    """The whole report: every dump, most recent crash last."""
    out: list[str] = []
    n = len(analysis.dumps)
    for i, item in enumerate(analysis.dumps, 1):
        title = f"{source}" + (f"  (dump {i} of {n}, line {item.dump.start_line})" if n > 1 else "")
        out.extend(render_dump(item, title, paint=paint, top=top, frames=frames))
        if i < n:
            out.append("")
    return "\n".join(out)


def render_dump(
    item: DumpAnalysis, title: str, *, paint: Painter, top: int, frames: int
) -> list[str]:
    """One dump: header, crash, findings, groups."""
    dump = item.dump
    count = dump.goroutine_count
    what = "debug=1 listing" if dump.format == "debug1" else "dump"
    lines = [
        paint(title, "bold")
        + f"  {what}: {count} goroutine{'s' if count != 1 else ''} in {len(item.groups)} "
        + ("group" if len(item.groups) == 1 else "groups")
    ]
    crash = dump.crash
    if crash is not None:
        lines.append("")
        label = {"panic": "PANIC", "fatal": "FATAL", "signal": "SIGNAL", "race": "DATA RACE"}
        lines.append(paint(label.get(crash.kind, "CRASH"), "bred") + "  " + crash.message)
        if crash.signal is not None and crash.kind != "signal":
            sig = crash.signal
            lines.append(f"       [signal {sig.name} addr={sig.addr} pc={sig.pc}]")
        if crash.goroutine is not None and crash.kind != "signal":
            lines.append(f"       in goroutine {crash.goroutine}")
        if crash.threads:
            ms = ", ".join(f"m={t.m}" if t.m is not None else "m=?" for t in crash.threads)
            lines.append(f"       {len(crash.threads)} threads dumped (GOTRACEBACK=crash): {ms}")
    if item.findings:
        lines += ["", paint("FINDINGS", "bold")]
        for f in item.findings:
            sev = paint(f"{f.severity.upper():8}", *_SEVERITY_STYLE[f.severity])
            lines.append(f"  {sev} {f.summary}  [{f.rule}]")
            lines.extend(f"           {d}" for d in f.details)
            if f.next_step:
                lines.append(paint(f"           next: {f.next_step}", "dim"))
    if item.groups:
        shown = item.groups if top <= 0 else item.groups[:top]
        more = len(item.groups) - len(shown)
        lines += [
            "",
            paint("GROUPS", "bold") + (f" (largest {len(shown)}; {more} more)" if more else ""),
        ]
        for group in shown:
            lines.extend(render_group(group, paint=paint, frames=frames))
    if dump.warnings:
        lines.append("")
        lines.extend(paint(f"warning: {w}", "yellow") for w in dump.warnings)
    return lines


def render_group(group: Group, *, paint: Painter, frames: int) -> list[str]:
    """A group: its count and state line, labels, frames and created-by."""
    wait = f", {group.wait_range} min" if group.wait_range else ""
    flags = ""
    if group.leaked:
        flags += f", {group.leaked} leaked"
    if group.locked:
        flags += f", {group.locked} locked to thread"
    head = f"  #{group.id:<3} {group.count:>7} x {group.state}{wait}{flags}"
    top = group.top_frame
    if top is not None:
        head += f"  {top.func}"
    lines = ["", paint(head, "bold")]
    if group.labels:
        labels = "  ".join(
            f"{k}={','.join(v[:3])}{'…' if len(v) > 3 else ''}" for k, v in group.labels.items()
        )
        lines.append(f"        labels: {labels}")
    stack = list(group.frames)
    skipped = _leading_internal(stack) if frames > 0 else 0
    if skipped:
        noun = "frame" if skipped == 1 else "frames"
        lines.append(paint(f"        ... {skipped} runtime/standard library {noun} ...", "dim"))
        stack = stack[skipped:]
    shown = stack if frames <= 0 else stack[:frames]
    for frame in shown:
        lines.extend(_frame_lines(frame, paint))
    hidden = len(stack) - len(shown)
    if hidden > 0:
        noun = "frame" if hidden == 1 else "frames"
        lines.append(paint(f"        ... {hidden:,} more {noun} (--frames 0 shows all)", "dim"))
    if group.stack.elided:
        n = group.stack.elided
        lines.append(
            paint(f"        ...{n if n > 0 else 'additional'} frames elided by Go...", "dim")
        )
    if group.created_by is not None:
        c = group.created_by
        lines.append(f"        created by {highlight_go(c.func, paint.enabled)}")
        lines.append(paint(f"            {c.file}:{c.line}", "dim"))
    return lines


def _leading_internal(frames: list[Frame]) -> int:
    """How many innermost frames are runtime/stdlib above the first user frame (0 if none)."""
    for i, frame in enumerate(frames):
        if frame.origin in (Origin.OWN, Origin.DEPENDENCY):
            return max(0, i - 1)  # keep the call into the runtime visible
    return 0


def _frame_lines(frame: Frame, paint: Painter) -> list[str]:
    name = highlight_go(frame.func, paint.enabled)
    suffix = " (inlined)" if frame.inlined else ""
    return [f"        {name}{suffix}", paint(f"            {frame.file}:{frame.line}", "dim")]
