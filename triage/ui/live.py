"""The UI side of an attach: timers, thread workers and messages around a LiveSession.

All state and every decision (what is due, backoff, growth, when to stop
refreshing a huge dump) lives in :class:`triage.live.session.LiveSession`,
which knows nothing of Textual. This controller only runs the session's
blocking fetches in thread workers of its host screen, brings the results
back as :class:`LiveFetched` messages, and tells its :class:`LiveView` what
to redraw.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Protocol

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from triage.errors import TriageError
from triage.live.fetcher import Capability
from triage.live.session import Fetched, FetchFailed, LiveSession, SnapshotFetched, SnapshotView
from triage.ui.messages import StatusNote

if TYPE_CHECKING:
    from triage.cluster.fetcher import PodFetcher
    from triage.config import Config
    from triage.live.profiles import Collection
    from triage.pprof.model import Profile
    from triage.targets import KubeTarget


#: how long a note (a fetched profile, an error) stays before the session's status line
HOLD_SECONDS = 8.0


class LiveFetched(Message):
    """A poll's result, from a worker thread (only the newest snapshot matters)."""

    def __init__(self, result: Fetched) -> None:
        super().__init__()
        self.result = result

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, LiveFetched)
            and isinstance(message.result, SnapshotFetched)
            and isinstance(self.result, SnapshotFetched)
        )


class LiveView(Protocol):
    """What the controller asks of the screen that shows the session."""

    def note(self, text: str, level: str = "info") -> None:
        """Put one line in the status bar."""

    def show_snapshot(self, label: str, view: SnapshotView) -> None:
        """Show a new goroutine snapshot (with growth rates)."""

    def show_health(self) -> None:
        """Redraw the health pane from the session's trackers."""

    def show_fetch_error(self, text: str) -> None:
        """A goroutine fetch failed (shown in the pane while nothing else is)."""

    def post_profile_tree(self, profile: Profile, name: str, sample_type: str | None) -> None:
        """(worker thread) Build and post a profile's flame graph."""

    def show_stale(self, text: str) -> None:
        """Mark what is on screen as old ("stale since HH:MM:SS")."""


class LiveController:
    """Drives one LiveSession from a screen's timers and workers."""

    def __init__(self, host: Screen[None], view: LiveView, session: LiveSession) -> None:
        self.host = host
        self.view = view
        self.session = session
        #: the profile being fetched (its countdown shows in the status line)
        self.collecting: Collection | None = None
        self._profile_worker: Worker[None] | None = None
        self._held_until = 0.0

    def start(self) -> None:
        """Fetch everything once now, poll on a half-second tick, refresh the status each second."""
        for poll in self.session.first_polls():
            self._launch(poll)
        self.host.set_interval(0.5, self.tick)
        self.host.set_interval(1.0, self.show_status)
        self.show_status()

    def tick(self) -> None:
        for poll in self.session.due():
            self._launch(poll)

    def _launch(self, poll: Capability) -> None:
        self.host.run_worker(
            partial(self._fetch, poll),
            thread=True,
            group=f"live-{poll.value}",
            exit_on_error=False,
            name=poll.value,
        )

    def _fetch(self, poll: Capability) -> None:
        """(worker thread) One poll; the result goes back to the UI thread as a message."""
        self.host.post_message(LiveFetched(self.session.fetch(poll)))

    def received(self, event: LiveFetched) -> None:
        """A poll's result, on the UI thread: record it, then redraw what changed."""
        shown = self.session.apply(event.result)
        if shown is not None:
            self.view.show_snapshot(self.session.label, shown)
            if shown.note:
                self.view.note(shown.note, "warning")
            return
        if isinstance(event.result, FetchFailed):
            self.show_status()
            if event.result.poll is Capability.GOROUTINES:
                self.view.show_fetch_error(f"goroutines: {event.result.error}")
                self.view.show_stale(self.session.stale(Capability.GOROUTINES))
        self.view.show_health()

    def show_status(self) -> None:
        """The status line: a profile's countdown first, then a held note, then the
        session's own line (which would otherwise replace every note within a second)."""
        now = time.monotonic()
        if self.collecting is not None:
            worker = self._profile_worker
            if worker is None or not worker.is_finished:
                self.view.note(self.collecting.line(now))
                return
            self.collecting = None  # failed: the worker handler has the reason
        if now < self._held_until:
            return
        text, level = self.session.status_line()
        self.view.note(text, level)

    def hold(self, text: str, level: str = "info", seconds: float = HOLD_SECONDS) -> None:
        """Show ``text`` and keep it over the session's status line for ``seconds``."""
        self._held_until = time.monotonic() + seconds
        self.view.note(text, level)

    def refresh_now(self) -> None:
        """Take a goroutine snapshot now (the r key)."""
        if self.session.request_snapshot():
            self._launch(Capability.GOROUTINES)
        self.view.note("taking a goroutine snapshot…")

    def toggle_live(self) -> None:
        on_now = self.session.toggle_live()
        self.view.note("live refresh on" if on_now else "live refresh off (r takes a snapshot)")

    def choose_profile(self) -> None:
        """``p``: cancel the profile on its way, else ask which one to fetch."""
        if self.cancel_profile():
            return
        from triage.ui.screens.profile import ProfileChooser

        def chosen(choice: tuple[str, int | None] | None) -> None:
            if choice is not None:
                self.fetch_profile(*choice)

        self.host.app.push_screen(ProfileChooser(), chosen)

    def fetch_profile(self, kind: str, seconds: int | None) -> None:
        """Fetch a profile in a worker; its flame graph replaces the current one.

        The status line counts down while the target samples (see :meth:`show_status`).
        """
        from triage.live.profiles import Collection

        self.collecting = Collection(kind, seconds, time.monotonic())
        self._profile_worker = self.host.run_worker(
            partial(self._profile, kind, seconds),
            thread=True,
            exclusive=True,
            group="profile",
            exit_on_error=False,
            name="profile",
        )
        self.show_status()

    def cancel_profile(self) -> bool:
        """Stop waiting for the profile being fetched; False when none is.

        The target finishes its sampling anyway (an HTTP request cannot take it
        back), so its answer is dropped when it comes.
        """
        if self.collecting is None or self._profile_worker is None:
            return False
        from triage.live.profiles import kind_name

        name = f"{kind_name(self.collecting.kind)} profile"
        self._profile_worker.cancel()
        self.collecting = None
        self.hold(f"{name} cancelled (the target finishes its sampling and it is dropped)")
        return True

    def _profile(self, kind: str, seconds: int | None) -> None:
        """(worker thread) Errors end the worker; the screen's handler shows them."""
        from triage.live.profiles import empty_reason, is_empty

        profile = self.session.fetch_profile(kind, seconds)
        if get_current_worker().is_cancelled:
            return
        if is_empty(profile):
            line = f"{profile.name}: {empty_reason(kind)}"
            self.host.app.call_from_thread(self._profile_done, line, "warning")
            return
        self.view.post_profile_tree(profile, profile.name, None)
        self.host.app.call_from_thread(
            self._profile_done, f"{profile.name} fetched: flame graph (2)", "info"
        )

    def _profile_done(self, text: str, level: str) -> None:
        self.collecting = None
        self.hold(text, level)

    def close(self) -> None:
        self.session.close()


class PodAttached(Message):
    """A pod's fetcher is open (port-forwards started) and its session made."""

    def __init__(self, session: LiveSession, fetcher: PodFetcher) -> None:
        super().__init__()
        self.session = session
        self.fetcher = fetcher


def connect_pod(host: Screen[None], target: KubeTarget, config: Config) -> None:
    """Open a pod's fetcher (API calls, access reviews, port-forwards) in a worker of
    ``host``; :class:`PodAttached` comes back, or a warning note saying why there is
    no live data (the crash log, read separately, still shows)."""

    def work() -> None:
        from triage.cluster.fetcher import open_pod_fetcher
        from triage.workspace import pod_session

        try:
            fetcher = open_pod_fetcher(target, timeout=config.attach.timeout, direct=target.direct)
        except TriageError as exc:  # a toast too: the status line is shared with the log's notes
            line = f"no live data: {exc.line()}"
            host.post_message(StatusNote(line, "warning"))
            host.app.call_from_thread(host.app.notify, line, severity="warning", timeout=20)
            return
        host.post_message(PodAttached(pod_session(fetcher, config), fetcher))

    host.run_worker(work, thread=True, group="attach", exit_on_error=False, name="attach")
