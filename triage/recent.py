"""Recently opened targets, for the start screen (``$XDG_DATA_HOME/triage/recent.json``).

Each record is a typed target and when it was opened. The file holds one JSON
object per record: ``{"kind": ..., "location": ..., "when": ...}`` plus, for a
cluster target, ``namespace``/``context``/``kubeconfig``. Files written before
targets were typed hold kinds ``open`` (a path) and ``attach`` (a URL); they are
still read.

Best effort: an unreadable or corrupt file is treated as empty, a corrupt
record is skipped, and a failed write is ignored; losing this list must never
stop the app.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.locations import data_dir, ensure
from triage.targets import (
    KUBE_ALIASES,
    BundleTarget,
    FileTarget,
    KubeTarget,
    StdinTarget,
    Target,
    UrlTarget,
)

RECENT_FILE = "recent.json"
MAX_RECENT = 20


@dataclass(frozen=True, slots=True)
class Recent:
    """One target the user opened, and when."""

    target: Target
    when: float

    @property
    def kind(self) -> str:
        """What the recent list's first column says: file, url, bundle, pod..."""
        return self.target.kind

    @property
    def location(self) -> str:
        """Where it is, as the list shows it."""
        return self.target.label


def _path() -> Path:
    return data_dir() / RECENT_FILE


def load_recent() -> list[Recent]:
    """Most recent first."""
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(raw, list):
        return []
    items = [r for r in map(_record, raw) if r is not None]
    return sorted(items, key=lambda r: -r.when)[:MAX_RECENT]


def _record(raw: Any) -> Recent | None:
    """One stored record, or None when it is not one we can read."""
    try:
        kind, location, when = str(raw["kind"]), str(raw["location"]), float(raw["when"])
        target = _target(kind, location, raw)
    except (ValueError, TypeError, KeyError):
        return None
    return None if target is None else Recent(target, when)


_KUBE_FIELDS = ("namespace", "context", "kubeconfig")


def _target(kind: str, location: str, raw: dict[str, Any]) -> Target | None:
    if kind in ("file", "open"):  # "open": written before targets were typed
        return None if location == "-" else FileTarget(location)  # old lists kept stdin
    if kind == "attach":  # idem: a live base URL
        return UrlTarget(location, base=True)
    if kind == "url":
        return UrlTarget(location, base=bool(raw.get("base", True)))
    if kind == "bundle":
        return BundleTarget(location)
    if kind in KUBE_ALIASES.values():
        name = str(raw["name"])
        ns, ctx, config = (str(raw[k]) if raw.get(k) else None for k in _KUBE_FIELDS)
        return KubeTarget(kind, name, ns, ctx, config)
    return None


def _stored(recent: Recent) -> dict[str, object]:
    target = recent.target
    out: dict[str, object] = {"kind": target.kind, "location": target.label, "when": recent.when}
    if isinstance(target, UrlTarget):
        out["base"] = target.base
    if isinstance(target, KubeTarget):
        out["location"] = target.ref
        out["name"] = target.name
        for key in ("namespace", "context", "kubeconfig"):
            if getattr(target, key):
                out[key] = getattr(target, key)
    return out


def remember(target: Target, now: float | None = None) -> None:
    """Put ``target`` at the top of the list (stdin is not kept: it cannot be read again)."""
    if isinstance(target, StdinTarget):
        return
    if isinstance(target, FileTarget | BundleTarget):
        target = type(target)(str(Path(target.path).resolve()))
    items = [r for r in load_recent() if r.target != target]
    items.insert(0, Recent(target, now if now is not None else time.time()))
    try:
        ensure(data_dir())
        _path().write_text(json.dumps([_stored(r) for r in items[:MAX_RECENT]], indent=1))
    except OSError:
        pass
