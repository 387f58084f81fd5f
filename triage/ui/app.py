"""The triage Textual app: themes, keymap, palette, and the first screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from triage.config import Config
from triage.preload import Preload
from triage.recent import load_recent, remember
from triage.ui import themes
from triage.ui.keymap import Keymap
from triage.ui.keys import bindings
from triage.ui.marks import mark
from triage.ui.palette import TriageCommands
from triage.ui.screens.splash import SplashScreen

if TYPE_CHECKING:  # imported after the first frame (start-up speed)
    from triage.pprof.query import ProfileQuery
    from triage.ui.screens.start import OpenRequested
    from triage.ui.screens.workspace import WorkspaceScreen


@dataclass(slots=True)
class Launch:
    """What the command line asked for."""

    paths: list[str] = field(default_factory=list)
    url: str | None = None
    theme: str | None = None
    source_roots: list[Path] = field(default_factory=list)
    binary: str | None = None
    #: the pane in front at start ("goroutines", "flame" or "health")
    pane: str = "goroutines"
    #: files already being read in the background (triage.preload)
    preload: Preload | None = None
    #: NO_COLOR was set when the process started (Textual removes it from the env)
    mono: bool = False
    #: what ``triage flame`` asked to see of a profile (type, filters)
    query: ProfileQuery | None = None


class TriageApp(App[None]):
    """Keyboard-driven triage of Go crashes."""

    TITLE = "triage"
    BINDINGS = bindings("app.quit", "app.help", "app.palette", "app.open", "app.theme")
    COMMANDS = App.COMMANDS | {TriageCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, launch: Launch, config: Config, keymap: Keymap, warnings: list[str]) -> None:
        super().__init__()
        self.launch = launch
        self.config = config
        self.keymap = keymap
        self.startup_warnings = warnings

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
        what = self.launch.url or ", ".join(self.launch.paths) or "starting"
        self.push_screen(SplashScreen(f"opening {what} …" if what != "starting" else what))
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The first frame is on screen: now import and compose the real screen."""
        mark("first_frame")
        if self.launch.url:
            remember("attach", self.launch.url)
            self.switch_screen(self._workspace([], url=self.launch.url))
        elif self.launch.paths:
            for path in self.launch.paths:
                remember("open", path)
            self.switch_screen(self._workspace(self.launch.paths))
        else:
            from triage.ui.screens.start import StartScreen

            self.switch_screen(StartScreen(load_recent()))

    def _workspace(self, paths: list[str], url: str | None = None) -> WorkspaceScreen:
        from triage.ui.screens.workspace import WorkspaceScreen

        return WorkspaceScreen(
            paths,
            url=url,
            config=self.config,
            source_roots=self.launch.source_roots,
            binary=self.launch.binary,
            pane=self.launch.pane,
            preload=self.launch.preload if paths == self.launch.paths else None,
            query=self.launch.query if paths == self.launch.paths else None,
        )

    def on_open_requested(self, event: OpenRequested) -> None:
        remember(event.kind, event.location)
        if event.kind == "attach":
            self.push_screen(self._workspace([], url=event.location))
        else:
            self.push_screen(self._workspace([event.location]))

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
