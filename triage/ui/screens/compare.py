"""Two dumps side by side as counts: what is new, what vanished, what grew (the c key).

The comparison itself is core (:func:`triage.goroutines.diff.diff_dumps`); this
screen only lists its rows, new and vanished groups first, then by growth.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static
from textual.widgets.option_list import Option

from triage.goroutines import DumpAnalysis
from triage.goroutines.diff import DumpDiff, GroupDiff
from triage.ui.keys import bindings
from triage.ui.render import header_row, short_state
from triage.ui.widgets.lists import KeyedOptionList

_STYLE = {"new": "$error", "gone": "$success", "changed": "$warning", "same": "dim"}


def diff_row(entry: GroupDiff) -> Content:
    """``NEW      +30       0 -> 30      chan receive  main.leak.func1``; the word says
    the status, colour only repeats it."""
    top = entry.group.top_frame
    func = top.func if top is not None else "(no frames)"
    return Content.assemble(
        (f"{entry.status.upper():8}", _STYLE[entry.status]),
        (f"{entry.delta:>+8,} ", "bold"),
        (f"{entry.before:>7,} -> {entry.after:<7,} ", "dim"),
        (f"{short_state(entry.state, 16):<16} ", "$secondary"),
        func,
    )


class CompareScreen(Screen[None]):
    """Per group: count before, after and the difference."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    CompareScreen #compare-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    CompareScreen KeyedOptionList, CompareScreen KeyedOptionList:focus {
        height: 1fr; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(
        self,
        diff: DumpDiff,
        title: str,
        new: DumpAnalysis | None = None,
        old: DumpAnalysis | None = None,
    ) -> None:
        super().__init__()
        self.diff = diff
        self.heading = title
        #: the two dumps, when still readable: enter opens a row's group in its own dump
        self.new, self.old = new, old

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="compare-title")
        yield KeyedOptionList(id="compare-list")
        yield Footer()

    def on_mount(self) -> None:
        diff = self.diff
        moved = [e for e in diff.groups if e.status != "same"]
        same = len(diff.groups) - len(moved)
        total = f"{diff.before:,} -> {diff.after:,} goroutines ({diff.delta:+,})"
        options = [Option(header_row("CHANGED", f"{len(moved)} groups · {total}"), disabled=True)]
        options += [Option(diff_row(e), id=f"diff-{i}") for i, e in enumerate(moved)]
        if same:
            options.append(Option(header_row("SAME", f"{same} groups, same count"), disabled=True))
            kept = [e for e in diff.groups if e.status == "same"]
            options += [Option(diff_row(e), id=f"same-{i}") for i, e in enumerate(kept)]
        listing = self.query_one(KeyedOptionList)
        listing.set_options(options)
        if len(options) > 1:
            listing.highlighted = next(i for i, o in enumerate(options) if not o.disabled)
        listing.focus()

    def on_option_list_option_selected(self, event: KeyedOptionList.OptionSelected) -> None:
        event.stop()
        kind, _, index = (event.option.id or "").partition("-")
        rows = [e for e in self.diff.groups if (e.status == "same") == (kind == "same")]
        entry = rows[int(index)] if index.isdigit() and int(index) < len(rows) else None
        if entry is None:
            return
        item = self.old if entry.status == "gone" else self.new
        if item is None:
            self.notify("that dump is no longer open: its goroutines cannot be shown")
            return
        from triage.ui.screens.group import GroupScreen

        self.app.push_screen(GroupScreen(item, entry.group, []))

    def action_back(self) -> None:
        self.dismiss(None)


class ComparePrompt(ModalScreen[str | None]):
    """Asks for the dump to compare with: a path or a URL (escape cancels)."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    ComparePrompt { align: center middle; }
    ComparePrompt > Vertical { width: 80%; height: auto; padding: 1 2; background: $panel; }
    ComparePrompt Input { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Compare the dump on show with (enter: compare, escape: cancel):")
            yield Input(placeholder="path or http://host:port", id="compare-with")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_back(self) -> None:
        self.dismiss(None)
