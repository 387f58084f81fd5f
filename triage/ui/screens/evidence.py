"""The workspace's evidence: save what was fetched (S), compare two dumps (c), and
mark live figures that stopped being true ("stale since HH:MM:SS").

A mixin of :class:`~triage.ui.screens.workspace.WorkspaceScreen`, kept apart so
that screen stays about layout and loading. Writing files happens in a thread
worker; comparing is core (:mod:`triage.goroutines.diff`), shown by
:class:`~triage.ui.screens.compare.CompareScreen`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen
from textual.widgets import Static

from triage.ui.keys import bindings
from triage.ui.messages import BundleRead, StatusNote
from triage.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from triage.config import Config
    from triage.goroutines import DumpAnalysis
    from triage.live.session import LiveSession
    from triage.targets import KubeTarget
    from triage.workspace import Workspace


class EvidenceActions(Screen[None]):
    """``action_save_evidence`` and ``action_compare`` for the workspace."""

    model: Workspace
    dump_index: int
    live: LiveSession | None
    config: Config
    active: str
    pod: KubeTarget | None

    BINDINGS = bindings("data.save", "data.compare", "data.bundle")

    def note(self, text: str, level: str = "info") -> None:
        """One line in the status bar (also what the LiveController calls)."""
        self.query_one(StatusLine).note(text, level)

    def show_stale(self, text: str) -> None:
        """Put "stale since HH:MM:SS" on the titles that still show the last snapshot's
        figures (the next snapshot's titles replace them)."""
        if not text:
            return
        for selector in ("#title", "#goroutines-title"):
            for title in self.query(selector).results(Static):
                shown = str(title.content).split(" · stale since ")[0]
                title.update(f"{shown} · {text}")

    # --- S: save -------------------------------------------------------------------

    def action_save_evidence(self) -> None:
        """Write the profile on show (flame pane, attached) or the current dump, raw."""
        directory = Path(self.config.attach.save_dir or Path.cwd())
        live = self.live
        if self.active == "flame" and live is not None and live.last_profile is not None:
            kind, raw = live.last_profile
            self._write(directory, live.label, "profile", partial(bytes, raw), kind)
            return
        if not self.model.every_dump():
            self.note("nothing to save: no goroutine dump is open", "warning")
            return
        from triage.evidence import as_bytes, dump_bytes

        every = self.model.every_dump()
        name, which, index = every[self.dump_index % len(every)]
        loaded = self.model.dumps[which]
        # a file: its bytes as read (the whole log); a snapshot: the body as fetched
        payload, dump = loaded.payload, loaded.analysis.dumps[index].dump
        data = partial(as_bytes, payload.data) if payload is not None else partial(dump_bytes, dump)
        label = live.label if live is not None else Path(name).name
        self._write(directory, label, "goroutines", data, "")

    @work(thread=True, group="save", exit_on_error=False)
    def _write(
        self, directory: Path, label: str, kind: str, read: Callable[[], bytes], detail: str
    ) -> None:
        """(worker) Copying a large mapped file happens here, off the UI thread; errors
        end the worker and the screen's handler shows their line."""
        from triage.evidence import evidence_name, save

        data = read()
        path = save(directory, evidence_name(label, kind, datetime.now(UTC), detail), data)
        what = "goroutine dump" if kind == "goroutines" else f"{detail} profile"
        self.post_message(StatusNote(f"saved the {what} ({len(data):,} bytes) to {path}"))

    # --- B: incident bundle ----------------------------------------------------------

    def action_capture_bundle(self) -> None:
        """A bundle of the pod or workload this workspace is attached to."""
        if self.pod is None:
            self.note("B captures a bundle of a pod: triage attach pod/NAME first", "warning")
            return
        from triage.ui.bundle_capture import bundle_directory, start_capture

        start_capture(self, self.pod, bundle_directory(self.config), self.note)

    def on_bundle_read(self, event: BundleRead) -> None:
        """A bundle's manifest, probes and metrics: static, where live health would be."""
        from textual.content import Content

        from triage.ui.widgets.placeholder import PaneMessage

        for message in self.query("#health-message").results(PaneMessage):
            message.update(Content("\n".join(event.lines)))

    # --- c: compare ----------------------------------------------------------------

    def action_compare(self) -> None:
        """Attached: the current snapshot against the oldest one kept. Files: the dump
        on show against the one before it (open another file with o first)."""
        from triage.goroutines.diff import diff_dumps
        from triage.ui.screens.compare import CompareScreen

        pair = self._comparison()
        if pair is None:
            return
        (base_name, old), (name, new) = pair
        diff = diff_dumps(old, new, base_name)
        title = f"{name} compared with {base_name}"
        self.app.push_screen(CompareScreen(diff, title, new, old))

    def _compare_with(self, spec: str | None) -> None:
        if spec:
            self.note(f"reading {spec} to compare…")
            self._load_base(spec, self.dump_index)

    @work(thread=True, group="compare", exclusive=True, exit_on_error=False)
    def _load_base(self, spec: str, index: int) -> None:
        """(worker) Read the other dump; a failure is one line in the status bar."""
        from triage.goroutines.diff import diff_dumps
        from triage.ui.screens.compare import CompareScreen
        from triage.workspace import load_dump

        name, new = self.model.dump_at(index)
        loaded = load_dump(spec, level=self.model.level, thresholds=self.config.thresholds)
        try:
            old = loaded.analysis.primary
            if old is None:  # load_dump refuses input without dumps; kept for the type
                return
            diff = diff_dumps(old, new, loaded.name, self.model.level.literal)
        finally:
            loaded.close()
        title = f"{name} compared with {loaded.name}"
        screen = CompareScreen(diff, title, new)  # the other file is closed again
        self.app.call_from_thread(self.app.push_screen, screen)

    def _comparison(
        self,
    ) -> tuple[tuple[str, DumpAnalysis], tuple[str, DumpAnalysis]] | None:
        live = self.live
        if live is not None:
            if len(live.kept) < 2:
                self.note("one snapshot so far: c compares once r (or live refresh) takes another")
                return None
            (then, old), (now, new) = live.kept[0], live.kept[-1]
            local = "%H:%M:%S"
            return (
                (f"the snapshot of {then.astimezone().strftime(local)}", old),
                (f"{live.label} at {now.astimezone().strftime(local)}", new),
            )
        every = len(self.model.every_dump())
        if every == 0:
            self.note("no goroutine dump open to compare")
            return None
        if every < 2:
            from triage.ui.screens.compare import ComparePrompt

            self.app.push_screen(ComparePrompt(), self._compare_with)
            return None
        base = self.model.dump_at((self.dump_index - 1) % every)
        return (Path(base[0]).name, base[1]), self.model.dump_at(self.dump_index)
