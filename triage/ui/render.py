"""Pure functions from core objects to display rows (no widgets, no I/O).

Every row carries words or marks beside colour: severities are spelled
(CRIT/WARN/INFO), counts and states are text, and growth has a sign.
"""

from __future__ import annotations

from textual.content import Content

from triage.goroutines.diagnose import Finding
from triage.goroutines.grouping import Group

SEVERITY_TAG = {"critical": "CRIT", "warning": "WARN", "info": "INFO"}
SEVERITY_STYLE = {
    "critical": "bold $severity-critical",
    "warning": "bold $severity-warning",
    "info": "$severity-info",
}


def finding_row(finding: Finding) -> Content:
    """``CRIT summary [rule]``."""
    return Content.assemble(
        (SEVERITY_TAG[finding.severity], SEVERITY_STYLE[finding.severity]),
        " ",
        finding.summary,
        (f"  [{finding.rule}]", "dim"),
    )


def short_state(state: str, width: int = 16) -> str:
    """A state cut to ``width`` characters with an ellipsis."""
    return state if len(state) <= width else state[: width - 1] + "…"


_KUBE_RESOURCES = ("pod", "deployment", "statefulset", "daemonset")


def source_label(name: str) -> str:
    """A source as titles name it: a file without its directories; URLs and stdin as given.

    Titles are cut at the terminal's width, and a deep path would push out what
    follows it (the crash message) at 80 columns.
    """
    kube = name.count("/") == 1 and name.split("/", maxsplit=1)[0] in _KUBE_RESOURCES
    if "://" in name or kube:
        return name  # pod/NAME, deployment/NAME: the resource says what it is
    return name.rstrip("/").rsplit("/", 1)[-1] or name


def wait_text(group: Group) -> str:
    """``12m`` or ``3-40m``; empty when Go printed no minutes."""
    return f"{group.wait_range}m" if group.wait_range else ""


def growth_text(rate: float | None) -> str:
    """``+120/min``, ``-3/min`` or empty."""
    if rate is None or abs(rate) < 0.5:
        return ""
    return f"{rate:+.0f}/min"


def group_row(group: Group, *, growth: float | None = None, state_width: int = 16) -> Content:
    """``#3   10000  sync.Mutex.Lock  12m  main.(*Store).saveOrder  +120/min``."""
    top = group.top_frame
    func = top.func if top is not None else "(no frames)"
    parts: list[str | tuple[str, str]] = [
        (f"#{group.id:<3}", "dim"),
        (f"{group.count:>7} ", "bold"),
        (f"{short_state(group.state, state_width):<{state_width}} ", "$secondary"),
    ]
    wait = wait_text(group)
    if wait:
        parts.append((f"{wait:>6} ", "$warning"))
    if group.leaked:
        parts.append(("LEAKED ", "bold $severity-critical"))
    parts.append(func)
    grow = growth_text(growth)
    if grow:
        parts.append((f"  {grow}", "bold $severity-warning" if growth and growth > 0 else "dim"))
    return Content.assemble(*parts)


def finding_detail(finding: Finding) -> Content:
    """A finding in full: summary, details and the next step."""
    lines: list[Content] = [finding_row(finding)]
    lines += [Content(f"  {d}") for d in finding.details]
    if finding.next_step:
        lines.append(Content.assemble(("next: ", "bold"), finding.next_step))
    return Content("\n").join(lines)


def group_detail(group: Group) -> Content:
    """A group's place: top frame with file:line, and where its goroutines start."""
    top = group.top_frame
    lines = [
        Content.assemble((f"{group.count} x {group.state}", "bold"), f"  {top.func if top else ''}")
    ]
    if top is not None:
        lines.append(Content(f"  {top.file}:{top.line}"))
    if group.created_by is not None:
        c = group.created_by
        lines.append(
            Content.assemble(("created by ", "dim"), c.func, (f"  {c.file}:{c.line}", "dim"))
        )
    lines.append(Content.assemble(("enter", "bold"), " opens the full stack"))
    return Content("\n").join(lines)


def header_row(title: str, detail: str = "") -> Content:
    """A section title (FINDINGS, GROUPS) with a dim detail."""
    return Content.assemble((title, "bold"), (f"  {detail}" if detail else "", "dim"))
