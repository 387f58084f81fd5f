"""Panes that have nothing to show yet say why, in words."""

from __future__ import annotations

from textual.widgets import Static


class PaneMessage(Static, can_focus=True):
    """A focusable message standing in for a pane's content."""

    DEFAULT_CSS = """
    PaneMessage { padding: 1 2; color: $text-muted; height: 1fr; }
    PaneMessage:focus { color: $text; }
    """
