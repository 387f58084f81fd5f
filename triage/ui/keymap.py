"""Keymap presets and the user's keymap file, merged by binding id.

Presets live in ``keymaps/<name>.toml`` (shipped) and the user's overrides in
``$XDG_CONFIG_HOME/triage/keymap.toml``; both are tables of ``id = "keys"``
under ``[keys]``. A file with unknown ids, bad key names or two bindings of one
scope on the same key is not used: the app says why in one line and keeps the
preset (or the defaults), so a typo never leaves the user without keys.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from triage.locations import config_dir, shipped
from triage.ui.keys import KEYS

#: the shipped presets (package data); read at call time, so a test can point it elsewhere
SHIPPED: Traversable = shipped("keymaps")
USER_FILE = "keymap.toml"
PRESETS = ("default", "vim", "emacs")
_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|super|meta)\+)*[A-Za-z0-9_]+$")


@dataclass(slots=True)
class Keymap:
    """The effective keys per binding id, and the warnings met building it."""

    keys: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    name: str = "default"

    def keys_for(self, binding_id: str) -> str:
        """The keys bound to ``binding_id`` now."""
        return self.keys.get(binding_id, KEYS[binding_id].keys)


def _read(path: Traversable) -> tuple[dict[str, str] | None, str | None]:
    """The ``[keys]`` table of a keymap file, or (None, why not)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return None, f"{path}: unreadable keymap ({exc})"
    table = raw.get("keys", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        return None, f"{path}: [keys] must map binding ids to strings"
    return dict(table), None


#: scopes whose bindings are active at the same time (a key may serve one id per context)
CONTEXTS: tuple[frozenset[str], ...] = (
    frozenset({"app", "pane", "data", "list", "goroutines"}),  # workspace, goroutine pane
    frozenset({"app", "pane", "data", "flame"}),  # workspace, flame graph pane
    frozenset({"app", "pane", "data", "health"}),  # workspace, health pane
    frozenset({"app", "screen", "group", "list"}),  # group detail
    frozenset({"app", "screen", "list"}),  # help, start
    frozenset({"app", "cluster", "list"}),  # cluster screen
    frozenset({"app", "screen", "pod"}),  # pod view
)


def _scope(binding_id: str) -> str:
    return binding_id.split(".", 1)[0]


def problems(keys: dict[str, str]) -> list[str]:
    """Unknown ids, malformed keys and collisions that ``keys`` (overrides) cause."""
    found = [f"unknown binding id {k!r}" for k in keys if k not in KEYS]
    effective = {bid: keys.get(bid, spec.keys) for bid, spec in KEYS.items()}
    for bid in (k for k in keys if k in KEYS):
        for key in effective[bid].split(","):
            if not _KEY.match(key.strip()):
                found.append(f"{bid}: {key.strip()!r} is not a key name")
    for context in CONTEXTS:
        seen: dict[str, str] = {}
        for bid, value in effective.items():
            if _scope(bid) not in context:
                continue
            for key in (k.strip() for k in value.split(",")):
                other = seen.setdefault(key, bid)
                if other != bid and (not keys or bid in keys or other in keys):
                    found.append(f"{key!r} is bound to both {other} and {bid}")
    return sorted(set(found))


def load_keymap(name: str = "default", user_file: Path | None = None) -> Keymap:
    """The preset ``name`` with the user's overrides applied, validated."""
    keymap = Keymap(name=name)
    path = SHIPPED / f"{name}.toml"
    if name not in PRESETS and not path.is_file():
        keymap.warnings.append(f"unknown keymap {name!r}; using default")
        keymap.name = name = "default"
    if name != "default":  # the default keymap is KEYS itself: it needs no file
        preset, why = _read(path)
        issues = problems(preset or {})
        if preset is None and why is None:
            why = f"keymap {name!r} is not installed ({path} missing); using default"
        if why or preset is None or issues:
            keymap.warnings.append(why or f"keymap {name!r}: {'; '.join(issues)}")
            keymap.name = "default"
        else:
            keymap.keys.update(preset)
    user_file = user_file or config_dir() / USER_FILE
    user, why = _read(user_file)
    if why:
        keymap.warnings.append(f"{why}; using the {keymap.name} keymap")
    elif user:
        merged = {**keymap.keys, **user}
        issues = problems(merged)
        if issues:
            keymap.warnings.append(
                f"{user_file}: {issues[0]}"
                + (f" (and {len(issues) - 1} more)" if len(issues) > 1 else "")
                + f"; using the {keymap.name} keymap"
            )
        else:
            keymap.keys = merged
    return keymap
