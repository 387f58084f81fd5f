"""The workspace's attached mode: what a LiveSession reports, shown in the panes.

A mixin of :class:`~triage.ui.screens.workspace.WorkspaceScreen`, kept apart so
each file stays about one concern; it uses the screen's panes and helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen
from textual.widgets import Static

from triage.errors import TriageError
from triage.ui.messages import StatusNote
from triage.ui.widgets.goroutines import GoroutinePane
from triage.ui.widgets.health import HealthPane
from triage.workspace import LoadedDump

if TYPE_CHECKING:
    from triage.config import Config
    from triage.goroutines import DumpAnalysis
    from triage.ui.live import (
        HealthSampled,
        LiveSession,
        MetricsScraped,
        ProbeFailed,
        SnapshotTaken,
    )


class LiveMixin(Screen[None]):
    """Attach to a process: polling, growth, health, metrics, profiles on demand.

    The workspace screen provides the state and helpers declared here.
    """

    live: LiveSession | None
    config: Config
    dumps: list[LoadedDump]
    dump_index: int

    def _note(self, text: str, level: str = "info") -> None:
        raise NotImplementedError

    def _show_dump(self, growth: dict[int, float] | None = None) -> None:
        raise NotImplementedError

    def _post_dump_tree(self, item: DumpAnalysis, name: str) -> None:
        raise NotImplementedError

    def _post_profile_tree(self, profile: object, name: str, sample_type: str | None) -> None:
        raise NotImplementedError

    def _start_live(self, url: str) -> None:
        from triage.ui.live import LiveSession

        try:
            self.live = LiveSession(self, url, self.config)
        except TriageError as exc:
            self.query_one(GoroutinePane).message(exc.line())
            self._note(exc.line(), "error")
            return
        self.query_one("#title", Static).update(f"triage · attached to {self.live.url}")
        self.query_one(GoroutinePane).message(f"Fetching goroutines from {self.live.url} …")
        self.live.start()
        self._live_status()
        self.set_interval(1.0, self._live_status)
        self.refresh_bindings()

    def _live_status(self) -> None:
        if self.live is not None:
            text, level = self.live.status_line()
            self._note(text, level)

    def on_snapshot_taken(self, event: SnapshotTaken) -> None:
        assert self.live is not None
        analysis, growth, note = self.live.took_snapshot(event)
        self.dumps = [LoadedDump(self.live.url, analysis, None)]
        self.dump_index = len(analysis.dumps) - 1
        self._show_dump(growth)
        count = analysis.dumps[-1].dump.goroutine_count
        self.query_one("#title", Static).update(
            f"triage · attached to {self.live.url} · {count} goroutines"
        )
        if note:
            self._note(note, "warning")
        self.run_worker(
            lambda: self._post_dump_tree(analysis.dumps[-1], self.live.url if self.live else ""),
            thread=True,
            group="live-tree",
            exclusive=True,
            exit_on_error=False,
        )

    def on_health_sampled(self, event: HealthSampled) -> None:
        assert self.live is not None
        self.live.sampled(event)
        self._redraw_health()

    def on_metrics_scraped(self, event: MetricsScraped) -> None:
        assert self.live is not None
        self.live.scraped(event)
        self._redraw_health()

    def on_probe_failed(self, event: ProbeFailed) -> None:
        assert self.live is not None
        self.live.failed(event)
        self._live_status()
        if event.poller == "goroutines" and not self.dumps:
            self.query_one(GoroutinePane).message(f"goroutines: {event.error}")
        self._redraw_health()

    def _redraw_health(self) -> None:
        if self.live is not None:
            threshold = self.config.attach.failure_threshold
            self.query_one(HealthPane).show(self.live.statuses(), self.live.report(), threshold)

    def action_refresh(self) -> None:
        if self.live is None:
            self._note("nothing live to refresh: files are read once")
            return
        self.live.refresh_now()
        self._note("taking a goroutine snapshot…")

    def action_toggle_live(self) -> None:
        if self.live is not None:
            on_now = self.live.toggle_live()
            self._note("live refresh on" if on_now else "live refresh off (r takes a snapshot)")

    def action_fetch_profile(self) -> None:
        if self.live is not None:
            from triage.ui.screens.profile import ProfileChooser

            self.app.push_screen(ProfileChooser(), self._profile_chosen)

    def _profile_chosen(self, choice: tuple[str, int | None] | None) -> None:
        if choice is None or self.live is None:
            return
        kind, seconds = choice
        waiting = f" ({seconds}s)" if seconds else ""
        self._note(f"fetching the {kind} profile{waiting}…")
        self.fetch_profile(kind, seconds)

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def fetch_profile(self, kind: str, seconds: int | None) -> None:
        from triage.pprof.decode import decode

        assert self.live is not None
        body = self.live.client.profile(kind, seconds)
        name = f"{kind} profile"
        self._post_profile_tree(decode(body, name=name), name, None)
        self.post_message(StatusNote(f"{name} fetched: flame graph (2)"))
