"""The triage Textual app: themes, keymap, palette, and the first screen."""

from __future__ import annotations

import os
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.screen import Screen

from triage.config import Config
from triage.errors import TriageError
from triage.preload import Preload
from triage.recent import load_recent, remember
from triage.targets import Target, UrlTarget, parse_targets
from triage.ui import themes
from triage.ui.keymap import Keymap
from triage.ui.keys import bindings
from triage.ui.marks import mark
from triage.ui.palette import TriageCommands
from triage.ui.screens.splash import SplashScreen

if TYPE_CHECKING:  # imported after the first frame (start-up speed)
    from collections.abc import Callable
    from datetime import datetime

    from triage.cluster.kubeconfig import ConnectOptions
    from triage.pprof.query import ProfileQuery
    from triage.ui.live import LiveFetched
    from triage.ui.messages import SourceLoaded, StatusNote
    from triage.ui.screens.start import OpenRequested
    from triage.ui.screens.workspace import WorkspaceScreen


@dataclass(slots=True)
class Launch:
    """What the command line asked for.

    ``paths`` and ``url`` are a shorthand for tests and benchmarks: they are
    parsed into ``targets`` once, here.
    """

    targets: list[Target] = field(default_factory=list)
    theme: str | None = None
    source_roots: list[Path] = field(default_factory=list)
    binary: str | None = None
    #: the pane in front at start ("goroutines", "flame" or "health")
    pane: str = "goroutines"
    #: files already being read in the background (triage.preload)
    preload: Preload | None = None
    #: NO_COLOR was set (TriageApp takes it out of the env: Textual then adds no filter)
    mono: bool = False
    #: what ``triage flame`` asked to see of a profile (type, filters)
    query: ProfileQuery | None = None
    #: a usable kubeconfig (or ``triage cluster``): open on the cluster screen
    cluster: ConnectOptions | None = None
    #: ``--readonly``: no action key is bound (the config can also say so, per context)
    read_only: bool = False
    #: the cluster screen's clock (tests freeze ages with it)
    clock: Callable[[], datetime] | None = None
    #: one line shown when the first screen opens (``triage demo``: what to try first)
    hint: str | None = None
    paths: InitVar[list[str] | None] = None
    url: InitVar[str | None] = None

    def __post_init__(self, paths: list[str] | None, url: str | None) -> None:
        self.targets = [*self.targets, *parse_targets(paths or [])]
        if url:
            self.targets.append(UrlTarget(url, base=True))


class TriageApp(App[None]):
    """Keyboard-driven triage of Go crashes."""

    TITLE = "triage"
    BINDINGS = bindings(
        "app.quit", "app.help", "app.palette", "app.open", "app.theme", "app.cluster"
    )
    # Only the app's own commands: Textual's system provider would add its Quit, Keys
    # and every built-in theme (nord, dracula…) beside ours.
    COMMANDS = {TriageCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, launch: Launch, config: Config, keymap: Keymap, warnings: list[str]) -> None:
        # NO_COLOR is honoured by the mono theme, drawn in the terminal's own colours.
        # Left in the environment, Textual would also add its Monochrome filter, chosen
        # before our theme is set: it reads ANSI colours (they have no RGB) as black, and
        # the mono theme came out black on black. So take it first, and remember it.
        if os.environ.pop("NO_COLOR", None) is not None:
            launch.mono = True
        super().__init__()
        self.launch = launch
        self.config = config
        self.keymap = keymap
        self.startup_warnings = warnings
        #: a target opened from the prompt, and its workspace, until it has data or failed
        self._opening: tuple[Target, WorkspaceScreen] | None = None

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def on_mount(self) -> None:
        found = themes.discover()
        for theme in found.themes:
            self.register_theme(theme)
        name, warning = themes.resolve(
            self.launch.theme or self.config.theme,
            set(self.available_themes),
            mono=self.launch.mono,
        )
        self.theme = name
        self.set_keymap(self.keymap.keys)
        for line in [*self.startup_warnings, *found.warnings, *self.keymap.warnings, warning]:
            if line:
                self.notify(line, severity="warning", timeout=10)
        labels = ", ".join(t.label for t in self.launch.targets)
        self.push_screen(SplashScreen(f"opening {labels} …" if labels else "starting"))
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The first frame is on screen: now import and compose the real screen."""
        mark("first_frame")
        if self.launch.targets:
            for target in self.launch.targets:
                remember(target)
            self.switch_screen(
                self._workspace(self.launch.targets, self.launch.preload, self.launch.query)
            )
        elif self.launch.cluster is not None:
            self.switch_screen(self._cluster_screen(self.launch.cluster))
            if self.launch.hint:
                self.notify(self.launch.hint, title="try this", timeout=120)
        else:
            from triage.ui.screens.start import StartScreen

            self.switch_screen(StartScreen(load_recent()))

    def _cluster_screen(self, options: ConnectOptions) -> Screen[None]:
        from triage.ui.screens.cluster import cluster_screen, utc_now

        return cluster_screen(options, self.launch.clock or utc_now, self.read_only_for(options))

    def read_only_for(self, options: ConnectOptions) -> bool:
        """Read-only here: ``--readonly``, the config, or the context listed read-only."""
        from triage.cluster.kubeconfig import select
        from triage.ui.action_flow import read_only

        try:
            context = select(options).context
        except TriageError:
            context = ""  # the screen says what is wrong with the kubeconfig
        return read_only(self.config, context, self.launch.read_only)

    def action_open_cluster(self) -> None:
        """The cluster screen: back to the one under this screen, else a new one."""
        from triage.cluster.kubeconfig import ConnectOptions
        from triage.ui.screens.cluster import ClusterScreen

        if isinstance(self.screen, ClusterScreen):
            return
        stack = self.screen_stack
        if len(stack) > 1 and isinstance(stack[-2], ClusterScreen):
            self.pop_screen()
            return
        self.push_screen(self._cluster_screen(self.launch.cluster or ConnectOptions()))

    def _workspace(
        self,
        targets: list[Target],
        preload: Preload | None = None,
        query: ProfileQuery | None = None,
    ) -> WorkspaceScreen:
        from triage.ui.screens.workspace import WorkspaceScreen

        return WorkspaceScreen(
            targets,
            config=self.config,
            source_roots=self.launch.source_roots,
            binary=self.launch.binary,
            pane=self.launch.pane,
            preload=preload,
            query=query,
        )

    def on_open_requested(self, event: OpenRequested) -> None:
        """Open over what is on screen; it becomes recent only once it has opened (below)."""
        workspace = self._workspace([event.target])
        self._opening = (event.target, workspace)
        self.push_screen(workspace)

    # An open from the prompt is on trial until its first data arrives: these messages
    # bubble up from its workspace. A failure takes it off the stack, so the screen under
    # it (the prompt, the workspace before) is back as it was, and says what failed.

    def on_source_loaded(self, event: SourceLoaded) -> None:
        self._opened(ok=True)

    def on_live_fetched(self, event: LiveFetched) -> None:
        from triage.live.session import FetchFailed, SnapshotFetched

        result = event.result
        if isinstance(result, SnapshotFetched):
            self._opened(ok=True)
        elif isinstance(result, FetchFailed) and result.poll.value == "goroutines":
            self._opened(ok=False, why=result.error)

    def on_status_note(self, event: StatusNote) -> None:
        if event.level == "error":
            self._opened(ok=False, why=event.text)

    def _opened(self, *, ok: bool, why: str = "") -> None:
        if self._opening is None or self._opening[1] is not self.screen:
            return
        target, workspace = self._opening
        if ok:
            remember(target)
        elif not (workspace.model.dumps or workspace.model.profiles):
            self.pop_screen()
            self.notify(f"could not open {target.label}: {why}", severity="error", timeout=10)
        else:
            return  # something did open: the error is about a part of it
        self._opening = None

    def action_help_quit(self) -> None:
        """ctrl+c quits, as it does in every terminal program on a bastion.

        Textual binds it to "Press ctrl+q to quit"; a focused prompt or a selection
        still copies with it first (their copy skips when nothing is selected).
        """
        self.exit()

    def action_help(self) -> None:
        from triage.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap))

    def action_open_source(self) -> None:
        from triage.ui.screens.start import StartScreen

        if not isinstance(self.screen, StartScreen):
            self.push_screen(StartScreen(load_recent()))

    def action_next_theme(self) -> None:
        names = [t for t in themes.ALIASES.values() if t in self.available_themes]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        self.notify(f"theme: {self.theme}", timeout=2)
