"""The goroutines pane: findings on top, then groups; enter opens a group."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.widgets.option_list import Option

from triage.goroutines import DumpAnalysis
from triage.goroutines.grouping import Group
from triage.ui.focus import focus_now
from triage.ui.keys import bindings
from triage.ui.render import finding_detail, finding_row, group_detail, group_row, header_row
from triage.ui.widgets.lists import KeyedOptionList


class GroupChosen(Message):
    """The user opened a group (enter on a group or on a finding)."""

    def __init__(self, item: DumpAnalysis, group: Group) -> None:
        super().__init__()
        self.item = item
        self.group = group


class GoroutinePane(Vertical):
    """Findings and groups of one dump."""

    BINDINGS = bindings("goroutines.loose")
    DEFAULT_CSS = """
    GoroutinePane { height: 1fr; }
    GoroutinePane > .pane-title { height: 1; background: $panel; color: $text; padding: 0 1; }
    GoroutinePane > KeyedOptionList, GoroutinePane > KeyedOptionList:focus {
        height: 1fr; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis;
    }
    GoroutinePane > .empty { padding: 1 2; color: $text-muted; }
    GoroutinePane > #goroutines-detail {
        height: auto; max-height: 5; padding: 0 1; background: $surface; color: $text;
        border-top: hkey $panel;
    }
    """

    class LooseToggled(Message):
        """Ask the screen to regroup with the other grouping level."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.item: DumpAnalysis | None = None
        self.growth: dict[int, float] = {}

    def compose(self) -> ComposeResult:
        yield Static("Goroutines", classes="pane-title", id="goroutines-title")
        yield Static("Loading…", classes="empty", id="goroutines-empty")
        yield KeyedOptionList(id="goroutines-list")
        yield Static("", id="goroutines-detail")

    def on_mount(self) -> None:
        self.query_one(KeyedOptionList).display = False
        self.query_one("#goroutines-detail").display = False

    def show(self, item: DumpAnalysis, title: str, growth: dict[int, float] | None = None) -> None:
        """Display ``item``; keep the cursor on the same group when refreshed."""
        listing = self.query_one(KeyedOptionList)
        previous = listing.highlighted_option.id if listing.highlighted_option else None
        self.item = item
        self.growth = growth or {}
        self.query_one("#goroutines-title", Static).update(title)
        options: list[Option] = []
        if item.findings:
            options.append(Option(header_row("FINDINGS", str(len(item.findings))), disabled=True))
            for i, finding in enumerate(item.findings):
                options.append(Option(finding_row(finding), id=f"finding-{i}"))
        options.append(
            Option(
                header_row(
                    "GROUPS", f"{len(item.groups)} · {item.dump.goroutine_count} goroutines"
                ),
                disabled=True,
            )
        )
        for group in item.groups:
            options.append(
                Option(group_row(group, growth=self.growth.get(group.id)), id=f"group-{group.id}")
            )
        listing.set_options(options)
        listing.display = True
        self.query_one("#goroutines-empty").display = False
        target = previous if previous and previous in {o.id for o in options} else None
        if target is None:
            first = next((o.id for o in options if o.id and o.id.startswith("group-")), None)
            target = next((o.id for o in options if o.id), first)
        if target is not None:
            listing.highlighted = listing.get_option_index(target)

    def message(self, text: str) -> None:
        """Show a one-line message instead of the list (nothing loaded, failures)."""
        empty = self.query_one("#goroutines-empty", Static)
        empty.update(text)
        empty.display = True
        self.query_one(KeyedOptionList).display = self.item is not None

    def on_option_list_option_highlighted(self, event: KeyedOptionList.OptionHighlighted) -> None:
        event.stop()
        detail = self.query_one("#goroutines-detail", Static)
        text = self._detail(event.option.id)
        detail.update(text)
        detail.display = bool(text)

    def _detail(self, option_id: str | None) -> Content | str:
        """The highlighted row in full: a finding's summary and next step, a group's place."""
        if self.item is None or option_id is None:
            return ""
        kind, _, index = option_id.partition("-")
        if kind == "finding":
            return finding_detail(self.item.findings[int(index)])
        group = next((g for g in self.item.groups if g.id == int(index)), None)
        return group_detail(group) if group is not None else ""

    def on_option_list_option_selected(self, event: KeyedOptionList.OptionSelected) -> None:
        event.stop()
        if self.item is None or event.option.id is None:
            return
        kind, _, index = event.option.id.partition("-")
        group: Group | None = None
        if kind == "group":
            group = next((g for g in self.item.groups if g.id == int(index)), None)
        elif kind == "finding":
            finding = self.item.findings[int(index)]
            group = next((g for g in self.item.groups if g.id in finding.groups), None)
        if group is not None:
            self.post_message(GroupChosen(self.item, group))

    def action_toggle_loose(self) -> None:
        self.post_message(self.LooseToggled())

    def focus_list(self) -> None:
        """Give the keyboard to the list."""
        focus_now(self.query_one(KeyedOptionList))
