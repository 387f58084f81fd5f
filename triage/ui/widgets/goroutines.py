"""The goroutines pane: findings on top, then groups; enter opens a group.

``/`` filters the groups (and the findings about them) with a core
:mod:`triage.goroutines.filter` expression, computed in a worker; the title
says how many goroutines and groups matched; ``escape`` clears it. A live
refresh keeps the filter and applies it to the new snapshot.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static
from textual.widgets.option_list import Option

from triage.errors import TriageError
from triage.goroutines import DumpAnalysis
from triage.goroutines.filter import Filter, Filtered, apply_filter, parse_filter
from triage.goroutines.grouping import Group
from triage.ui.focus import focus_now
from triage.ui.keys import bindings
from triage.ui.messages import StatusNote
from triage.ui.render import finding_detail, finding_row, group_detail, group_row, header_row
from triage.ui.widgets.lists import KeyedOptionList


class GroupChosen(Message):
    """The user opened a group (enter on a group or on a finding)."""

    def __init__(self, item: DumpAnalysis, group: Group) -> None:
        super().__init__()
        self.item = item
        self.group = group


class FlameRequested(Message):
    """Show this group's frames in the flame graph (``f``, the way back from ``v``)."""

    def __init__(self, group: Group) -> None:
        super().__init__()
        self.group = group


class FilterApplied(Message):
    """(from a worker) What the filter kept of the dump on show."""

    def __init__(self, generation: int, filtered: Filtered) -> None:
        super().__init__()
        self.generation = generation
        self.filtered = filtered


class GoroutinePane(Vertical):
    """Findings and groups of one dump."""

    BINDINGS = bindings(
        "goroutines.loose", "goroutines.filter", "goroutines.clear_filter", "goroutines.flame"
    )
    DEFAULT_CSS = """
    GoroutinePane { height: 1fr; }
    GoroutinePane > .pane-title { height: 1; background: $panel; color: $text; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    GoroutinePane > KeyedOptionList, GoroutinePane > KeyedOptionList:focus {
        height: 1fr; border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis;
    }
    GoroutinePane > .empty { padding: 1 2; color: $text-muted; }
    GoroutinePane > #goroutines-filter { height: 1; border: none; padding: 0 1; }
    GoroutinePane > #goroutines-detail {
        height: auto; max-height: 5; padding: 0 1; background: $surface; color: $text;
        border-top: hkey $panel;
    }
    """

    class LooseToggled(Message):
        """Ask the screen to regroup with the other grouping level."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        #: what the list shows (the filtered dump while a filter is on)
        self.item: DumpAnalysis | None = None
        #: the whole dump, and its title, as the screen gave them
        self.full: DumpAnalysis | None = None
        self.base_title = ""
        self.growth: dict[int, float] = {}
        self.filter: Filter | None = None
        self.filtered: Filtered | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static("Goroutines", classes="pane-title", id="goroutines-title")
        yield Input(
            placeholder="word, func:, state:, label:k=v, wait>10, re:REGEX, !term (escape: cancel)",
            id="goroutines-filter",
        )
        yield Static("Loading…", classes="empty", id="goroutines-empty")
        yield KeyedOptionList(id="goroutines-list")
        yield Static("", id="goroutines-detail")

    def on_mount(self) -> None:
        self.query_one(KeyedOptionList).display = False
        self.query_one("#goroutines-detail").display = False
        self.query_one("#goroutines-filter").display = False

    def show(self, item: DumpAnalysis, title: str, growth: dict[int, float] | None = None) -> None:
        """Display ``item`` (through the filter, if one is on); keep the cursor on its group."""
        self.full, self.base_title, self.growth = item, title, growth or {}
        if self.filter:
            self._refilter()
        else:
            self._draw(item, title)

    def _draw(self, item: DumpAnalysis, title: str, counts: str = "") -> None:
        listing = self.query_one(KeyedOptionList)
        previous = listing.highlighted_option.id if listing.highlighted_option else None
        self.item = item
        self.query_one("#goroutines-title", Static).update(title)
        options: list[Option] = []
        if item.findings:
            options.append(Option(header_row("FINDINGS", str(len(item.findings))), disabled=True))
            for i, finding in enumerate(item.findings):
                options.append(Option(finding_row(finding), id=f"finding-{i}"))
        options.append(
            Option(
                header_row(
                    "GROUPS",
                    counts or f"{len(item.groups)} · {item.dump.goroutine_count} goroutines",
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
        group = self._group_of(event.option.id)
        if group is not None and self.item is not None:
            self.post_message(GroupChosen(self.item, group))

    def _group_of(self, option_id: str | None) -> Group | None:
        """The group a row stands for (a finding's first group)."""
        if self.item is None or option_id is None:
            return None
        kind, _, index = option_id.partition("-")
        if kind == "group":
            return next((g for g in self.item.groups if g.id == int(index)), None)
        if kind == "finding":
            finding = self.item.findings[int(index)]
            return next((g for g in self.item.groups if g.id in finding.groups), None)
        return None

    def action_show_in_flame(self) -> None:
        """``f``: the highlighted group's frames in the flame graph (a jump)."""
        listing = self.query_one(KeyedOptionList)
        index = listing.highlighted
        option = listing.get_option_at_index(index) if index is not None else None
        group = self._group_of(option.id if option is not None else None)
        if group is None:
            self.post_message(StatusNote("f shows a group in the flame graph: highlight one"))
            return
        self.post_message(FlameRequested(group))

    def action_toggle_loose(self) -> None:
        self.post_message(self.LooseToggled())

    def focus_list(self) -> None:
        """Give the keyboard to the list."""
        focus_now(self.query_one(KeyedOptionList))

    # --- the filter (``/``) ----------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the prompt is open ``/`` types into it; escape only acts when there is
        a prompt to close or a filter to clear (otherwise it reaches the screen)."""
        if action == "filter":
            return self.full is not None and not self._prompt().display
        if action == "clear_filter":
            return bool(self._prompt().display or self.filter)
        return True

    def _prompt(self) -> Input:
        return self.query_one("#goroutines-filter", Input)

    def action_filter(self) -> None:
        prompt = self._prompt()
        prompt.value = self.filter.expression if self.filter else ""
        prompt.display = True
        focus_now(prompt)

    def action_clear_filter(self) -> None:
        prompt = self._prompt()
        if prompt.display:
            prompt.display = False
            self.focus_list()
            return
        self.set_filter(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "goroutines-filter":
            return
        event.stop()
        try:
            flt = parse_filter(event.value)
        except TriageError as exc:
            self.post_message(StatusNote(exc.line(), "error"))
            return  # the prompt stays open to fix the expression
        event.input.display = False
        self.focus_list()
        self.set_filter(flt if flt else None)

    def set_filter(self, flt: Filter | None) -> None:
        """Filter the list with ``flt`` (None: show every group again)."""
        self.filter = flt
        if flt is None:
            self.filtered = None
            self._generation += 1
            if self.full is not None:
                self._draw(self.full, self.base_title)
            self.post_message(StatusNote("filter cleared"))
            return
        self._refilter()

    def _refilter(self) -> None:
        if self.full is None or self.filter is None:
            return
        self._generation += 1
        self._run_filter(self.full, self.filter, self._generation)

    @work(thread=True, exclusive=True, group="goroutine-filter", exit_on_error=False)
    def _run_filter(self, item: DumpAnalysis, flt: Filter, generation: int) -> None:
        """(worker) Label sets and wait times of 100,000 goroutines are read here, not
        on the UI thread."""
        self.post_message(FilterApplied(generation, apply_filter(item, flt)))

    def on_filter_applied(self, event: FilterApplied) -> None:
        event.stop()
        if event.generation != self._generation or self.filter is None:
            return
        kept = self.filtered = event.filtered
        counts = f"{len(kept.groups):,} of {kept.total_groups:,}"
        counts += f" · {kept.goroutines:,} of {kept.total_goroutines:,} goroutines"
        # short enough for 80 columns: the filter first, then what it kept of the whole
        title = (
            f"Goroutines · /{self.filter.expression} · {kept.goroutines:,} of "
            f"{kept.total_goroutines:,} in {len(kept.groups):,} of {kept.total_groups:,} groups"
        )
        self._draw(kept.analysis, title, counts)
        if not kept.groups:
            self.post_message(
                StatusNote(f"no group matches {self.filter.expression!r}; escape clears")
            )
