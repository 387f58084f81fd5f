"""The parameters of an action before its plan: a patch template and its values, replicas.

Parameters are typed as on the command line (``--template gomemlimit --set
value=900MiB``): what the app sends is what a runbook would, and the same
parser reads both. The patch template picker lists the shipped templates and
the user's own (``templates/`` in the config dir) with what each one sets.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from triage.errors import TriageError
from triage.ui.keys import bindings


def template_help(name: str) -> str:
    """One template as a line: what it does and its parameters."""
    from triage.actions import templates

    try:
        template = templates.load(name)
    except TriageError as exc:
        return f"{name}: {exc.message}"
    params = ", ".join(p.name for p in template.params)
    return f"{name}: {template.description} (--set {params})" if params else name


def args_for(argv: list[str]) -> tuple[str, str, str]:
    """(title, help, prefilled value) of the parameters prompt for ``argv``."""
    command, target, rest = argv[0], argv[1], argv[2:]
    if command == "scale":
        return f"scale {target}", "the replicas to run", " ".join(rest) or "--replicas 1"
    if "--template" in rest:
        name = rest[rest.index("--template") + 1]
        return f"patch {target}", template_help(name), blanks_last(rest)
    return f"patch {target}", "a template and its values", "--template gomemlimit --set value="


def blanks_last(words: list[str]) -> str:
    """The words with ``--set key=...`` (a proposal's blank) moved last as ``--set key=``,
    so the cursor, at the end, waits where the value goes."""
    filled: list[str] = []
    blanks: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--set" and i + 1 < len(words) and words[i + 1].endswith("=..."):
            blanks += ["--set", words[i + 1].removesuffix("...")]
            i += 2
            continue
        filled.append(word)
        i += 1
    return " ".join(filled + blanks)


def template_args(name: str) -> str:
    """The prefilled parameters of a template: ``--template NAME --set p=default``."""
    from triage.actions import templates

    try:
        params = templates.load(name).params
    except TriageError:
        params = ()
    sets = " ".join(f"--set {p.name}={p.default or ''}" for p in params if not p.default)
    return f"--template {name} {sets}".strip()


class TemplatePicker(ModalScreen[str | None]):
    """Choose a patch template (enter), escape: cancel."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    TemplatePicker { align: center middle; }
    TemplatePicker > Vertical { width: 90%; max-width: 110; height: auto; max-height: 80%;
        background: $surface; border: round $primary; padding: 0 1; }
    TemplatePicker OptionList { height: auto; max-height: 20; }
    """

    def compose(self) -> ComposeResult:
        from triage.actions import templates

        with Vertical() as box:
            box.border_title = "patch template"
            yield OptionList(*[Option(template_help(n), id=n) for n in templates.names()])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_back(self) -> None:
        self.dismiss(None)


class ArgsScreen(ModalScreen[str | None]):
    """One line of parameters, prefilled; enter: go on to the plan, escape: cancel."""

    BINDINGS = bindings("screen.back")
    DEFAULT_CSS = """
    ArgsScreen { align: center middle; }
    ArgsScreen > Vertical { width: 90%; max-width: 110; height: auto;
        background: $surface; border: round $primary; padding: 0 1; }
    """

    def __init__(self, title: str, help_text: str, value: str) -> None:
        super().__init__()
        self.title_text = title
        self.help_text = help_text
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.help_text, markup=False)
            # typing goes after the prefilled flags (select_on_focus would replace them)
            yield Input(self.value, id="args", select_on_focus=False)
            yield Static("enter: plan and preview (nothing changes yet)    escape: cancel")

    def on_mount(self) -> None:
        field = self.query_one("#args", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_back(self) -> None:
        self.dismiss(None)
