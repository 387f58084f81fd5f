"""OptionList with keymap-able bindings (every binding has an id)."""

from __future__ import annotations

from textual.widgets import OptionList

from triage.ui.keys import bindings


class KeyedOptionList(OptionList, inherit_bindings=False):
    """An OptionList whose navigation keys come from the keymap table."""

    BINDINGS = bindings(
        "list.down",
        "list.up",
        "list.first",
        "list.last",
        "list.page_down",
        "list.page_up",
        "goroutines.open",
    )
