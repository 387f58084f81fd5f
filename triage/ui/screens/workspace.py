"""The workspace: goroutines, flame graph and health side by side.

At 120 columns and more the three panes sit side by side; below that they
become tabs (1, 2, 3 or tab to switch). Every pane can be maximised (z). All
loading happens in thread workers; results come back as messages. What is
open is a core :class:`~triage.workspace.Workspace`; with a URL the screen is
attached: a LiveController runs a core LiveSession's polls in workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from triage.config import Config
from triage.errors import TriageError
from triage.goroutines import DumpAnalysis
from triage.preload import Preload
from triage.targets import BundleTarget, KubeTarget, Target, UrlTarget
from triage.ui.flametrees import dump_tree, profile_tree
from triage.ui.focus import focus_now
from triage.ui.keys import bindings
from triage.ui.marks import mark
from triage.ui.messages import BundleRead, Regrouped, SourceLoaded, StatusNote
from triage.ui.render import source_label
from triage.ui.screens.evidence import EvidenceActions
from triage.ui.screens.flame_export import FlameExports
from triage.ui.screens.jumps import JumpActions
from triage.ui.screens.workspace_layout import (
    FOCUS_TARGETS,
    LIVE_ACTIONS,
    NARROW,
    PANES,
    TITLES,
    WORKSPACE_CSS,
    Pane,
)
from triage.ui.widgets.flame_messages import TypeRequested
from triage.ui.widgets.flamepane import FlamePane, TreeReady
from triage.ui.widgets.goroutines import GoroutinePane, GroupChosen
from triage.ui.widgets.health import HealthPane
from triage.ui.widgets.placeholder import PaneMessage
from triage.ui.widgets.status import StatusLine
from triage.workspace import (
    GroupingLevel,
    Loaded,
    LoadedBinary,
    LoadedDump,
    LoadedProfile,
    Workspace,
    load_bundle,
    load_path,
    reanalyze,
)

if TYPE_CHECKING:  # loaded on first use: start-up stays fast
    from triage.live.session import LiveSession, SnapshotView
    from triage.pprof.model import Profile
    from triage.pprof.query import ProfileQuery
    from triage.ui.live import LiveController, LiveFetched, PodAttached


class WorkspaceScreen(JumpActions, EvidenceActions, FlameExports):
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
    DEFAULT_CSS = WORKSPACE_CSS

    def __init__(
        self,
        targets: list[Target],
        *,
        config: Config | None = None,
        source_roots: list[Path] | None = None,
        binary: str | None = None,
        pane: str = "goroutines",
        preload: Preload | None = None,
        query: ProfileQuery | None = None,
    ) -> None:
        super().__init__()
        #: a base URL is attached to live; everything else is loaded once
        self.url = next((t.url for t in targets if isinstance(t, UrlTarget) and t.base), None)
        #: a pod (or workload): its crash log is read, and its live data attached to
        self.pod = next((t for t in targets if isinstance(t, KubeTarget)), None)
        self.paths = [t for t in targets if not (isinstance(t, UrlTarget) and t.base)]
        self.binary_path = binary
        self.first_pane = pane
        self.preload = preload
        self.config = config or Config()
        self.source_roots = source_roots or []
        self.model = Workspace()
        if query is not None:
            self.model.query = query
        self.dump_index = 0
        self.active = "goroutines"
        self._building: str | None = None  # a sample type's graph being built (its note)
        #: the attached target's state (core), and what drives it from this screen
        self.live: LiveSession | None = None
        self.link: LiveController | None = None

    @property
    def level(self) -> GroupingLevel:
        """How the open dumps are grouped."""
        return self.model.level

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
                if self.url or self.pod:
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
        self.set_class(not (self.url or self.pod or self.binary_path), "-offline")
        self._layout(self.app.size.width)
        pane = self.query_one(GoroutinePane)
        if self.binary_path:
            self.load_binary_file(self.binary_path)
        if self.url:
            self._start_live(self.url)
        elif self.paths:
            pane.message("Loading " + ", ".join(t.label for t in self.paths) + " …")
            self.load(self.paths)
            if self.pod is not None:
                from triage.ui.live import connect_pod

                connect_pod(self, self.pod, self.config)
        else:
            pane.message("Nothing opened (o opens a file).")
        pane.focus_list()
        if self.first_pane != "goroutines":
            self.show_pane(self.first_pane)

    def on_unmount(self) -> None:
        if self.link is not None:
            self.link.close()

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

    def _start_live(self, url: str) -> None:
        from triage.live.fetcher import http_fetcher
        from triage.live.session import LiveSession

        try:
            session = LiveSession(http_fetcher(url, self.config), self.config)
        except TriageError as exc:
            self.query_one(GoroutinePane).message(exc.line())
            self.note(exc.line(), "error")
            return
        self._go_live(session)

    def _go_live(self, session: LiveSession, missing: str = "") -> None:
        from triage.ui.live import LiveController

        self.live = session
        self.link = LiveController(self, self, session)
        if not self.model.dumps:
            self.query_one("#title", Static).update(f"triage · attached to {session.label}")
            self.query_one(GoroutinePane).message(
                missing or f"Fetching goroutines from {session.label} …"
            )
        self.link.start()
        self.refresh_bindings()

    def on_pod_attached(self, event: PodAttached) -> None:
        """The pod's fetcher is open (:func:`triage.ui.live.connect_pod`): go live."""
        self._go_live(event.session, event.fetcher.missing)
        if event.fetcher.note:  # which replica of a workload gives the live data
            self.app.notify(event.fetcher.note, timeout=10)
        if event.fetcher.missing:
            self.app.notify(event.fetcher.missing, severity="warning", timeout=10)

    def on_live_fetched(self, event: LiveFetched) -> None:
        if self.link is not None:
            self.link.received(event)

    # --- the LiveView the controller draws on --------------------------------------

    def show_snapshot(self, label: str, view: SnapshotView) -> None:
        read = self.model.read_dumps()  # a pod's crash stays in front; d shows the live dump
        following = not read or self.dump_index >= read
        position = self.model.show_live(label, view.analysis)
        item = view.analysis.dumps[-1]
        if following:
            self.dump_index = position
            self._show_dump(view.growth)
            count = item.dump.goroutine_count
            self.query_one("#title", Static).update(
                f"triage · attached to {label} · {count:,} goroutine{'s' if count != 1 else ''}"
            )
        self.run_worker(
            lambda: self._post_dump_tree(item, label),
            thread=True,
            group="live-tree",
            exclusive=True,
            exit_on_error=False,
        )

    def show_health(self) -> None:
        if self.live is not None:
            self.query_one(HealthPane).show(self.live.statuses(), self.live.report())

    def show_fetch_error(self, text: str) -> None:
        if not self.model.dumps:
            self.query_one(GoroutinePane).message(text)

    def action_refresh(self) -> None:
        if self.link is None:
            self.note("nothing live to refresh: files are read once")
            return
        self.link.refresh_now()

    def action_toggle_live(self) -> None:
        if self.link is not None:
            self.link.toggle_live()

    def action_fetch_profile(self) -> None:
        if self.link is not None:
            self.link.choose_profile()

    # --- files ---------------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self, paths: list[Target]) -> None:
        """Load each path; failures are reported one by one, the rest still load."""
        for path in paths:
            try:
                items = self._read(path)
            except TriageError as exc:
                self.post_message(StatusNote(exc.line(), "error"))
                continue
            for loaded in items:
                self.post_message(SourceLoaded(loaded))
                if isinstance(loaded, LoadedDump):
                    self._post_dump_tree(loaded.analysis.dumps[-1], loaded.name)
                elif isinstance(loaded, LoadedProfile):
                    self.post_profile_tree(loaded.profile, loaded.name, None)

    def _read(self, path: Target) -> list[Loaded]:
        """(worker thread) One source; a bundle is many, its manifest shown in health."""
        if isinstance(path, BundleTarget):
            bundle = load_bundle(path, level=self.level, thresholds=self.config.thresholds)
            self.post_message(BundleRead(bundle.lines))
            self.post_message(StatusNote(bundle.headline))
            return bundle.items
        preloaded = self.preload.take(path) if self.preload is not None else None
        return [preloaded or load_path(path, level=self.level, thresholds=self.config.thresholds)]

    @work(thread=True, group="binary", exit_on_error=False)
    def load_binary_file(self, path: str) -> None:
        """``--binary``: build info, advisories and a symbolizer for the crash PCs."""
        from triage.workspace import load_binary

        self.post_message(SourceLoaded(load_binary(path)))

    def _post_dump_tree(self, item: DumpAnalysis, name: str) -> None:
        """(worker thread) The goroutine flame graph of a dump."""
        self.post_message(dump_tree(item, name, self.model.query))

    def post_profile_tree(self, profile: Profile, name: str, sample_type: str | None) -> None:
        """(worker thread) The call tree of a profile as the workspace's query asks.

        ``sample_type`` (the view's type switch) overrides the query's type and
        keeps its filters; a type the profile lacks falls back to its default.
        """
        query = self.model.query
        if sample_type is not None:
            query = query.with_type(sample_type)
        try:
            ready = profile_tree(profile, name, query)
        except TriageError as exc:
            if query.sample_type is None:
                raise
            self.post_message(StatusNote(exc.line(), "error"))
            ready = profile_tree(profile, name, query.with_type(None))
        self.post_message(ready)

    def on_source_loaded(self, event: SourceLoaded) -> None:
        loaded = event.loaded
        self.model.add(loaded)
        if isinstance(loaded, LoadedDump):
            if len(self.model.dumps) == 1 or loaded.crash_log is not None:
                self.dump_index = self.model.read_dumps() - 1  # a pod's crash: in front
            self._show_dump()
            for warning in loaded.warnings:
                self.note(f"{loaded.name}: {warning}", "warning")
        elif isinstance(loaded, LoadedProfile):
            self.note(f"loaded profile {loaded.name}")
            if not self.model.dumps:
                self.query_one(GoroutinePane).message(
                    f"{loaded.name} is a profile: see the flame graph (2)."
                )
        else:
            self._show_binary(loaded)
            self._show_dump()

    def _show_binary(self, loaded: LoadedBinary) -> None:
        from triage.ui.render_binary import binary_lines

        ctx = loaded.context
        panel = self.query_one("#binary-panel", Static)
        panel.update(Content("\n").join(binary_lines(loaded.name, ctx.info, ctx.advisories)))
        panel.display = True
        self.note(f"binary {loaded.name}: {ctx.info.go_version}")

    def on_tree_ready(self, event: TreeReady) -> None:
        flame = self.query_one(FlamePane)
        current = flame.current
        if current is None or event.source in (current.source, "profile"):
            flame.show_tree(event)
            if self._building is not None:  # "building the … flame graph…" is over
                self.note(f"flame graph: {event.current_type or self._building}")
                self._building = None

    def on_flame_graph_type_requested(self, event: TypeRequested) -> None:
        current = self.query_one(FlamePane).current
        if current is None or current.profile is None:
            self.note("only a pprof profile has other sample types")
            return
        self.note(f"building the {event.type_name} flame graph…")
        self._building = event.type_name
        self.run_worker(
            lambda: self.post_profile_tree(current.profile, current.profile.name, event.type_name),
            thread=True,
            group="flame-type",
            exclusive=True,
            exit_on_error=False,
        )

    def on_status_note(self, event: StatusNote) -> None:
        self.note(event.text, event.level)
        if not self.model.dumps and event.level == "error" and self.live is None:
            self.query_one(GoroutinePane).message(event.text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            text = (
                error.line()
                if isinstance(error, TriageError)
                else f"{type(error).__name__}: {error}"
            )
            (self.link.hold if self.link else self.note)(text, "error")  # held over live status
            if self.live is not None:
                self.live.abandoned(event.worker.name)

    def _show_dump(self, growth: dict[int, float] | None = None) -> None:
        every = len(self.model.every_dump())
        if not every:
            return
        self.dump_index %= every
        name, item = self.model.dump_at(self.dump_index)  # enriched by the binary, if any
        count = item.dump.goroutine_count
        where = f" (dump {self.dump_index + 1}/{every}, d: next)" if every > 1 else ""
        crash = f" · {item.crash.kind}: {item.crash.message.splitlines()[0]}" if item.crash else ""
        self.query_one("#title", Static).update(f"triage · {source_label(name)}{where}{crash}")
        groups = len(item.groups)
        title = f"Goroutines · {count:,} in {groups:,} group{'s' if groups != 1 else ''}"
        if self.level is GroupingLevel.LOOSE:
            title += " · loose"
        self.query_one(GoroutinePane).show(item, title, growth)
        self.call_after_refresh(mark, "loaded")

    def action_next_dump(self) -> None:
        if len(self.model.every_dump()) < 2:
            self.note("d steps through dumps: only one is open (o opens another)")
            return
        self.dump_index += 1
        self._show_dump()

    @on(GoroutinePane.LooseToggled)
    def toggle_loose(self) -> None:
        if self.live is not None:
            self.note("loose grouping applies to files; live snapshots group exactly")
            return
        self.model.level = self.level.toggled()
        self.regroup()

    @work(thread=True, exclusive=True, group="regroup", exit_on_error=False)
    def regroup(self) -> None:
        level, thresholds = self.level, self.config.thresholds
        updated = [reanalyze(d, level=level, thresholds=thresholds) for d in self.model.dumps]
        self.post_message(Regrouped(updated))

    def on_regrouped(self, event: Regrouped) -> None:
        self.model.dumps = event.dumps
        self._show_dump()
        self.note(f"grouping: {self.level}")

    def on_group_chosen(self, event: GroupChosen) -> None:
        from triage.ui.screens.group import GroupScreen

        self.app.push_screen(GroupScreen(event.item, event.group, self.source_roots))
