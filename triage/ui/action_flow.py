"""Safe actions from the cluster screen and the pod view: keys in, the pipeline in a worker.

A key (or a suggestion) names an action as its command line would
(``rollback deployment/checkout --to-revision 1``), parsed by the CLI's own
parser, so the app and runbooks build the very same action. A thread worker
(group ``cluster-action``) then connects, plans, and checks RBAC: an action
the user may not do opens the approval modal dimmed, with the missing
permissions, and cannot be started. Otherwise it goes through
:func:`triage.actions.pipeline.run` with :class:`~triage.ui.approver.ScreenApprover`
(one key for low risk, the typed name for rollback, drain, delete and patch,
and for anything in a production context). Progress and the outcome come
back as :class:`ActionStatus` messages for the screen's status line; the
audit record and the Event are written by the pipeline.
"""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from triage.errors import BadInput, TriageError

if TYPE_CHECKING:
    from triage.actions.suggest import Suggestion
    from triage.cluster.kubeconfig import ConnectOptions

#: how long execution and verification may take from the app
TIMEOUT = 300.0


class ActionStatus(Message):
    """A line for the status line: progress (replaceable), or how the action ended."""

    def __init__(self, text: str, *, failed: bool = False, final: bool = False) -> None:
        super().__init__()
        self.text = text
        self.failed = failed
        self.final = final

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ActionStatus) and not message.final


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would exit the app
        raise BadInput(f"action: {message}")


def parse(argv: list[str]) -> argparse.Namespace:
    """The action's arguments, as ``triage ARGV`` would read them."""
    from triage.commands import actions

    parser = _Parser(prog="triage", add_help=False)
    actions.register(parser.add_subparsers(dest="command", parser_class=_Parser))
    return parser.parse_args(argv)


def argv_of(suggestion: Suggestion) -> list[str]:
    """A suggestion as the command line that does it."""
    return suggestion.command.split()[1:]


def read_only(config: Any, context: str, flag: bool) -> bool:
    """``--readonly``, ``[actions] readonly``, or the context listed read-only."""
    settings = config.actions
    return flag or settings.readonly or context in settings.readonly_contexts


class ActionsMixin:
    """For a screen with action keys: ``action_act`` and the worker.

    The screen provides ``connect_options`` (where to connect; None to reuse
    ``client``), ``show_action_status`` and ``action_target(command)``, which
    names what the key acts on (``["rollback", "deployment/x"]``) or None.
    """

    app: Any

    def connect_options(self) -> ConnectOptions | None:
        raise NotImplementedError

    def action_target(self, command: str) -> tuple[list[str], str] | None:
        raise NotImplementedError

    def show_action_status(self, text: str, *, failed: bool) -> None:
        raise NotImplementedError

    def action_act(self, command: str) -> None:
        """A key: the action on the object under the cursor (or say why there is none)."""
        found = self.action_target(command)
        if found is None:
            self.show_action_status(
                f"{command}: choose a {_WHAT.get(command, 'workload')} first", failed=True
            )
            return
        self.start_action(*found)

    def start_action(self, argv: list[str], namespace: str, reason: str = "") -> None:
        """Prompt for parameters where the action has some, then run it."""
        command = argv[0]
        if command == "patch" and "--template" not in argv:
            from triage.ui.screens.action_args import TemplatePicker, template_args

            def picked(name: str | None) -> None:
                if name:
                    self.start_action([*argv[:2], *template_args(name).split()], namespace, reason)

            self.app.push_screen(TemplatePicker(), picked)
            return
        if command in ("patch", "scale"):
            from triage.ui.screens.action_args import ArgsScreen, args_for

            title, help_text, value = args_for(argv)

            def given(text: str | None) -> None:
                if text is None:
                    return
                try:
                    words = shlex.split(text)  # ops='[{"op": ...}]' keeps its spaces
                except ValueError as exc:
                    self.show_action_status(f"{command}: {exc}; nothing was changed", failed=True)
                    return
                self.run_action_worker([*argv[:2], *words], namespace, reason)

            self.app.push_screen(ArgsScreen(title, help_text, value), given)
            return
        self.run_action_worker(argv, namespace, reason)

    @work(thread=True, exclusive=True, group="cluster-action", exit_on_error=False)
    def run_action_worker(self, argv: list[str], namespace: str, reason: str = "") -> None:
        """Plan, RBAC, approval, execution, verification (in a thread)."""
        post = self.post_message  # type: ignore[attr-defined]
        try:
            text, failed = self._run(argv, namespace, reason)
        except TriageError as exc:
            text, failed = exc.line(), True
        post(ActionStatus(text, failed=failed, final=True))

    def _run(self, argv: list[str], namespace: str, reason: str) -> tuple[str, bool]:
        from triage.actions.pipeline import Hooks, Options, missing, run
        from triage.cluster.client import connect
        from triage.cluster.executor import ClientExecutor
        from triage.commands.actions import builder
        from triage.ui.approver import ScreenApprover
        from triage.ui.screens.approval import ApprovalScreen

        post = self.post_message  # type: ignore[attr-defined]
        args = parse([*argv, "-n", namespace] if namespace else argv)
        settings = self.app.config.actions
        args.clean_for = settings.last_good_minutes * 60
        options = self.connect_options()
        client = connect(options) if options is not None else None
        try:
            ex = ClientExecutor(client or self.client)  # type: ignore[attr-defined]
            if read_only(self.app.config, ex.context, False):
                return f"read-only context {ex.context}: nothing was changed", True
            action = builder(args.command)(args, args.namespace or ex_namespace(client or self))
            post(ActionStatus(f"{args.command}: planning and checking permissions…"))
            plan = action.plan(ex)
            lacking = missing(ex, plan) if not plan.skipped else []
            if lacking:
                screen = ApprovalScreen(plan, typed=False, denied=lacking)
                self.app.call_from_thread(self.app.push_screen, screen)
                return f"{plan.action} {plan.target.label}: not allowed; nothing was changed", True
            production = ex.context in settings.production_contexts
            hooks = Hooks(lambda plan: None, lambda line: post(ActionStatus(line)))
            reason = reason or f"from the triage app ({plan.summary})"
            opts = Options(False, TIMEOUT, reason)  # a reason typed in the modal replaces it
            outcome = run(action, ex, ScreenApprover(self.app, production, opts), hooks, opts)
        finally:
            if client is not None:
                client.close()
        return outcome.message, not outcome.ok

    def on_action_status(self, event: ActionStatus) -> None:
        self.show_action_status(event.text, failed=event.failed)


_WHAT = {
    "delete": "pod",
    "cordon": "pod (its node)",
    "uncordon": "pod (its node)",
    "drain": "pod (its node)",
}


def ex_namespace(owner: Any) -> str:
    """The client's namespace (a node action has none of its own)."""
    client = getattr(owner, "client", owner)
    return str(getattr(client, "namespace", "") or "")


def describe(suggestion: Suggestion) -> str:
    """A proposal in words: ``roll back deployment/checkout to revision 1``."""
    args = list(suggestion.args)
    if suggestion.action == "rollback" and "--to-revision" in args:
        return f"roll back {suggestion.target} to revision {args[args.index('--to-revision') + 1]}"
    if suggestion.action == "patch" and "--template" in args:
        sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
        template = args[args.index("--template") + 1]
        return f"patch {suggestion.target} with {template} ({', '.join(sets)})"
    return f"{suggestion.action} {suggestion.target}"
