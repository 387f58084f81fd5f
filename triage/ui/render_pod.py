"""The pod view's text: facts, events and the log bar (pure, table-tested)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.cluster.model import PodCrash, parse_time
from triage.ui.render_cluster import age, termination_text

JSON = dict[str, Any]
TAILS = (500, 2000, 10000, None)  # None: the whole log


@dataclass(frozen=True, slots=True)
class LogChoice:
    """Which log the view shows and how."""

    container: str
    previous: bool = True
    tail: int | None = 500
    follow: bool = False
    timestamps: bool = False
    wrap: bool = False

    @property
    def which(self) -> str:
        """``previous`` or ``current``."""
        return "previous" if self.previous else "current"


def log_bar(choice: LogChoice, containers: list[str]) -> str:
    """``log: previous · container checkout (1/2) · tail 500 · follow off ...``."""
    index = containers.index(choice.container) + 1 if choice.container in containers else 0
    tail = "all" if choice.tail is None else str(choice.tail)
    on = {True: "on", False: "off"}
    return (
        f"log: {choice.which} · container {choice.container} ({index}/{len(containers)}) · "
        f"tail {tail} · follow {on[choice.follow]} · timestamps {on[choice.timestamps]} · "
        f"wrap {on[choice.wrap]}"
    )


def facts(pod: PodCrash, revision: int | None, now: datetime) -> list[str]:
    """The pod's crash signals, one container a line."""
    created = now - pod.created if pod.created is not None else None
    rev = f" · revision {revision}" if revision is not None else ""
    lines = [
        f"pod {pod.name} · namespace {pod.namespace} · node {pod.node or '-'} · "
        f"{pod.phase or '?'} · ready {pod.ready_text} · age {age(created)}{rev}"
    ]
    for c in pod.containers:
        state = c.waiting_reason or ("ready" if c.ready else "not ready")
        kind = "init " if c.init else ""
        line = f"  {kind}container {c.name}: {state} · restarts {c.restarts}"
        term = termination_text(c.worst_termination, now)
        if term:
            line += f" · last: {term}"
        lines.append(line)
    return lines


def event_lines(events: list[JSON], now: datetime, limit: int = 50) -> list[str]:
    """Events newest first: ``2m  Warning  BackOff  Back-off restarting failed container``."""

    def when(e: JSON) -> datetime | None:
        for name in ("lastTimestamp", "eventTime", "firstTimestamp"):
            stamp = parse_time(e.get(name))
            if stamp is not None:
                return stamp
        return parse_time((e.get("metadata") or {}).get("creationTimestamp"))

    dated = [(when(e), e) for e in events]
    dated.sort(key=lambda pair: pair[0].timestamp() if pair[0] is not None else 0.0, reverse=True)
    out = []
    for stamp, e in dated[:limit]:
        ago = age(now - stamp) if stamp is not None else "?"
        count = e.get("count") or 1
        times = f" (x{count})" if isinstance(count, int) and count > 1 else ""
        message = " ".join(str(e.get("message") or "").split())
        out.append(
            f"{ago:>4}  {e.get('type') or '?':<7}  {e.get('reason') or '?'}{times}  {message}"
        )
    return out


def crash_line(crash: JSON | None, source: str) -> str:
    """What the goroutine engine found in a text (``source``: where the text came from)."""
    if crash is None:
        return f"no Go crash found in the {source}"
    frame = crash.get("frame") or {}
    where = f" at {frame.get('func')}" if frame.get("func") else ""
    return f"Go {crash.get('kind') or 'crash'} in the {source}: {crash.get('message') or ''}{where}"
