"""Approval in proportion to risk: one key for low risk, the typed name for the rest.

``--confirm NAME`` approves from a script: the name must equal the target's or
nothing happens. It approves the plan it was given once: after a 409 the
plan is rebuilt from the new state, which nobody has seen, so a confirmed run
stops there rather than apply it (an interactive approver asks again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from triage.actions.model import Plan, Risk
from triage.errors import BadInput


class Approver(Protocol):
    """Decides whether a plan (with its dry-run diff) may run."""

    def approve(self, plan: Plan, *, again: bool) -> bool:
        """True to execute; ``again``: the plan was rebuilt after a conflict."""
        ...


class ConfirmApprover:
    """``--confirm NAME``: approves only a plan whose target is named NAME, once."""

    def __init__(self, name: str) -> None:
        self.name = name

    def approve(self, plan: Plan, *, again: bool) -> bool:
        """Match the name (else bad input: nothing happens); refuse a re-plan."""
        if self.name != plan.target.name:
            raise BadInput(
                f"--confirm {self.name} does not match {plan.target.label}; nothing was changed",
                f"pass --confirm {plan.target.name} to approve this {plan.action}",
            )
        return not again


def needs_typed_name(plan: Plan, production: bool) -> bool:
    """Rollback, drain, delete and patch, and anything in a production context."""
    return production or plan.risk is Risk.HIGH


class TerminalApprover:
    """Asks on a terminal: ``y`` for low risk, the object's name for the rest."""

    def __init__(
        self,
        ask: Callable[[str], str],
        say: Callable[[str], None],
        production: bool = False,
        key: Callable[[str], str] | None = None,
    ) -> None:
        self.ask = ask
        self.say = say
        self.production = production
        #: reads one key press (a line when not given)
        self.key = key or ask

    def approve(self, plan: Plan, *, again: bool) -> bool:
        """Prompt; anything but the expected answer refuses."""
        if again:
            self.say(f"{plan.target.label} changed meanwhile: the plan above is the new one")
        if needs_typed_name(plan, self.production):
            answer = self.ask(f"Type {plan.target.name} to {plan.action} it (anything else: no): ")
            return answer.strip() == plan.target.name
        answer = self.key(f"{plan.summary}? [y/N] ")
        return answer.strip().lower() in ("y", "yes")
