"""The workspace: goroutines, flame graph and health side by side.

At 120 columns and more the three panes sit side by side; below that they
become tabs (1, 2, 3 or tab to switch). Every pane can be maximised (z). All
loading happens in thread workers; results come back as messages.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from triage.errors import TriageError
from triage.ui.keys import bindings
from triage.ui.messages import SourceLoaded, StatusNote
from triage.ui.screens.group import GroupScreen
from triage.ui.widgets.goroutines import GoroutinePane, GroupChosen
from triage.ui.widgets.placeholder import PaneMessage
from triage.ui.widgets.status import StatusLine
from triage.workspace import LoadedBinary, LoadedDump, LoadedProfile, load_path, reanalyze

PANES = ("goroutines", "flame", "health")
TITLES = {"goroutines": "Goroutines", "flame": "Flame graph", "health": "Health"}
NARROW = 120


class Pane(Vertical):
    """One of the three panes; maximisable even though the container itself takes no focus."""

    ALLOW_MAXIMIZE = True


class WorkspaceScreen(Screen[None]):
    """Dumps, profiles and (when attached) live health of one service."""

    BINDINGS = bindings(
        "pane.next",
        "pane.prev",
        "pane.goroutines",
        "pane.flame",
        "pane.health",
        "pane.maximize",
        "data.refresh",
        "data.dump",
    )
    DEFAULT_CSS = """
    WorkspaceScreen #title { height: 1; padding: 0 1; background: $primary; color: $text; }
    WorkspaceScreen #tabs { height: 1; padding: 0 1; background: $panel; display: none; }
    WorkspaceScreen.-narrow #tabs { display: block; }
    WorkspaceScreen #panes { height: 1fr; }
    WorkspaceScreen .pane { width: 1fr; height: 1fr; border-left: vkey $panel; }
    WorkspaceScreen #pane-goroutines { width: 3fr; border-left: none; }
    WorkspaceScreen #pane-flame { width: 3fr; }
    WorkspaceScreen #pane-health { width: 2fr; }
    WorkspaceScreen.-narrow .pane { display: none; border-left: none; }
    WorkspaceScreen.-narrow .pane.-active { display: block; width: 1fr; }
    WorkspaceScreen .pane-title { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, paths: list[str], *, source_roots: list[Path] | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.source_roots = source_roots or []
        self.dumps: list[LoadedDump] = []
        self.profiles: list[LoadedProfile] = []
        self.binaries: list[LoadedBinary] = []
        self.dump_index = 0
        self.level = "exact"
        self.active = "goroutines"

    def compose(self) -> ComposeResult:
        yield Static("triage", id="title")
        yield Static("", id="tabs")
        with Horizontal(id="panes"):
            with Pane(id="pane-goroutines", classes="pane -active"):
                yield GoroutinePane(id="goroutines")
            with Pane(id="pane-flame", classes="pane"):
                yield Static("Flame graph", classes="pane-title")
                yield PaneMessage("No profile or dump loaded yet.", id="flame-message")
            with Pane(id="pane-health", classes="pane"):
                yield Static("Health", classes="pane-title")
                yield PaneMessage(
                    "Not attached.\nHealth, readiness and /metrics show here with\n"
                    "triage attach http://HOST:PORT",
                    id="health-message",
                )
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._layout(self.app.size.width)
        self.query_one(GoroutinePane).message(
            "Loading " + ", ".join(self.paths) + " …"
            if self.paths
            else "Nothing opened (o opens a file)."
        )
        if self.paths:
            self.load(self.paths)
        self.query_one(GoroutinePane).focus_list()

    # --- layout -----------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self._update_tabs()

    def _update_tabs(self) -> None:
        parts: list[str | tuple[str, str]] = []
        for i, name in enumerate(PANES, 1):
            label = f" {i} {TITLES[name]} "
            parts.append((f"[{label.strip()}]", "reverse bold") if name == self.active else label)
            parts.append(" ")
        self.query_one("#tabs", Static).update(Content.assemble(*parts))

    def _pane(self, name: str) -> Widget:
        return self.query_one(f"#pane-{name}")

    def show_pane(self, name: str) -> None:
        """Make ``name`` the active pane and give it the keyboard."""
        self.active = name
        for pane in PANES:
            self._pane(pane).set_class(pane == name, "-active")
        self._update_tabs()
        target = self._pane(name)
        focusable = next((w for w in target.query("*") if w.focusable), None)
        if focusable is not None:
            focusable.focus()

    def action_show_pane(self, name: str) -> None:
        self.show_pane(name)

    def action_next_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self._focused_pane()) + 1) % len(PANES)])

    def action_previous_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self._focused_pane()) - 1) % len(PANES)])

    def _focused_pane(self) -> str:
        focused = self.focused
        for name in PANES:
            if focused is not None and self._pane(name) in focused.ancestors_with_self:
                return name
        return self.active

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self._pane(self._focused_pane()), container=False)

    # --- loading -----------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self, paths: list[str]) -> None:
        """Load each path; failures are reported one by one, the rest still load."""
        for path in paths:
            try:
                loaded = load_path(path, level=self.level)  # type: ignore[arg-type]
            except TriageError as exc:
                self.post_message(StatusNote(exc.line(), "error"))
                continue
            self.post_message(SourceLoaded(loaded))

    def on_source_loaded(self, event: SourceLoaded) -> None:
        loaded = event.loaded
        if isinstance(loaded, LoadedDump):
            self.dumps.append(loaded)
            self.dump_index = (
                len(loaded.analysis.dumps) - 1 if len(self.dumps) == 1 else self.dump_index
            )
            self._show_dump()
            for warning in loaded.warnings:
                self.query_one(StatusLine).note(f"{loaded.name}: {warning}", "warning")
        elif isinstance(loaded, LoadedProfile):
            self.profiles.append(loaded)
            self.query_one(StatusLine).note(f"loaded profile {loaded.name}")
        else:
            self.binaries.append(loaded)
            self.query_one(StatusLine).note(f"loaded binary {loaded.name}")

    def on_status_note(self, event: StatusNote) -> None:
        self.query_one(StatusLine).note(event.text, event.level)
        if not self.dumps and event.level == "error":
            self.query_one(GoroutinePane).message(event.text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            text = (
                error.line()
                if isinstance(error, TriageError)
                else f"{type(error).__name__}: {error}"
            )
            self.query_one(StatusLine).note(text, "error")

    def _all_dumps(self) -> list[tuple[LoadedDump, int]]:
        return [(d, i) for d in self.dumps for i in range(len(d.analysis.dumps))]

    def _show_dump(self) -> None:
        every = self._all_dumps()
        if not every:
            return
        self.dump_index %= len(every)
        loaded, index = every[self.dump_index]
        item = loaded.analysis.dumps[index]
        count = item.dump.goroutine_count
        where = f" (dump {self.dump_index + 1}/{len(every)}, d: next)" if len(every) > 1 else ""
        crash = f" · {item.crash.kind}: {item.crash.message.splitlines()[0]}" if item.crash else ""
        self.query_one("#title", Static).update(f"triage · {loaded.name}{where}{crash}")
        title = f"Goroutines · {count} in {len(item.groups)} groups"
        if self.level == "loose":
            title += " · loose"
        self.query_one(GoroutinePane).show(item, title)

    def action_next_dump(self) -> None:
        self.dump_index += 1
        self._show_dump()

    def action_refresh(self) -> None:
        self.query_one(StatusLine).note("nothing live to refresh: files are read once")

    @on(GoroutinePane.LooseToggled)
    def toggle_loose(self) -> None:
        self.level = "loose" if self.level == "exact" else "exact"
        self.regroup()

    @work(thread=True, exclusive=True, group="regroup", exit_on_error=False)
    def regroup(self) -> None:
        updated = [reanalyze(d, level=self.level, thresholds=None) for d in self.dumps]  # type: ignore[arg-type]
        self.app.call_from_thread(self._regrouped, updated)

    def _regrouped(self, updated: list[LoadedDump]) -> None:
        self.dumps = updated
        self._show_dump()
        self.query_one(StatusLine).note(f"grouping: {self.level}")

    def on_group_chosen(self, event: GroupChosen) -> None:
        self.app.push_screen(GroupScreen(event.item, event.group, self.source_roots))
