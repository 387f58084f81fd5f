"""Help generated from the active keymap: every binding, its keys and what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.ui.keymap import Keymap
from triage.ui.keys import KEYS, bindings

SCOPES = {
    "app": "Everywhere",
    "pane": "Workspace panes",
    "data": "Data",
    "list": "Lists",
    "goroutines": "Goroutines pane",
    "flame": "Flame graph",
    "health": "Health pane",
    "group": "Group detail",
    "screen": "Screens",
    "approval": "Approving a cluster action",
    "cluster": "Cluster screen",
    "pod": "Pod view",
    "action": "Cluster actions (cluster screen, pod view; never bound read-only)",
    "approvals": "Pending two-person requests",
    "revisions": "A Deployment's revisions",
}


def help_lines(keymap: Keymap) -> list[Content]:
    """One line per binding, grouped by scope, keys as the keymap binds them now.

    Columns are as wide as their longest entry (not fixed), so a line with its id
    fits the 80-column help box instead of wrapping.
    """
    keys = {
        bid: ", ".join(format_key(k.strip()) for k in keymap.keys_for(bid).split(","))
        for bid in KEYS
    }
    key_width = max(map(len, keys.values())) + 2
    text_width = max(len(spec.description) for spec in KEYS.values()) + 2
    out: list[Content] = []
    last = ""
    for binding_id, spec in KEYS.items():
        scope = binding_id.split(".", 1)[0]
        if scope != last:
            out.append(Content(""))
            out.append(Content.assemble((SCOPES.get(scope, scope), "bold $accent")))
            last = scope
        out.append(
            Content.assemble(
                (f"  {keys[binding_id]:<{key_width}}", "bold"),
                f"{spec.description:<{text_width}}",
                (binding_id, "dim"),
            )
        )
    return out


class HelpScreen(ModalScreen[None]):
    """The key reference."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 96; height: 90%; background: $surface;
        border: round $primary; padding: 0 1; }
    """

    def __init__(self, keymap: Keymap) -> None:
        super().__init__()
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        scroll = VerticalScroll()
        scroll.border_title = f"Keys ({self.keymap.name} keymap) - escape closes"
        with scroll:
            yield Static(Content("\n").join(help_lines(self.keymap)))

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_back(self) -> None:
        self.dismiss()
