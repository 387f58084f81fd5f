"""Recently opened sources, for the start screen (``$XDG_DATA_HOME/triage/recent.json``).

Best effort: an unreadable or corrupt file is treated as empty, and a failed
write is ignored; losing this list must never stop the app.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from triage.locations import data_dir, ensure

RECENT_FILE = "recent.json"
MAX_RECENT = 20


@dataclass(frozen=True, slots=True)
class Recent:
    """One source the user opened: a file path or an attach URL."""

    kind: str  # "open" | "attach"
    location: str
    when: float


def _path() -> Path:
    return data_dir() / RECENT_FILE


def load_recent() -> list[Recent]:
    """Most recent first."""
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
        items = [Recent(str(r["kind"]), str(r["location"]), float(r["when"])) for r in raw]
    except (OSError, ValueError, TypeError, KeyError):
        return []
    return sorted(items, key=lambda r: -r.when)[:MAX_RECENT]


def remember(kind: str, location: str, now: float | None = None) -> None:
    """Put ``location`` at the top of the list."""
    if kind == "open" and location != "-":
        location = str(Path(location).resolve())
    items = [r for r in load_recent() if (r.kind, r.location) != (kind, location)]
    items.insert(0, Recent(kind, location, now if now is not None else time.time()))
    try:
        ensure(data_dir())
        _path().write_text(json.dumps([asdict(r) for r in items[:MAX_RECENT]], indent=1))
    except OSError:
        pass
