"""The workspace's layout: its panes, their titles and focus targets, and its CSS.

Kept apart from :mod:`triage.ui.screens.workspace` (the behaviour) so that file stays small.
"""

from __future__ import annotations

from textual.app import App
from textual.containers import Vertical

PANES = ("goroutines", "flame", "health")
TITLES = {"goroutines": "Goroutines", "flame": "Flame graph", "health": "Health"}
NARROW = 120
#: the widget that takes the keyboard when a pane is shown
FOCUS_TARGETS = {
    "goroutines": "#goroutines-list",
    "flame": "#flame-graph",
    "health": "#health, #health-message",
}
#: actions that need an attached process
LIVE_ACTIONS = {"toggle_live", "fetch_profile"}
#: what a live-only key says on a file (its binding is not offered there)
OFFLINE_WHY = {
    "data.live": "L turns live refresh on and off: files are read once (triage attach URL)",
    "data.profile": "p fetches profiles from a running process: triage attach URL (or o)",
}


def offline_reason(app: App[None], key: str) -> str | None:
    """What a live-only key says when nothing is attached; keys come from the active
    keymap (``TriageApp.keymap``), not from the defaults."""
    keymap = getattr(app, "keymap", None)
    for binding_id, why in OFFLINE_WHY.items():
        keys = keymap.keys_for(binding_id) if keymap is not None else ""
        if key in (k.strip() for k in keys.split(",")):
            return why
    return None


class Pane(Vertical):
    """One of the three panes; maximisable even though the container takes no focus."""

    ALLOW_MAXIMIZE = True


WORKSPACE_CSS = """
    WorkspaceScreen #title { height: 1; padding: 0 1; background: $primary; color: $text;
        text-wrap: nowrap; text-overflow: ellipsis; }
    WorkspaceScreen #tabs { height: 1; padding: 0 1; background: $panel; display: none; }
    WorkspaceScreen.-narrow #tabs { display: block; }
    WorkspaceScreen #panes { height: 1fr; }
    WorkspaceScreen .pane { width: 1fr; height: 1fr; border-left: vkey $panel; }
    WorkspaceScreen #pane-goroutines { width: 3fr; border-left: none; }
    WorkspaceScreen #pane-flame { width: 3fr; }
    WorkspaceScreen #pane-health { width: 2fr; }
    /* Not attached: the health pane only says so; the findings get its room. */
    WorkspaceScreen.-offline #pane-goroutines { width: 5fr; }
    WorkspaceScreen.-offline #pane-flame { width: 4fr; }
    WorkspaceScreen.-offline #pane-health { width: 32; }
    WorkspaceScreen.-narrow .pane { display: none; border-left: none; }
    WorkspaceScreen.-narrow .pane.-active { display: block; width: 1fr; }
    WorkspaceScreen .pane-title { height: 1; background: $panel; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    WorkspaceScreen #binary-panel { height: auto; max-height: 50%; padding: 0 1;
        border-top: hkey $panel; display: none; overflow-y: auto; }
"""
