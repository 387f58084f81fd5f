"""Move the keyboard at once, so keys typed ahead land where the user expects.

The app hands each key to the widget focused when it reads the key, and
``Widget.focus()`` defers the change behind keys already read. When
``/fetchOrder⏎`` arrives in one burst (fast typing, a paste over SSH), the
letters would reach the old widget and be lost. Keys that open a prompt are
priority bindings (:data:`triage.ui.keys.KEYS`), acted on as they are read,
and move focus with :func:`focus_now`, so the next key already goes to the
prompt.
"""

from __future__ import annotations

import contextlib

from textual.dom import NoScreen
from textual.widget import Widget


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the keyboard before the next key is handed out."""
    with contextlib.suppress(NoScreen):  # not mounted yet: nothing to focus
        widget.screen.set_focus(widget)
