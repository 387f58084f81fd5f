"""Turn a parsed dump and its groups into ranked findings.

Rules live in :mod:`triage.goroutines.rules`; each is a function registered
with :func:`rule`, taking a :class:`Context` and yielding :class:`Finding`s.
Adding a rule is one function in one of those modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from triage.goroutines.grouping import Group, find_group
from triage.goroutines.model import Dump
from triage.goroutines.thresholds import Thresholds

Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


@dataclass(slots=True)
class Finding:
    """One diagnosis: what is wrong, how sure, the evidence and what to do next."""

    rule: str
    severity: Severity
    summary: str
    groups: list[int] = field(default_factory=list)
    goroutines: int = 0
    next_step: str = ""
    #: optional extra lines (the repeating cycle of a stack overflow, the lock holder)
    details: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Context:
    """What a rule may look at."""

    dump: Dump
    groups: list[Group]
    thresholds: Thresholds

    def group_of(self, gid: int | None) -> Group | None:
        """The group holding goroutine ``gid``."""
        return find_group(self.dump, self.groups, gid)


RuleFunc = Callable[[Context], Iterable[Finding]]
_RULES: list[tuple[str, RuleFunc]] = []


def rule(rule_id: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function under ``rule_id``."""

    def register(func: RuleFunc) -> RuleFunc:
        _RULES.append((rule_id, func))
        return func

    return register


def registered_rules() -> list[str]:
    """Ids of every registered rule, in evaluation order."""
    _load()
    return [rid for rid, _ in _RULES]


def _load() -> None:
    # Importing the modules registers their rules.
    from triage.goroutines.rules import crash, piles  # noqa: F401


def diagnose(
    dump: Dump, groups: list[Group], thresholds: Thresholds | None = None
) -> list[Finding]:
    """Run every rule; findings come back most severe first, then largest."""
    _load()
    ctx = Context(dump, groups, thresholds or Thresholds())
    findings: list[Finding] = []
    for _, func in _RULES:
        findings.extend(func(ctx))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], -f.goroutines))
    return findings


def iter_groups(ctx: Context, states: Iterable[str]) -> Iterator[Group]:
    """Groups whose state is one of ``states``."""
    wanted = set(states)
    return (g for g in ctx.groups if g.state in wanted)
