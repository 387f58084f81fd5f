"""The workspace: goroutines, flame graph and health side by side.

At 120 columns and more the three panes sit side by side; below that they
become tabs (1, 2, 3 or tab to switch). Every pane can be maximised (z). All
loading happens in thread workers; results come back as messages. With a URL
the screen is attached: a LiveSession polls goroutines, health and /metrics.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from triage.config import Config
from triage.errors import TriageError
from triage.goroutines import Analysis, DumpAnalysis
from triage.preload import Preload
from triage.targets import Target, UrlTarget
from triage.ui.focus import focus_now
from triage.ui.keys import bindings
from triage.ui.marks import mark
from triage.ui.messages import SourceLoaded, StatusNote
from triage.ui.render import source_label
from triage.ui.screens.workspace_live import LiveMixin
from triage.ui.widgets.flame_messages import ExportRequested, TypeRequested
from triage.ui.widgets.flamepane import FlamePane, TreeReady
from triage.ui.widgets.goroutines import GoroutinePane, GroupChosen
from triage.ui.widgets.health import HealthPane
from triage.ui.widgets.placeholder import PaneMessage
from triage.ui.widgets.status import StatusLine
from triage.workspace import LoadedBinary, LoadedDump, LoadedProfile, load_path, reanalyze

if TYPE_CHECKING:  # loaded on first use: start-up stays fast
    from triage.pprof.tree import CallTree
    from triage.ui.live import (
        LiveSession,
    )

PANES = ("goroutines", "flame", "health")
TITLES = {"goroutines": "Goroutines", "flame": "Flame graph", "health": "Health"}
NARROW = 120
#: the widget that takes the keyboard when a pane is shown
FOCUS_TARGETS = {
    "goroutines": "#goroutines-list",
    "flame": "#flame-graph",
    "health": "#health, #health-message",
}
#: actions that need an attached process
LIVE_ACTIONS = {"toggle_live", "fetch_profile"}


class Pane(Vertical):
    """One of the three panes; maximisable even though the container takes no focus."""

    ALLOW_MAXIMIZE = True


class Regrouped(Message):
    """The dumps, grouped again at another level."""

    def __init__(self, dumps: list[LoadedDump]) -> None:
        super().__init__()
        self.dumps = dumps


class WorkspaceScreen(LiveMixin):
    """Dumps, profiles and (when attached) live health of one service."""

    BINDINGS = bindings(
        "pane.next",
        "pane.prev",
        "pane.goroutines",
        "pane.flame",
        "pane.health",
        "pane.maximize",
        "data.refresh",
        "data.live",
        "data.dump",
        "data.profile",
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
    WorkspaceScreen #binary-panel { height: auto; max-height: 50%; padding: 0 1;
        border-top: hkey $panel; display: none; overflow-y: auto; }
    """

    def __init__(
        self,
        targets: list[Target],
        *,
        config: Config | None = None,
        source_roots: list[Path] | None = None,
        binary: str | None = None,
        pane: str = "goroutines",
        preload: Preload | None = None,
    ) -> None:
        super().__init__()
        #: a base URL is attached to live; everything else is loaded once
        self.url = next((t.url for t in targets if isinstance(t, UrlTarget) and t.base), None)
        self.paths = [t for t in targets if not (isinstance(t, UrlTarget) and t.base)]
        self.binary_path = binary
        self.binary: LoadedBinary | None = None
        self.enriched: set[int] = set()
        self.first_pane = pane
        self.preload = preload
        self.config = config or Config()
        self.source_roots = source_roots or []
        self.dumps: list[LoadedDump] = []
        self.profiles: list[LoadedProfile] = []
        self.dump_index = 0
        self.level = "exact"
        self.active = "goroutines"
        self.live: LiveSession | None = None

    def compose(self) -> ComposeResult:
        yield Static("triage", id="title")
        yield Static("", id="tabs")
        with Horizontal(id="panes"):
            with Pane(id="pane-goroutines", classes="pane -active"):
                yield GoroutinePane(id="goroutines")
            with Pane(id="pane-flame", classes="pane"):
                yield FlamePane(id="flame")
            with Pane(id="pane-health", classes="pane"):
                yield Static("Health", classes="pane-title")
                if self.url:
                    yield HealthPane(id="health")
                else:
                    yield PaneMessage(
                        "Not attached.\nHealth, readiness and /metrics show here with\n"
                        "triage attach http://HOST:PORT",
                        id="health-message",
                    )
                yield Static("", id="binary-panel")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self._layout(self.app.size.width)
        pane = self.query_one(GoroutinePane)
        if self.binary_path:
            self.load_binary_file(self.binary_path)
        if self.url:
            self._start_live(self.url)
        elif self.paths:
            pane.message("Loading " + ", ".join(t.label for t in self.paths) + " …")
            self.load(self.paths)
        else:
            pane.message("Nothing opened (o opens a file).")
        pane.focus_list()
        if self.first_pane != "goroutines":
            self.show_pane(self.first_pane)

    def on_unmount(self) -> None:
        if self.live is not None:
            self.live.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Live-only actions are not offered (keys, footer, palette) when not attached."""
        if action in LIVE_ACTIONS:
            return self.live is not None
        return True

    # --- layout -----------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        narrow = width < NARROW
        if narrow != self.has_class("-narrow") or not self.is_mounted:
            for pane in PANES:
                self._pane(pane).set_class(pane == self.active, "-active")
        self.set_class(narrow, "-narrow")
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
        """Make ``name`` the active pane and give it the keyboard.

        Only the two panes whose class changes are restyled, and focus goes
        to a known widget: switching must stay well under 50 ms with 100,000
        goroutines loaded.
        """
        if name != self.active:
            previous, self.active = self.active, name
            if self.has_class("-narrow"):  # side by side, the class changes nothing
                self._pane(previous).remove_class("-active")
                self._pane(name).add_class("-active")
                self._update_tabs()
        for target in self._pane(name).query(FOCUS_TARGETS[name]):
            if target.focusable:
                focus_now(target)
                break

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

    def _note(self, text: str, level: str = "info") -> None:
        self.query_one(StatusLine).note(text, level)

    # --- files ---------------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self, paths: list[Target]) -> None:
        """Load each path; failures are reported one by one, the rest still load."""
        for path in paths:
            try:
                preloaded = self.preload.take(path) if self.preload is not None else None
                loaded = preloaded or load_path(
                    path,
                    level=self.level,  # type: ignore[arg-type]
                    thresholds=self.config.thresholds,
                )
            except TriageError as exc:
                self.post_message(StatusNote(exc.line(), "error"))
                continue
            self.post_message(SourceLoaded(loaded))
            if isinstance(loaded, LoadedDump):
                self._post_dump_tree(loaded.analysis.dumps[-1], loaded.name)
            elif isinstance(loaded, LoadedProfile):
                self._post_profile_tree(loaded.profile, loaded.name, None)

    @work(thread=True, group="binary", exit_on_error=False)
    def load_binary_file(self, path: str) -> None:
        """``--binary``: build info, advisories and a symbolizer for the crash PCs."""
        from triage.workspace import load_binary

        self.post_message(SourceLoaded(load_binary(path)))

    def _post_dump_tree(self, item: DumpAnalysis, name: str) -> None:
        """(worker thread) The goroutine flame graph of a dump."""
        from triage.goroutines.flame import goroutine_tree

        tree = goroutine_tree(item)
        title = f"Flame graph · goroutines of {source_label(name)} · {item.dump.goroutine_count}"
        self.post_message(TreeReady(tree, title, source="dump"))

    def _post_profile_tree(self, profile: object, name: str, sample_type: str | None) -> None:
        """(worker thread) The call tree of a profile for one sample type."""
        from triage.pprof.model import Profile
        from triage.pprof.stacks import tree_for

        assert isinstance(profile, Profile)
        tree = tree_for(profile, sample_type)
        types = [t.type for t in profile.sample_types]
        current = tree.sample_type.type
        title = f"Flame graph · {source_label(name)} · {current} ({tree.sample_type.unit})"
        self.post_message(
            TreeReady(
                tree,
                title,
                source="profile",
                sample_types=types,
                current_type=current,
                profile=profile,
            )
        )

    def on_source_loaded(self, event: SourceLoaded) -> None:
        loaded = event.loaded
        if isinstance(loaded, LoadedDump):
            self.dumps.append(loaded)
            if len(self.dumps) == 1:
                self.dump_index = len(loaded.analysis.dumps) - 1
            self._show_dump()
            for warning in loaded.warnings:
                self._note(f"{loaded.name}: {warning}", "warning")
        elif isinstance(loaded, LoadedProfile):
            self.profiles.append(loaded)
            self._note(f"loaded profile {loaded.name}")
            if not self.dumps:
                self.query_one(GoroutinePane).message(
                    f"{loaded.name} is a profile: see the flame graph (2)."
                )
        else:
            self.binary = loaded
            self._show_binary(loaded)
            self._show_dump()

    def _show_binary(self, loaded: LoadedBinary) -> None:
        from triage.ui.render_binary import binary_lines

        ctx = loaded.context
        panel = self.query_one("#binary-panel", Static)
        panel.update(Content("\n").join(binary_lines(loaded.name, ctx.info, ctx.advisories)))
        panel.display = True
        self._note(f"binary {loaded.name}: {ctx.info.go_version}")

    def on_tree_ready(self, event: TreeReady) -> None:
        flame = self.query_one(FlamePane)
        current = flame.current
        if current is None or event.source in (current.source, "profile"):
            flame.show_tree(event)

    def on_flame_graph_type_requested(self, event: TypeRequested) -> None:
        current = self.query_one(FlamePane).current
        if current is None or current.profile is None:
            self._note("only a pprof profile has other sample types")
            return
        self._note(f"building the {event.type_name} flame graph…")
        self.run_worker(
            lambda: self._post_profile_tree(current.profile, current.profile.name, event.type_name),
            thread=True,
            group="flame-type",
            exclusive=True,
            exit_on_error=False,
        )

    def on_flame_graph_export_requested(self, event: ExportRequested) -> None:
        self.export_tree(event.kind, event.tree, event.title)

    @work(thread=True, group="export", exit_on_error=False)
    def export_tree(self, kind: str, tree: CallTree, title: str) -> None:
        """Write the graph to the current directory: folded stacks or a standalone SVG."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path.cwd() / f"triage-flame-{stamp}.{'svg' if kind == 'svg' else 'folded'}"
        with path.open("w", encoding="utf-8") as out:
            if kind == "svg":
                from triage.pprof.svg import render_svg

                render_svg(tree, title or "triage flame graph", out)
            else:
                from triage.pprof.folded import write_folded

                write_folded(tree, out)
        self.post_message(StatusNote(f"wrote {path}"))

    def on_status_note(self, event: StatusNote) -> None:
        self._note(event.text, event.level)
        if not self.dumps and event.level == "error" and self.live is None:
            self.query_one(GoroutinePane).message(event.text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            text = (
                error.line()
                if isinstance(error, TriageError)
                else f"{type(error).__name__}: {error}"
            )
            self._note(text, "error")
            if self.live is not None:
                self.live.busy.discard(event.worker.name)

    def _all_dumps(self) -> list[tuple[str, Analysis, int]]:
        return [(d.name, d.analysis, i) for d in self.dumps for i in range(len(d.analysis.dumps))]

    def _show_dump(self, growth: dict[int, float] | None = None) -> None:
        every = self._all_dumps()
        if not every:
            return
        self.dump_index %= len(every)
        name, analysis, index = every[self.dump_index]
        if self.binary is not None and id(analysis) not in self.enriched:
            from triage.enrich import enrich

            enrich(analysis, self.binary.context)  # advisories and named crash PCs
            self.enriched.add(id(analysis))
        item = analysis.dumps[index]
        count = item.dump.goroutine_count
        where = f" (dump {self.dump_index + 1}/{len(every)}, d: next)" if len(every) > 1 else ""
        crash = f" · {item.crash.kind}: {item.crash.message.splitlines()[0]}" if item.crash else ""
        self.query_one("#title", Static).update(f"triage · {source_label(name)}{where}{crash}")
        title = f"Goroutines · {count} in {len(item.groups)} groups"
        if self.level == "loose":
            title += " · loose"
        self.query_one(GoroutinePane).show(item, title, growth)
        self.call_after_refresh(mark, "loaded")

    def action_next_dump(self) -> None:
        self.dump_index += 1
        self._show_dump()

    @on(GoroutinePane.LooseToggled)
    def toggle_loose(self) -> None:
        if self.live is not None:
            self._note("loose grouping applies to files; live snapshots group exactly")
            return
        self.level = "loose" if self.level == "exact" else "exact"
        self.regroup()

    @work(thread=True, exclusive=True, group="regroup", exit_on_error=False)
    def regroup(self) -> None:
        level = self.level
        updated = [reanalyze(d, level=level, thresholds=self.config.thresholds) for d in self.dumps]  # type: ignore[arg-type]
        self.post_message(Regrouped(updated))

    def on_regrouped(self, event: Regrouped) -> None:
        self.dumps = event.dumps
        self._show_dump()
        self._note(f"grouping: {self.level}")

    def on_group_chosen(self, event: GroupChosen) -> None:
        from triage.ui.screens.group import GroupScreen

        self.app.push_screen(GroupScreen(event.item, event.group, self.source_roots))
