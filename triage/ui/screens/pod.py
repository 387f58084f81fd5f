"""The pod view: crash facts, events (newest first), and the container's log.

Reads run in thread workers (named groups ``pod-info`` and ``pod-log``) and come
back as typed messages. With only get/list/watch on pods the view still names
the crash from the termination message (read by the goroutine engine) and the
events, and says which permission (``pods/log``, ``pods/portforward``) would
show more. A Go traceback found in the log opens in the workspace with ``x``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, RichLog, Static

from triage.cluster.model import pod_crash
from triage.errors import TriageError
from triage.ui.action_flow import ActionsMixin
from triage.ui.keys import bindings
from triage.ui.render_pod import TAILS, LogChoice, crash_line, event_lines, facts, log_bar

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.timer import Timer

    from triage.cluster.client import KubeClient
    from triage.cluster.kubeconfig import ConnectOptions

JSON = dict[str, Any]
FOLLOW_EVERY = 2.0


class PodInfo(Message):
    """Permissions, events and the termination message's crash."""

    def __init__(
        self, hints: list[str], logs: bool, events: list[str], crash: str, message: bytes
    ) -> None:
        super().__init__()
        self.message = message
        self.hints = hints
        self.logs = logs
        self.events = events
        self.crash = crash


class PodLog(Message):
    """A log read: its bytes (or the error line) and what the engine found in it."""

    def __init__(
        self, choice: LogChoice, data: bytes, error: str | None, crash: JSON | None
    ) -> None:
        super().__init__()
        self.choice = choice
        self.data = data
        self.error = error
        self.crash = crash

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PodLog)


def safe_name(text: str) -> str:
    """A file-name-safe spelling of a pod or container name."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


class PodScreen(ActionsMixin, Screen[None]):
    """One pod: facts, events and log (no action key: :class:`ActingPodScreen` has them)."""

    #: where actions connect (None: this screen's client)
    options: ConnectOptions | None = None

    BINDINGS = bindings(
        "screen.back",
        "pod.previous",
        "pod.container",
        "pod.tail",
        "pod.follow",
        "pod.timestamps",
        "pod.wrap",
        "pod.save",
        "pod.crash",
        "data.bundle",
    )
    DEFAULT_CSS = """
    PodScreen #pod-facts { height: auto; padding: 0 1; }
    PodScreen #pod-access { height: auto; padding: 0 1; color: $warning; }
    PodScreen #pod-termination { height: auto; padding: 0 1; }
    PodScreen #pod-crash { height: auto; padding: 0 1; text-style: bold; }
    PodScreen #pod-events { height: auto; max-height: 8; padding: 0 1; }
    PodScreen #pod-logbar { height: 1; padding: 0 1; background: $boost; }
    PodScreen RichLog { height: 1fr; }
    """

    def __init__(self, client: KubeClient, pod: JSON, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.client = client
        self.pod = pod
        self.clock = clock
        self.crash = pod_crash(pod, clock())
        self.containers = [c.name for c in self.crash.containers if not c.init]
        worst = self.crash.worst
        first = worst.name if worst is not None and not worst.init else ""
        self.choice = LogChoice(first or (self.containers[0] if self.containers else ""))
        self.logs_allowed = True
        self.log_data = b""
        self.log_crash: JSON | None = None
        #: the termination message, when the engine names a crash in it
        self.termination_crash = b""
        self._follow: Timer | None = None

    @property
    def namespace(self) -> str:
        """The pod's namespace."""
        return self.crash.namespace

    def compose(self) -> ComposeResult:
        yield Static("\n".join(facts(self.crash, None, self.clock())), id="pod-facts")
        yield Static("", id="pod-termination")
        yield Static("", id="pod-crash")
        yield Static("", id="pod-access")
        yield Static("events: reading…", id="pod-events")
        yield Static(log_bar(self.choice, self.containers), id="pod-logbar")
        yield RichLog(id="pod-log", wrap=False, max_lines=20000)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RichLog).focus()
        self._info()
        self._read()

    # -- workers ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="pod-info", exit_on_error=False)
    def _info(self) -> None:
        from triage.cluster.access import permissions
        from triage.cluster.crashes import engine_crash
        from triage.cluster.logs import termination_message

        perms = permissions(self.client, self.namespace)
        try:
            items, _ = self.client.list(
                "events", self.namespace, field_selector=f"involvedObject.name={self.crash.name}"
            )
            events = event_lines(items, self.clock()) or ["no events about this pod"]
        except TriageError as exc:
            events = [exc.line()]
        message = termination_message(self.pod)
        crash = crash_line(engine_crash(message), "termination message") if message else ""
        found = message if crash and not crash.startswith("no Go crash") else b""
        self.post_message(PodInfo(perms.missing(), perms.logs, events, crash, found))

    @work(thread=True, exclusive=True, group="pod-log", exit_on_error=False)
    def _read(self) -> None:
        from triage.cluster.crashes import engine_crash

        choice = self.choice
        try:
            data = self.client.read_log(
                self.namespace,
                self.crash.name,
                container=choice.container or None,
                previous=choice.previous,
                tail_lines=choice.tail,
                timestamps=choice.timestamps,
            )
        except TriageError as exc:
            self.post_message(PodLog(choice, b"", exc.line(), None))
            return
        self.post_message(PodLog(choice, data, None, engine_crash(data) if data else None))

    # -- messages -----------------------------------------------------------------

    def on_pod_info(self, event: PodInfo) -> None:
        self.logs_allowed = event.logs
        self.query_one("#pod-events", Static).update(
            "events (newest first):\n" + "\n".join(event.events)
        )
        hints = [f"✖ {h}" for h in event.hints]
        self.query_one("#pod-access", Static).update("\n".join(hints))
        self.termination_crash = event.message
        if event.crash:
            self.query_one("#pod-termination", Static).update(event.crash)

    def on_pod_log(self, event: PodLog) -> None:
        if event.choice != self.choice:
            return  # an older read that lost the race with a key press
        log = self.query_one(RichLog)
        log.clear()
        if event.error is not None:
            log.write(f"✖ {event.error}")
            self.log_data, self.log_crash = b"", None
            return
        self.log_data, self.log_crash = event.data, event.crash
        text = event.data.decode("utf-8", "replace")
        log.write(text if text else f"(the {self.choice.which} log is empty)")
        line = ""
        if event.crash is not None:
            line = crash_line(event.crash, f"{self.choice.which} log") + " — x opens it"
        self.query_one("#pod-crash", Static).update(line)
        # the log's crash says more than the message's 4096 bytes: one line, not two
        self.query_one("#pod-termination", Static).display = event.crash is None

    # -- keys ---------------------------------------------------------------------

    def _set(self, **changes: Any) -> None:
        self.choice = replace(self.choice, **changes)
        self.query_one("#pod-logbar", Static).update(log_bar(self.choice, self.containers))
        self._read()

    # -- actions (keys bound by ActingPodScreen only) -------------------------------

    def connect_options(self) -> ConnectOptions | None:
        return self.options

    def show_action_status(self, text: str, *, failed: bool) -> None:
        self.notify(text, severity="error" if failed else "information", markup=False)

    def action_target(self, command: str) -> tuple[list[str], str] | None:
        """This pod, or its node."""
        crash = self.crash
        if command == "delete":
            return ["delete", f"pod/{crash.name}"], crash.namespace
        if command in ("cordon", "uncordon", "drain") and crash.node:
            extra = ["--ignore-daemonsets"] if command == "drain" else []
            return [command, crash.node, *extra], crash.namespace
        return None

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_previous(self) -> None:
        self._set(previous=not self.choice.previous)

    def action_next_container(self) -> None:
        if self.containers:
            index = (
                self.containers.index(self.choice.container)
                if self.choice.container in self.containers
                else -1
            )
            self._set(container=self.containers[(index + 1) % len(self.containers)])

    def action_next_tail(self) -> None:
        index = TAILS.index(self.choice.tail) if self.choice.tail in TAILS else -1
        self._set(tail=TAILS[(index + 1) % len(TAILS)])

    def action_toggle_timestamps(self) -> None:
        self._set(timestamps=not self.choice.timestamps)

    def action_toggle_wrap(self) -> None:
        log = self.query_one(RichLog)
        log.wrap = not self.choice.wrap
        self._set(wrap=not self.choice.wrap)

    def action_toggle_follow(self) -> None:
        follow = not self.choice.follow
        if self._follow is not None:
            self._follow.stop()
            self._follow = None
        if follow:
            self._follow = self.set_interval(FOLLOW_EVERY, self._read)
        self._set(follow=follow, previous=False if follow else self.choice.previous)

    def _save_path(self, which: str | None = None) -> Path:
        from triage.locations import data_dir, ensure

        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        pod, container = safe_name(self.crash.name), safe_name(self.choice.container)
        name = f"{pod}-{container}-{which or self.choice.which}-{stamp}.log"
        return ensure(data_dir() / "pod-logs") / name

    def action_save_log(self) -> None:
        if not self.log_data:
            self.notify("nothing to save: the log is empty or was not read", severity="warning")
            return
        path = self._save_path()
        path.write_bytes(self.log_data)
        self.notify(f"saved {len(self.log_data)} bytes to {path}")

    def action_capture_bundle(self) -> None:
        """B: an incident bundle of this pod, through the same context as this view."""
        from triage.targets import KubeTarget
        from triage.ui.bundle_capture import bundle_directory, start_capture

        paths = self.client.selection.paths
        namespace = str((self.pod.get("metadata") or {}).get("namespace") or "") or None
        ref = KubeTarget(
            "pod",
            self.crash.name,
            namespace,
            self.client.context,
            str(paths[0]) if len(paths) == 1 else None,
        )
        config = getattr(self.app, "config", None)
        start_capture(self, ref, bundle_directory(config), self._say)

    def _say(self, text: str, level: str) -> None:
        severity = {"error": "error", "warning": "warning"}.get(level, "information")
        self.notify(text, severity=severity)  # type: ignore[arg-type]

    def action_open_crash(self) -> None:
        """The log as a dump in the goroutine engine's workspace (else the termination
        message, all a view-only user can read)."""
        data, which = self.log_data, self.choice.which
        if self.log_crash is None and self.termination_crash:
            data, which = self.termination_crash, "termination-message"
        elif self.log_crash is None:
            self.notify(
                "no Go traceback in this log: try p (previous container) or c (another container)",
                severity="warning",
            )
            return
        from triage.targets import FileTarget
        from triage.ui.screens.start import OpenRequested

        path = self._save_path(which)
        path.write_bytes(data)
        self.app.post_message(OpenRequested(FileTarget(str(path))))


class ActingPodScreen(PodScreen):
    """The pod view with its action keys: delete the pod, cordon, uncordon, drain its node."""

    BINDINGS = bindings("action.delete", "action.cordon", "action.uncordon", "action.drain")


def pod_screen(
    client: KubeClient,
    pod: JSON,
    clock: Callable[[], datetime],
    options: ConnectOptions | None,
    read_only: bool,
) -> PodScreen:
    """The pod view for the mode: read-only never has an action key bound."""
    screen = (PodScreen if read_only else ActingPodScreen)(client, pod, clock)
    screen.options = options
    return screen
