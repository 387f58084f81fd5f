"""Theme presets (``themes/*.toml``) and the user's own, as Textual themes.

A theme file holds Textual's theme fields and a ``[variables]`` table; triage's
own variables (origin and severity colours) fall back to the defaults below in
any theme, Textual's built-in ones included. User themes in
``$XDG_CONFIG_HOME/triage/themes/*.toml`` are loaded too; a broken file is
skipped with a one-line warning. A shipped theme missing from the installation
falls back to a Textual built-in theme of the same kind, with a warning: the app
always starts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from importlib.resources.abc import Traversable

from textual.color import Color, ColorParseError
from textual.theme import Theme

from triage.locations import config_dir, shipped

#: the shipped presets (package data); read at call time, so a test can point it elsewhere
SHIPPED: Traversable = shipped("themes")
#: names users give in config/flags -> registered theme names
ALIASES = {
    "dark": "triage-dark",
    "light": "triage-light",
    "high-contrast": "triage-high-contrast",
    "mono": "triage-mono",
}
DEFAULT = "triage-dark"
NO_COLOR_THEME = "triage-mono"
#: Textual's own theme standing in for a shipped one whose file is missing
BUILTIN_FALLBACK = {
    "triage-dark": "textual-dark",
    "triage-light": "textual-light",
    "triage-high-contrast": "textual-dark",
    "triage-mono": "ansi-dark",
}

#: triage's own CSS variables, for themes that do not set them
VARIABLE_DEFAULTS = {
    "origin-own": "#e8a45c",
    "origin-dependency": "#6fb3d2",
    "origin-stdlib": "#8f9bb3",
    "origin-runtime": "#5c6370",
    "origin-unknown": "#a0a0a0",
    "severity-critical": "#ff6b6b",
    "severity-warning": "#ffb454",
    "severity-info": "#6fb3d2",
    "diff-grow": "#ff6b6b",
    "diff-shrink": "#7bd88f",
}
_FIELDS = {f.name for f in fields(Theme)} - {"variables"}


@dataclass(slots=True)
class ThemeSet:
    """Every theme found, and the warnings of the files that were skipped."""

    themes: list[Theme] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_theme(path: Traversable) -> Theme:
    """Read one theme file; raise ValueError with a one-line reason."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: unreadable theme ({exc})") from None
    variables = raw.pop("variables", {})
    unknown = set(raw) - _FIELDS
    if unknown or "name" not in raw or "primary" not in raw or not isinstance(variables, dict):
        what = f"unknown keys {sorted(unknown)}" if unknown else "needs name and primary"
        raise ValueError(f"{path}: {what}")
    for key, value in [*raw.items(), *variables.items()]:
        if key in ("name", "dark", "ansi", "luminosity_spread", "text_alpha"):
            continue
        if key.endswith("-style"):  # a text style ("bold reverse"), as in block-cursor-text-style
            continue
        try:
            Color.parse(str(value))
        except ColorParseError:
            raise ValueError(f"{path}: {key} = {value!r} is not a colour") from None
    return Theme(**raw, variables={str(k): str(v) for k, v in variables.items()})


def discover() -> ThemeSet:
    """Shipped themes, then the user's (a user theme may replace a shipped one)."""
    found = ThemeSet()
    user_dir = config_dir() / "themes"
    for directory in (SHIPPED, user_dir):
        if not directory.is_dir():
            continue
        tomls = (p for p in directory.iterdir() if p.name.endswith(".toml") and p.is_file())
        for path in sorted(tomls, key=lambda p: p.name):
            try:
                found.themes.append(load_theme(path))
            except ValueError as exc:
                found.warnings.append(f"{exc}; theme skipped")
    return found


def resolve(name: str | None, available: set[str], *, mono: bool) -> tuple[str, str | None]:
    """The theme to use for ``name`` (alias or full name), and a warning if it is unknown.

    ``mono`` (NO_COLOR was set) makes the monochrome theme win, whatever was asked for.
    A shipped theme that is not available (its file is missing) gives way to Textual's
    built-in stand-in, so the app never asks Textual for a theme it does not have.
    """
    warning = None
    wanted = NO_COLOR_THEME if mono else ALIASES.get(name, name) if name else DEFAULT
    if wanted not in available and wanted not in BUILTIN_FALLBACK:
        known = ", ".join(sorted(ALIASES))
        warning = f"unknown theme {name!r}; using dark (themes: {known})"
        wanted = DEFAULT
    if wanted in available:
        return wanted, warning
    stand_in = BUILTIN_FALLBACK[wanted]
    file = SHIPPED / f"{wanted.removeprefix('triage-')}.toml"
    return stand_in, f"theme {wanted} is not installed ({file} missing); using {stand_in}"
