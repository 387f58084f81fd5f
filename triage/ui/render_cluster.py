"""Cluster screen rows: workloads, signatures and pods to styled text (pure, table-tested).

Each function maps one model object to spans of ``(text, style)``; the widget
turns spans into strips. Colour is never the only signal: every state also has
a symbol and a word (``✖ CrashLoopBackOff``, ``✓ ready``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from triage.cluster.model import PodCrash, Termination
from triage.ui.cluster_model import PodView, WorkloadView, matches

Span = tuple[str, str]

#: rank -> (symbol, style): 0 crash-looping/dead, 1 cannot start, 2 restarted, 3 failed, 4 fine
MARKS: dict[int, tuple[str, str]] = {
    0: ("✖", "bold red"),
    1: ("✖", "red"),
    2: ("▲", "yellow"),
    3: ("✖", "red"),
    4: ("✓", "green"),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the list: what it shows and what it points at."""

    kind: str  # "workload", "signature" or "pod"
    spans: tuple[Span, ...]
    workload: WorkloadView
    pod: PodView | None = None

    @property
    def text(self) -> str:
        """The plain text (tests, search)."""
        return "".join(t for t, _ in self.spans)


def age(delta: timedelta | None) -> str:
    """kubectl's short ages: ``45s``, ``12m``, ``3h``, ``5d`` (``?`` when unknown)."""
    if delta is None:
        return "?"
    secs = max(0, int(delta.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return f"{secs // size}{unit}"
    return f"{secs}s"


def termination_text(term: Termination | None, now: datetime) -> str:
    """``Error exit 2 (Go panic or fatal error) 3m ago`` or ``OOMKilled exit 137 SIGKILL``."""
    if term is None:
        return ""
    parts = [term.reason or "Terminated"]
    if term.exit_code is not None:
        parts.append(f"exit {term.exit_code}")
    if term.meaning:
        parts.append(f"({term.meaning})")
    if term.signal and term.signal not in term.meaning:
        parts.append(term.signal)
    if term.finished_at is not None:
        parts.append(age(now - term.finished_at) + " ago")
    return " ".join(parts)


def workload_spans(w: WorkloadView, expanded: bool) -> tuple[Span, ...]:
    """``▾ ✖ deployment/checkout  3/5 crashing  restarts 21``."""
    symbol, style = MARKS[w.rank]
    fold = "▾" if expanded else "▸"
    if w.crashing:
        state = f"{w.crashing}/{len(w.pods)} crashing"
    else:
        want = w.desired if w.desired is not None else len(w.pods)
        state = f"{w.ready}/{want} ready"
        if not w.pods and want:
            state += " · no pods (see the workload's events)"
    out: list[Span] = [(f"{fold} ", "dim"), (f"{symbol} ", style), (w.ref.label, "bold")]
    if w.ref.namespace:
        out.append((f"  ns {w.ref.namespace}", "dim"))
    out.append((f"  {state}", style))
    if w.restarts:
        out.append((f"  restarts {w.restarts}", ""))
    return tuple(out)


def signature_spans(w: WorkloadView) -> tuple[Span, ...]:
    """``    ≡ 3/5 pods: nil pointer dereference at main.f (h.go:42), since revision 2``."""
    if w.signature is None:
        return ()
    return (("    ≡ ", "dim"), (w.signature.summary, "bold"))


def pod_spans(p: PodView, now: datetime) -> tuple[Span, ...]:
    """One pod: name, ready, restarts (total, last hour), reason, last termination, age,
    node, revision."""
    c: PodCrash = p.crash
    symbol, style = MARKS[c.rank]
    reason = c.reason or ("Running" if c.ready else c.phase or "Pending")
    created = now - c.created if c.created is not None else None
    rev = f"rev {p.revision}" if p.revision is not None else ""
    out: list[Span] = [
        ("    ", ""),
        (f"{symbol} ", style),
        (f"{c.name}  ", ""),
        (f"{c.ready_text}  ", "green" if c.ready else "yellow"),
        (f"↻{c.restarts} ({c.recent}/h)  ", "yellow" if c.restarts else "dim"),
        (f"{reason}  ", style if c.rank < 4 else "dim"),
    ]
    term = termination_text(c.last_termination, now)
    if term:
        out.append((f"{term}  ", ""))
    out.append((f"age {age(created)}  {c.node or '-'}  {rev}".rstrip(), "dim"))
    return tuple(out)


def build_rows(
    workloads: list[WorkloadView],
    now: datetime,
    *,
    query: str = "",
    expanded: frozenset[tuple[str, str, str]] | None = None,
    collapsed: frozenset[tuple[str, str, str]] = frozenset(),
) -> list[Row]:
    """The whole list. A crashing workload is open unless collapsed; a healthy one is
    closed unless in ``expanded``; a filter opens what it matched."""
    rows: list[Row] = []
    opened = expanded or frozenset()
    for w in workloads:
        whole, pods = matches(query, w)
        if not whole and not pods:
            continue
        key = (w.ref.namespace, w.ref.kind, w.ref.name)
        is_open = key not in collapsed and (bool(w.crashing) or key in opened or bool(query))
        rows.append(Row("workload", workload_spans(w, is_open), w))
        if w.signature is not None:
            rows.append(Row("signature", signature_spans(w), w))
        if is_open:
            rows.extend(Row("pod", pod_spans(p, now), w, p) for p in pods)
    return rows


def summary_text(workloads: list[WorkloadView]) -> str:
    """``12 workloads, 3 crashing · 140 pods, 9 crashing``."""
    pods = sum(len(w.pods) for w in workloads)
    bad_pods = sum(w.crashing for w in workloads)
    bad = sum(1 for w in workloads if w.crashing)
    return f"{len(workloads)} workloads, {bad} crashing · {pods} pods, {bad_pods} crashing"
