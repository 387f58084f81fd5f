"""Every key binding of the app, in one table.

Each binding has an id (``scope.name``); widgets build their ``BINDINGS`` from
this table with :func:`bindings`, keymap files (``keymaps/*.toml``, and the
user's ``keymap.toml``) rebind by id, and the help screen is generated from it.
``keymaps/default.toml`` lists exactly these defaults (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A binding's default keys, the action it runs and how help describes it."""

    keys: str
    action: str
    description: str
    show: bool = True
    #: destructive or state-changing keys are never bound in read-only mode
    destructive: bool = False


KEYS: dict[str, KeySpec] = {
    # app-wide
    "app.quit": KeySpec("q", "quit", "Quit"),
    "app.help": KeySpec("question_mark,f1", "help", "Help"),
    "app.palette": KeySpec("ctrl+p,colon", "command_palette", "Commands", show=False),
    "app.open": KeySpec("o", "open_source", "Open"),
    "app.theme": KeySpec("ctrl+t", "next_theme", "Theme", show=False),
    # workspace
    "pane.next": KeySpec("tab", "next_pane", "Next pane"),
    "pane.prev": KeySpec("shift+tab", "previous_pane", "Previous pane", show=False),
    "pane.goroutines": KeySpec("1", "show_pane('goroutines')", "Goroutines", show=False),
    "pane.flame": KeySpec("2", "show_pane('flame')", "Flame graph", show=False),
    "pane.health": KeySpec("3", "show_pane('health')", "Health", show=False),
    "pane.maximize": KeySpec("z", "toggle_maximize", "Maximise"),
    "data.refresh": KeySpec("r", "refresh", "Refresh"),
    "data.live": KeySpec("L", "toggle_live", "Live refresh", show=False),
    "data.dump": KeySpec("d", "next_dump", "Next dump", show=False),
    "data.profile": KeySpec("p", "fetch_profile", "Profile"),
    # lists (findings and groups)
    "list.down": KeySpec("down,j", "cursor_down", "Down", show=False),
    "list.up": KeySpec("up,k", "cursor_up", "Up", show=False),
    "list.first": KeySpec("home,g", "first", "First", show=False),
    "list.last": KeySpec("end,G", "last", "Last", show=False),
    "list.page_down": KeySpec("pagedown,ctrl+f", "page_down", "Page down", show=False),
    "list.page_up": KeySpec("pageup,ctrl+b", "page_up", "Page up", show=False),
    "goroutines.open": KeySpec("enter", "select", "Open group"),
    "goroutines.loose": KeySpec("l", "toggle_loose", "Loose grouping", show=False),
    # group detail and other pushed screens
    "screen.back": KeySpec("escape,backspace", "back", "Back"),
    "group.next_sample": KeySpec("n", "next_sample", "Next goroutine"),
    "group.prev_sample": KeySpec("N", "previous_sample", "Previous goroutine", show=False),
}


def bindings(*ids: str) -> list[BindingType]:
    """Textual bindings for ``ids``, with their default keys from :data:`KEYS`."""
    out: list[BindingType] = []
    for binding_id in ids:
        spec = KEYS[binding_id]
        out.append(Binding(spec.keys, spec.action, spec.description, show=spec.show, id=binding_id))
    return out
