"""The start screen: recent sources, and a prompt for a path or URL."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.widgets.option_list import Option

from triage.errors import BadInput, TriageError
from triage.recent import Recent
from triage.sources import check_openable
from triage.targets import StdinTarget, Target, parse_target
from triage.ui.keys import bindings
from triage.ui.widgets.lists import KeyedOptionList

INTRO = (
    "triage reads goroutine dumps, crash logs, pprof profiles and Go binaries.\n"
    "Type a file path or a pprof base URL (http://127.0.0.1:6060) and press enter,\n"
    "or pick a recent source below (tab). F1 shows every key; ctrl+c quits\n"
    "(in the list, ? and q do too: in the prompt they are typed)."
)


class OpenRequested(Message):
    """The user asked to open a target (a file, a URL...)."""

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target


def _ago(when: float, now: float) -> str:
    secs = max(0, int(now - when))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return f"{secs // size}{unit} ago"
    return "just now"


class StartScreen(Screen[None]):
    """Shown by a bare ``triage``."""

    DEFAULT_CSS = """
    StartScreen #intro { padding: 1 2; height: auto; }
    StartScreen Input { margin: 0 2; width: 1fr; }
    StartScreen #recent-title { padding: 1 2 0 2; text-style: bold; }
    StartScreen KeyedOptionList { margin: 0 2; height: 1fr; border: none; }
    """

    BINDINGS = bindings("screen.back")

    def __init__(self, recent: list[Recent]) -> None:
        super().__init__()
        self.recent = recent

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """escape goes back only to a screen under this one (``o`` from a workspace)."""
        if action == "back":
            return len(self.app.screen_stack) > 2
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def compose(self) -> ComposeResult:
        yield Static(INTRO, id="intro")
        yield Input(placeholder="path, - for stdin, or http://host:port", id="location")
        yield Static("Recent" if self.recent else "No recent sources yet", id="recent-title")
        now = time.time()
        yield KeyedOptionList(
            *[
                Option(
                    Content.assemble(
                        (f"{r.kind:<7}", "dim"), r.location, (f"  {_ago(r.when, now)}", "dim")
                    ),
                    id=str(i),
                )
                for i, r in enumerate(self.recent)
            ]
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        try:
            target = self._openable(value)
        except TriageError as exc:
            self.notify(exc.line(), severity="error", timeout=8)  # in place: the prompt stays
            return
        self.post_message(OpenRequested(target))

    @staticmethod
    def _openable(value: str) -> Target:
        """The target typed at the prompt, checked as ``triage open`` checks it."""
        target = parse_target(value)
        if isinstance(target, StdinTarget):
            raise BadInput(
                "stdin can only be named on the command line", "cat dump.log | triage open -"
            )
        return check_openable(target)

    def on_option_list_option_selected(self, event: KeyedOptionList.OptionSelected) -> None:
        recent = self.recent[int(event.option.id or 0)]
        self.post_message(OpenRequested(recent.target))
