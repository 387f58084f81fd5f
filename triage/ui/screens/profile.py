"""Choose a profile to fetch from an attached process."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets.option_list import Option

from triage.ui.keys import bindings
from triage.ui.widgets.lists import KeyedOptionList

CHOICES = (
    ("profile", 10, "CPU, 10 seconds"),
    ("profile", 30, "CPU, 30 seconds"),
    ("heap", None, "heap (in use and allocated)"),
    ("allocs", None, "allocations"),
    ("mutex", None, "mutex contention"),
    ("block", None, "blocking"),
    ("goroutine", None, "goroutines (debug=0 profile)"),
)


class ProfileChooser(ModalScreen[tuple[str, int | None] | None]):
    """Returns (kind, seconds) or None."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    ProfileChooser { align: center middle; }
    ProfileChooser > KeyedOptionList { width: 50; height: auto; max-height: 12;
        border: round $primary; }
    """

    def compose(self) -> ComposeResult:
        listing = KeyedOptionList(
            *[Option(label, id=str(i)) for i, (_, _, label) in enumerate(CHOICES)]
        )
        listing.border_title = "Fetch which profile?"
        yield listing

    def on_option_list_option_selected(self, event: KeyedOptionList.OptionSelected) -> None:
        kind, seconds, _ = CHOICES[int(event.option.id or 0)]
        self.dismiss((kind, seconds))

    def action_back(self) -> None:
        self.dismiss(None)
