"""The one typed config file: ``$XDG_CONFIG_HOME/triage/config.toml``.

``TRIAGE_CONFIG_DIR`` points it elsewhere (tests use a temporary directory).
Every field has a default; an invalid file, or an invalid value, gives a clear
warning line and the default, never a crash. Example (all keys optional)::

    theme = "dark"            # dark | light | high-contrast | mono, or a file in themes/
    keymap = "default"        # default | vim | emacs; keymap.toml overrides by binding id

    [refresh]
    goroutines = 10.0         # seconds between goroutine snapshots when attached (0: manual)
    health = 2.0              # seconds between health probes
    metrics = 5.0             # seconds between /metrics scrapes
    max_live_goroutines = 20000  # above this, snapshots refresh only on request

    [attach]
    health_paths = ["/healthz", "/readyz", "/livez"]
    timeout = 5.0             # seconds per request
    failure_threshold = 3     # consecutive failed probes before an endpoint is "failing"

    [actions]                 # triage rollback/drain/restart/scale/uncordon
    readonly = false          # true: refuse every cluster-changing action
    readonly_contexts = ["prod-eu"]    # refuse them in these kubeconfig contexts
    production_contexts = ["prod-us"]  # these always need the typed object name
    last_good_minutes = 10.0  # a revision's pods ran this long without restarts: "last good"

    [thresholds]              # diagnosis rules (see triage.goroutines.diagnose.Thresholds)
    leak_goroutines = 50
    contention_goroutines = 10
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from triage.goroutines.thresholds import Thresholds
from triage.locations import config_dir

CONFIG_FILE = "config.toml"


@dataclass(slots=True)
class Refresh:
    """How often live data is fetched, in seconds (0 turns a kind off)."""

    goroutines: float = 10.0
    health: float = 2.0
    metrics: float = 5.0
    #: above this many goroutines, snapshots are taken only on request
    max_live_goroutines: int = 20000
    #: no growth rate or trend until the data spans this many seconds (early rates are noise)
    min_rate_span: float = 30.0


@dataclass(slots=True)
class Attach:
    """How ``triage attach`` talks to a Go process."""

    health_paths: list[str] = field(default_factory=lambda: ["/healthz", "/readyz", "/livez"])
    timeout: float = 5.0
    failure_threshold: int = 3
    #: keep every goroutine snapshot and profile fetched in this directory ("": don't)
    save_dir: str = ""


@dataclass(slots=True)
class Actions:
    """Where cluster-changing actions are refused, and where they need the typed name."""

    readonly: bool = False
    readonly_contexts: list[str] = field(default_factory=list)
    production_contexts: list[str] = field(default_factory=list)
    #: minutes a revision's pods must run without restarts to be the "last good" one
    last_good_minutes: float = 10.0


@dataclass(slots=True)
class Config:
    """Everything the config file can set."""

    theme: str = "dark"
    keymap: str = "default"
    refresh: Refresh = field(default_factory=Refresh)
    attach: Attach = field(default_factory=Attach)
    thresholds: Thresholds = field(default_factory=Thresholds)
    actions: Actions = field(default_factory=Actions)


def config_path() -> Path:
    """Where the config file is read from."""
    return config_dir() / CONFIG_FILE


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """Read the config file; return the config and warnings (one line each)."""
    path = path or config_path()
    config = Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config, []
    except (OSError, UnicodeDecodeError) as exc:
        return config, [f"{path}: cannot read ({exc}); using defaults"]
    except tomllib.TOMLDecodeError as exc:
        return config, [f"{path}: not valid TOML ({exc}); using defaults"]
    warnings: list[str] = []
    _apply(config, raw, str(path), warnings)
    return config, warnings


def _apply(target: Any, raw: dict[str, Any], where: str, warnings: list[str]) -> None:
    """Copy known keys of ``raw`` onto ``target``, checking types; warn about the rest."""
    known = {f.name: f for f in fields(target)}
    for key, value in raw.items():
        if key not in known:
            warnings.append(f"{where}: unknown setting {key!r} ignored")
            continue
        current = getattr(target, key)
        if hasattr(current, "__dataclass_fields__"):
            if isinstance(value, dict):
                _apply(current, value, f"{where} [{key}]", warnings)
            else:
                warnings.append(f"{where}: [{key}] must be a table; using defaults")
            continue
        checked = _check(current, value)
        if checked is None:
            want = type(current).__name__
            warnings.append(f"{where}: {key} = {value!r} is not a valid {want}; using {current!r}")
            continue
        setattr(target, key, checked)


def _check(current: object, value: object) -> object | None:
    """``value`` converted to the type of ``current``, or None when it does not fit."""
    if isinstance(current, bool):
        return value if isinstance(value, bool) else None
    if isinstance(current, int):
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
        )
    if isinstance(current, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        return float(value) if ok else None  # type: ignore[arg-type]
    if isinstance(current, str):
        return value if isinstance(value, str) and value else None
    if isinstance(current, list):
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            return list(value)
        return None
    return None
