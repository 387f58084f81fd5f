"""The first frame: the app's name and what it is opening, shown while the
workspace (its widgets, their styles, the dump) loads behind it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class SplashScreen(Screen[None]):
    """Painted before anything heavy is imported or composed."""

    DEFAULT_CSS = """
    SplashScreen { align: center middle; }
    SplashScreen > Static { width: auto; height: auto; padding: 1 2; }
    """

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        yield Static(f"triage\n\n{self.what}")
