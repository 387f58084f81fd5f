"""The cluster screen: workloads and their pods with crash signals, kept live.

A thread worker (group ``cluster-watch``) runs :class:`~triage.ui.cluster_feed.ClusterFeed`:
connect, list, watch; each coalesced batch arrives here as one replaceable
:class:`ClusterSnapshot` with its rows already built, so a burst never floods
the loop. When the cluster cannot be reached or the credentials are refused,
the status line says which and ``r`` retries; the rest of the app (``o`` opens
files) keeps working.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from triage.cluster.kubeconfig import ConnectOptions
from triage.errors import TriageError
from triage.ui.action_flow import ActionsMixin, argv_of, describe
from triage.ui.cluster_feed import ClusterFeed, status_of
from triage.ui.cluster_model import WorkloadView
from triage.ui.keys import bindings
from triage.ui.render_cluster import Row, build_rows, summary_text
from triage.ui.widgets.cluster_list import ClusterList, RowChosen

if TYPE_CHECKING:
    from textual.worker import Worker

    from triage.actions.suggest import Suggestion

Clock = Callable[[], datetime]
Fold = frozenset[tuple[str, str, str]]


def utc_now() -> datetime:
    """The real clock (tests inject a fixed one)."""
    return datetime.now(UTC)


class ClusterSnapshot(Message):
    """The workloads after a batch, with their rows; a newer one replaces a queued one."""

    def __init__(self, workloads: list[WorkloadView], rows: list[Row]) -> None:
        super().__init__()
        self.workloads = workloads
        self.rows = rows

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClusterSnapshot)


class ClusterStatus(Message):
    """The connection's state for the status line (None: all is well)."""

    def __init__(self, text: str | None, *, failed: bool = False) -> None:
        super().__init__()
        self.text = text
        self.failed = failed

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ClusterStatus) and not message.failed


class ActionRequested(Message):
    """The hook for safe actions (triage/actions/): a workload or pod the user chose.

    Posted by :meth:`ClusterScreen.request_action` (the action keys go through
    :class:`~triage.ui.action_flow.ActionsMixin` instead).
    """

    def __init__(self, row: Row) -> None:
        super().__init__()
        self.workload = row.workload.ref
        self.pod = row.pod.crash.name if row.pod is not None else None


#: the action keys of the cluster screen (destructive: never bound in read-only mode)
ACTION_KEYS = (
    "action.suggest",
    "action.rollback",
    "action.restart",
    "action.scale",
    "action.patch",
    "action.delete",
    "action.cordon",
    "action.uncordon",
    "action.drain",
)
WORKLOAD_ACTIONS = ("rollback", "restart", "scale", "patch")
NODE_ACTIONS = ("cordon", "uncordon", "drain")


class ClusterScreen(ActionsMixin, Screen[None]):
    """Workloads worst first; enter folds a workload or opens a pod.

    This class binds no action key: it is the read-only screen.
    :class:`ActingClusterScreen` adds the keys; :func:`cluster_screen` picks one.
    """

    read_only = True
    BINDINGS = bindings(
        "cluster.filter",
        "cluster.retry",
        "cluster.all_namespaces",
        "action.approvals",
        "action.revisions",
    )
    DEFAULT_CSS = """
    ClusterScreen #cluster-title { height: 1; padding: 0 1; text-style: bold; }
    ClusterScreen #cluster-filter { display: none; height: 3; }
    ClusterScreen #cluster-filter.shown { display: block; }
    ClusterScreen #cluster-status { height: auto; max-height: 3; padding: 0 1; }
    ClusterScreen #cluster-status.failed { background: $error 30%; }
    ClusterScreen #cluster-suggestion { height: auto; max-height: 2; padding: 0 1;
        display: none; }
    ClusterScreen #cluster-suggestion.shown { display: block; background: $warning 20%; }
    """

    def __init__(self, options: ConnectOptions, clock: Clock = utc_now) -> None:
        super().__init__()
        self.options = options
        self.clock = clock
        self.workloads: list[WorkloadView] = []
        self.query_text = ""
        self.expanded: Fold = frozenset()
        self.collapsed: Fold = frozenset()
        self.status = "connecting…"
        self._feed: ClusterFeed | None = None
        #: the first proposal on screen (the worst workload's that has one)
        self.suggestion: Suggestion | None = None
        #: the last action's progress or outcome (kept beside "live" as batches arrive)
        self.action_line = ""

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="cluster-title")
        yield Input(placeholder="filter workloads and pods (fuzzy)", id="cluster-filter")
        yield ClusterList(id="cluster-list")
        yield Static("", id="cluster-suggestion", markup=False)
        yield Static(self.status, id="cluster-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ClusterList).focus()
        self._start()

    def on_unmount(self) -> None:
        if self._feed is not None:
            self._feed.stop()

    # -- the worker ---------------------------------------------------------------

    def _start(self) -> None:
        if self._feed is not None:
            self._feed.stop()
        feed: ClusterFeed

        def snapshot(workloads: list[WorkloadView]) -> None:
            if feed is self._feed:  # a stopped feed's last words are not news
                self._snapshot(workloads)

        def status(text: str | None) -> None:
            if feed is self._feed:
                self._status(text)

        feed = ClusterFeed(self.options, self.clock, snapshot, status)
        self._feed = feed
        self._set_status("connecting…", failed=False)
        self._watch(feed)

    @work(thread=True, exclusive=True, group="cluster-watch", exit_on_error=False)
    def _watch(self, feed: ClusterFeed) -> None:
        try:
            feed.run()
        except TriageError as exc:
            if feed is self._feed:
                self.post_message(ClusterStatus(status_of(exc), failed=True))

    def _snapshot(self, workloads: list[WorkloadView]) -> None:
        """In the worker's thread: build the rows there, post one message."""
        rows = build_rows(
            workloads,
            self.clock(),
            query=self.query_text,
            expanded=self.expanded,
            collapsed=self.collapsed,
        )
        self.post_message(ClusterStatus(None))
        self.post_message(ClusterSnapshot(workloads, rows))

    def _status(self, text: str | None) -> None:
        self.post_message(ClusterStatus(text))

    def on_cluster_snapshot(self, event: ClusterSnapshot) -> None:
        self.workloads = event.workloads
        self.query_one(ClusterList).show(event.rows)
        self.query_one("#cluster-title", Static).update(self._title())
        self._show_suggestion()

    def _show_suggestion(self) -> None:
        """The worst workload's first proposal, one key (``a``) from its approval modal."""
        from triage.ui.suggestions import first_for

        known = self._known_revisions()
        found = next(
            (
                s
                for w in self.workloads
                if w.signature is not None and (s := first_for(w, self.workloads, known))
            ),
            None,
        )
        self.suggestion = found
        line = self.query_one("#cluster-suggestion", Static)
        line.set_class(found is not None, "shown")
        if found is not None:
            key = "" if self.read_only else "  — a: review and approve"
            line.update(f"▶ suggestion: {describe(found)} ({found.why}){key}")

    def _known_revisions(self) -> dict[tuple[str, str], set[int]]:
        from triage.ui.suggestions import known_revisions

        feed = self._feed
        return known_revisions(feed.model.revisions.replicasets) if feed is not None else {}

    def on_cluster_status(self, event: ClusterStatus) -> None:
        if event.text is None:
            if self.workloads or self.status.startswith("connecting"):
                ok = self._ok_status()
                self._set_status(
                    f"{ok} · {self.action_line}" if self.action_line else ok, failed=False
                )
            return
        self._set_status(event.text + " — r retries, o opens files", failed=event.failed)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        from textual.worker import WorkerState

        worker = event.worker
        if worker.group == "cluster-watch" and event.state == WorkerState.ERROR:
            error = worker.error
            self._set_status(
                f"internal error watching the cluster ({type(error).__name__}: {error})",
                failed=True,
            )

    # -- display ------------------------------------------------------------------

    def _ok_status(self) -> str:
        feed = self._feed
        server = feed.client.server if feed is not None and feed.client is not None else ""
        return "live: watching pods" if server else "live"

    def _set_status(self, text: str, *, failed: bool) -> None:
        self.status = text
        if self.is_mounted:
            widget = self.query_one("#cluster-status", Static)
            widget.update(("✖ " if failed else "● ") + text)
            widget.set_class(failed, "failed")

    def _title(self) -> str:
        feed = self._feed
        context = self.options.context or ""
        namespace = self.options.namespace or ""
        if feed is not None and feed.client is not None:
            context = feed.client.context
            namespace = feed.client.namespace
        where = "all namespaces" if self.options.all_namespaces else f"namespace {namespace or '?'}"
        head = f"cluster {context or '?'} · {where}"
        return f"{head} · {summary_text(self.workloads)}" if self.workloads else head

    def rebuild(self) -> None:
        """Rows again from the last snapshot (after a filter or a fold)."""
        rows = build_rows(
            self.workloads,
            self.clock(),
            query=self.query_text,
            expanded=self.expanded,
            collapsed=self.collapsed,
        )
        self.query_one(ClusterList).show(rows)

    # -- keys ---------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#cluster-filter", Input)
        field.add_class("shown")
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.remove_class("shown")
        self.query_one(ClusterList).focus()

    def action_retry(self) -> None:
        self._start()

    def action_toggle_all_namespaces(self) -> None:
        self.switch_to(all_namespaces=not self.options.all_namespaces)

    def switch_to(
        self,
        *,
        context: str | None = None,
        namespace: str | None = None,
        all_namespaces: bool | None = None,
    ) -> None:
        """Watch another context or namespace (from the palette)."""
        opts = self.options
        if context is not None:
            opts = replace(opts, context=context, namespace=None)
        if namespace is not None:
            opts = replace(opts, namespace=namespace, all_namespaces=False)
        if all_namespaces is not None:
            opts = replace(opts, all_namespaces=all_namespaces)
        read_only = self.app.read_only_for(opts)
        if read_only != self.read_only:  # the other mode's keys: the other screen
            self.app.switch_screen(cluster_screen(opts, self.clock, read_only))
            return
        self.options = opts
        self.workloads = []
        self.query_one(ClusterList).show([])
        self.query_one("#cluster-title", Static).update(self._title())
        self._start()

    def on_row_chosen(self, event: RowChosen) -> None:
        row = event.row
        pod = row.pod
        if row.kind == "signature":  # the crash of the fleet: its worst pod, one key away
            pod = row.workload.pods[0] if row.workload.pods else None
        if pod is not None:
            feed = self._feed
            if feed is None or feed.client is None:
                return
            from triage.ui.screens.pod import pod_screen

            self.app.push_screen(
                pod_screen(feed.client, pod.raw, self.clock, self.options, self.read_only)
            )
            return
        ref = row.workload.ref
        key = (ref.namespace, ref.kind, ref.name)
        is_open = any(r.workload.ref == ref and r.kind == "pod" for r in self._rows())
        if is_open:
            self.collapsed |= {key}
            self.expanded -= {key}
        else:
            self.expanded |= {key}
            self.collapsed -= {key}
        self.rebuild()

    def _rows(self) -> list[Row]:
        return self.query_one(ClusterList).rows

    def request_action(self) -> None:
        """Hand the row under the cursor to the actions flow (see :class:`ActionRequested`)."""
        row = self.query_one(ClusterList).current
        if row is not None:
            self.post_message(ActionRequested(row))

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Context and namespace switches for the command palette."""
        from functools import partial

        from triage.ui.cluster_feed import context_names

        out: list[tuple[str, str, Callable[[], object]]] = []
        for name in context_names(self.options):
            out.append(
                (
                    f"Context: {name}",
                    "watch this kubeconfig context",
                    partial(self.switch_to, context=name),
                )
            )
        for ns in self._feed.namespaces if self._feed is not None else []:
            out.append(
                (f"Namespace: {ns}", "watch this namespace", partial(self.switch_to, namespace=ns))
            )
        out.append(
            (
                "Namespace: all",
                "watch every namespace",
                partial(self.switch_to, all_namespaces=True),
            )
        )
        return out

    # -- actions (keys bound by ActingClusterScreen only) ---------------------------

    def connect_options(self) -> ConnectOptions | None:
        """Each action connects on its own (the watch keeps its client)."""
        return self.options

    def show_action_status(self, text: str, *, failed: bool) -> None:
        self.action_line = ("✖ " if failed else "") + text
        self._set_status(text, failed=failed)

    def action_target(self, command: str) -> tuple[list[str], str] | None:
        """What the key acts on: the workload under the cursor, or the pod and its node."""
        row = self.query_one(ClusterList).current
        if row is None:
            return None
        ref = row.workload.ref
        if command in WORKLOAD_ACTIONS:
            return [command, f"{ref.kind.lower()}/{ref.name}"], ref.namespace
        pod = row.pod
        if pod is None and row.kind == "signature" and row.workload.pods:
            pod = row.workload.pods[0]
        if pod is None:
            return None
        if command == "delete":
            return ["delete", f"pod/{pod.crash.name}"], ref.namespace
        if not pod.crash.node:
            return None
        extra = ["--ignore-daemonsets"] if command == "drain" else []
        return [command, pod.crash.node, *extra], ref.namespace

    def action_suggested(self) -> None:
        """``a``: the proposal of the workload under the cursor (else the one shown)."""
        from triage.ui.suggestions import first_for

        row = self.query_one(ClusterList).current
        known = self._known_revisions()
        found = first_for(row.workload, self.workloads, known) if row is not None else None
        found = found or self.suggestion
        if found is None:
            self._set_status("no suggestion here: nothing to propose", failed=False)
            return
        namespace = row.workload.ref.namespace if row is not None else ""
        self.start_action(argv_of(found), namespace, reason=found.why)

    def action_approvals(self) -> None:
        """The pending two-person requests of this namespace and the nodes."""
        from triage.ui.screens.approvals import approvals_screen

        self.app.push_screen(approvals_screen(self.options, self.read_only))

    def action_revisions(self) -> None:
        """The revisions of the Deployment under the cursor (anchor, last good; R, m)."""
        from triage.ui.screens.revisions import ActingRevisionsScreen, RevisionsScreen

        row = self.query_one(ClusterList).current
        if row is None or row.workload.ref.kind != "Deployment":
            self._set_status("revisions: choose a Deployment first", failed=True)
            return
        ref = row.workload.ref
        kind = RevisionsScreen if self.read_only else ActingRevisionsScreen
        clean_for = self.app.config.actions.last_good_minutes * 60
        self.app.push_screen(
            kind(
                self.options,
                ref.namespace,
                ref.name,
                clean_for,
                lambda argv: self.start_action(argv, ref.namespace),
            )
        )


class ActingClusterScreen(ClusterScreen):
    """The cluster screen with the action keys bound."""

    read_only = False
    BINDINGS = bindings(*ACTION_KEYS)


def cluster_screen(options: ConnectOptions, clock: Clock, read_only: bool) -> ClusterScreen:
    """The screen for the mode: read-only never has an action key bound."""
    return (ClusterScreen if read_only else ActingClusterScreen)(options, clock)
