"""A group's full stack: one sample goroutine at a time, with its arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from triage.goroutines import DumpAnalysis
from triage.goroutines.grouping import Group
from triage.goroutines.model import Frame
from triage.ui.keys import bindings
from triage.ui.render import wait_text
from triage.ui.themes import NO_COLOR_THEME

#: columns a stack's tab indent takes on screen (Syntax's own default, so nothing moves)
TAB_SIZE = 4


@dataclass(slots=True)
class SampleText:
    """What the detail view shows for one goroutine."""

    gid: int | None
    stack: str
    source: tuple[str, int, int, str] | None  # path, first line, highlighted line, text
    #: the top user frame's file on this machine, and its line (``e`` opens it)
    editable: tuple[str, int] | None = None


class SampleLoaded(Message):
    """A sample goroutine's stack (with arguments) is ready."""

    def __init__(self, sample: SampleText) -> None:
        super().__init__()
        self.sample = sample


def stack_text(group: Group, gid: int | None, frames: list[tuple[Frame, str]]) -> str:
    """The goroutine's stack as Go prints it (arguments where known)."""
    lines = [f"goroutine {gid} [{group.state}]:" if gid is not None else f"[{group.state}]"]
    shown = frames or [(f, "...") for f in group.frames]
    for frame, args in shown:
        lines.append(f"{frame.func}({args})")
        off = f" +0x{frame.offset:x}" if frame.offset is not None else ""
        lines.append(f"\t{frame.file}:{frame.line}{off}")
    if group.stack.elided:
        n = group.stack.elided
        lines.append(f"...{n if n > 0 else 'additional'} frames elided...")
    created = group.created_by
    if created is not None:
        lines += [f"created by {created.func}", f"\t{created.file}:{created.line}"]
    return "\n".join(lines)


class GroupScreen(Screen[None]):
    """Full detail of one group."""

    BINDINGS = bindings(
        "screen.back", "group.next_sample", "group.prev_sample", "group.copy", "group.edit"
    )
    DEFAULT_CSS = """
    GroupScreen #group-head { height: auto; padding: 0 1; background: $panel; }
    GroupScreen #group-sample { height: 1; padding: 0 1; text-style: bold; }
    GroupScreen #group-body { padding: 0 1; width: auto; }
    GroupScreen #group-source { padding: 1 1 0 1; height: auto; }
    """

    def __init__(self, item: DumpAnalysis, group: Group, source_roots: list[Path]) -> None:
        super().__init__()
        self.item = item
        self.group = group
        self.source_roots = source_roots
        self.sample_index = 0
        #: what the body shows now
        self.sample: SampleText | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="group-head")
        # Outside the scroll: scrolling to the user's frame never hides which goroutine
        # this is, so n/N visibly change something at 80x24.
        yield Static("", id="group-sample")
        with ScrollableContainer(id="group-scroll"):
            yield Static("", id="group-body")
            yield Static("", id="group-source")
        yield Footer()

    def on_mount(self) -> None:
        self._load_sample()
        self.query_one("#group-scroll").focus()

    def _head(self) -> str:
        g = self.group
        wait = wait_text(g)
        bits = [f"Group #{g.id}", f"{g.count:,} goroutine{'s' if g.count != 1 else ''}", g.state]
        if wait:
            bits.append(f"waiting {wait}")
        if g.leaked:
            bits.append(f"{g.leaked} leaked")
        lines = ["  ·  ".join(bits)]
        for key, values in g.labels.items():
            lines.append(f"label {key}: {', '.join(values[:8])}{' …' if len(values) > 8 else ''}")
        if g.sample_ids:
            ids = " ".join(str(i) for i in g.sample_ids)
            lines.append(f"goroutines: {ids}" + (" …" if g.count > len(g.sample_ids) else ""))
        return "\n".join(lines)

    def _current(self) -> int | None:
        ids = self.group.sample_ids
        return ids[self.sample_index % len(ids)] if ids else None

    @work(thread=True, exclusive=True, group="group-sample", exit_on_error=False)
    def _load_sample(self) -> None:
        from triage.binary.srcpath import resolve_source, source_lines
        from triage.goroutines.args import frame_args

        gid = self._current()
        frames = frame_args(self.item.dump, gid) if gid is not None else []
        source = editable = None
        top = self.group.top_user_frame
        # the file itself when it exists here (built on this machine), else under a root
        path = resolve_source(top.file, self.source_roots) if top is not None else None
        if top is not None and path is not None:
            editable = (path, top.line)
            lines = source_lines(path, top.line) if self.source_roots else []
            if lines:
                source = (path, lines[0][0], top.line, "\n".join(text for _, text in lines))
        text = stack_text(self.group, gid, frames)
        self.post_message(SampleLoaded(SampleText(gid, text, source, editable)))

    def on_sample_loaded(self, event: SampleLoaded) -> None:
        from rich.syntax import ANSISyntaxTheme, Syntax, SyntaxTheme

        sample = self.sample = event.sample
        theme: str | SyntaxTheme = "ansi_dark" if self.app.current_theme.dark else "ansi_light"
        if self.app.theme == NO_COLOR_THEME:
            theme = ANSISyntaxTheme({})  # no token styles: the terminal's own colour
        body = self.query_one("#group-body", Static)
        # Tabs expanded here, not by Syntax: Syntax measures a tab as one cell but draws
        # it as TAB_SIZE, so the auto-width body cut the end of each file line (+0x15 -> +0).
        header, _, rest = sample.stack.partition("\n")
        self.query_one("#group-sample", Static).update(Content(header + self._position()))
        shown = rest.expandtabs(TAB_SIZE)
        body.update(Syntax(shown, "go", theme=theme, word_wrap=False, background_color="default"))
        self.call_after_refresh(self._scroll_to_user_code, sample.stack)
        source = self.query_one("#group-source", Static)
        if sample.source is None:
            source.update("")
            return
        path, first, line, text = sample.source
        source.update(
            Syntax(
                text,
                "go",
                theme=theme,
                line_numbers=True,
                start_line=first,
                highlight_lines={line},
                background_color="default",
            )
        )
        source.border_title = path

    def _scroll_to_user_code(self, stack: str) -> None:
        """Bring the innermost user frame near the top: runtime frames are rarely the story."""
        top = self.group.top_user_frame
        if top is None:
            return
        lines = stack.splitlines()[1:]  # the header line is shown above the scroll
        index = next((i for i, line in enumerate(lines) if line.startswith(top.func + "(")), 0)
        self.query_one("#group-scroll").scroll_to(y=max(0, index - 3), animate=False)

    def action_back(self) -> None:
        self.dismiss()

    def action_copy_stack(self) -> None:
        """``c``: the stack as Go prints it, to the terminal's clipboard (OSC 52: works
        over SSH and in tmux with set-clipboard on)."""
        if self.sample is None:
            return
        self.app.copy_to_clipboard(self.sample.stack)
        lines = self.sample.stack.count("\n") + 1
        self.notify(f"copied the stack ({lines} lines) to the clipboard", timeout=4)

    def action_edit_source(self) -> None:
        """``e``: the top user frame in ``$VISUAL``/``$EDITOR``, the app suspended meanwhile."""
        from triage.ui.editor import editor_command, run_suspended

        top = self.group.top_user_frame
        if self.sample is None or self.sample.editable is None:
            where = f"{top.file}:{top.line}" if top is not None else "this stack"
            self.notify(
                f"no source for {where} here: open triage with --source-root DIR",
                severity="warning",
                timeout=6,
            )
            return
        path, line = self.sample.editable
        command = editor_command(os.environ, path, line)
        if command is None:
            self.notify(f"set $EDITOR to open {path}:{line}", severity="warning", timeout=6)
            return
        problem = run_suspended(self.app, command)
        if problem:
            self.notify(problem, severity="error", timeout=8)

    def _position(self) -> str:
        """``  (sample 2 of 5: n/N)``; nothing when there is one sample."""
        ids = self.group.sample_ids
        if len(ids) < 2:
            return ""
        return f"  (sample {self.sample_index % len(ids) + 1} of {len(ids)}: n/N)"

    def _step(self, delta: int) -> None:
        if len(self.group.sample_ids) < 2:
            self.notify("n/N step through sample goroutines: this group has only one", timeout=4)
            return
        self.sample_index += delta
        self._load_sample()

    def action_next_sample(self) -> None:
        self._step(1)

    def action_previous_sample(self) -> None:
        self._step(-1)
