"""Filter a dump's groups with a short expression, as typed after ``/`` or ``--filter``.

An on-call engineer looking at 50,000 goroutines wants "the ones in my handler",
"the ones blocked for more than ten minutes", "the ones for tenant 42". The
expression is a list of terms separated by spaces; a group must match every term::

    handleOrder                 fuzzy text: function, file, package, state, label key or value
    func:fetch  file:store.go   one field (func, file, pkg, state, label, created)
    label:tenant=42             a label key, or key=value
    wait>10  wait<=3            minutes blocked as Go prints them (> >= < <= =)
    re:^net/http\\.             a regular expression (also ``func:re:...``)
    !state:select               negation
    "chan receive"              quotes keep spaces inside one term

Text matches case-insensitively as a substring; a term of four characters or
more that matches no group that way is retried fuzzily (rapidfuzz, so ``handlr``
finds ``handler``).
A group's text is gathered once per group, so filtering costs the groups' size,
never the goroutine count (except ``wait``, which counts the goroutines that match).
"""

from __future__ import annotations

import operator
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from triage.errors import BadInput
from triage.goroutines import Analysis, DumpAnalysis
from triage.goroutines.diagnose import Finding
from triage.goroutines.grouping import Group

FIELDS = ("func", "file", "pkg", "state", "label", "created")
_ALIASES = {"package": "pkg", "fn": "func", "function": "func", "labels": "label"}
#: a fuzzy match must score this much (rapidfuzz partial_ratio, 0-100)
FUZZY_CUTOFF = 80.0
FUZZY_MIN_LEN = 4
_WAIT = re.compile(r"^wait(>=|<=|>|<|=)(\d+)(?:m|min)?$")
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
}
HINT = "try a word, func:NAME, state:select, label:key=value, wait>10 or re:REGEX"


@dataclass(frozen=True, slots=True)
class Term:
    """One term of an expression: a field (or every field), a text or regex, or a wait bound."""

    field: str  # "" for every text field, "wait" for minutes
    text: str = ""
    regex: re.Pattern[str] | None = None
    op: str = ""
    minutes: int = 0
    negate: bool = False
    #: set by :func:`apply_filter` when the text matches no group exactly
    fuzzy: bool = False


@dataclass(frozen=True, slots=True)
class Filter:
    """A parsed expression; :func:`parse_filter` builds it and says what was wrong."""

    expression: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass(slots=True)
class Filtered:
    """What a filter kept of one dump, with the counts the user sees."""

    item: DumpAnalysis
    groups: list[Group]
    findings: list[Finding]
    goroutines: int
    total_groups: int
    total_goroutines: int

    @property
    def analysis(self) -> DumpAnalysis:
        """The dump with only the kept groups and findings, to render as usual."""
        return DumpAnalysis(self.item.dump, self.groups, self.findings)

    def summary(self) -> str:
        """``12 of 3,400 goroutines in 2 of 41 groups``."""
        return (
            f"{self.goroutines:,} of {self.total_goroutines:,} goroutines in "
            f"{len(self.groups):,} of {self.total_groups:,} groups"
        )


def frame_filter(name: str) -> str:
    """The expression for the groups whose stacks contain flame-graph frame ``name``.

    A goroutine flame graph ends each stack with its state as a pseudo-frame
    (``[chan receive]``): that one selects by state; any other by exact function.
    """
    if name.startswith("[") and name.endswith("]"):
        return f'"state:re:^{re.escape(name[1:-1])}$"'
    return f'"func:re:^{re.escape(name)}$"'


def parse_filter(expression: str) -> Filter:
    """Parse ``expression``; raise :class:`BadInput` naming the bad term."""
    lexer = shlex.shlex(expression, posix=True)
    lexer.whitespace_split = True
    lexer.escape = ""  # a regex keeps its backslashes
    lexer.commenters = ""
    try:
        words = list(lexer)
    except ValueError as exc:
        raise BadInput(f"filter {expression!r}: {exc}", HINT) from None
    return Filter(expression, tuple(_term(w) for w in words if w not in ("!", "")))


def _term(word: str) -> Term:
    negate = word.startswith("!")
    body = word[1:] if negate else word
    wait = _WAIT.match(body)
    if wait is not None:
        return Term("wait", op=wait.group(1), minutes=int(wait.group(2)), negate=negate)
    if body.startswith("wait") and body[4:5] in ("<", ">", "="):
        raise BadInput(f"filter term {word!r}: minutes must be a whole number", HINT)
    field, sep, rest = body.partition(":")
    field = _ALIASES.get(field.lower(), field.lower())
    if not sep or (field not in FIELDS and field != "re"):
        field, rest = "", body
    if field == "re":
        field, rest = "", body  # a bare re:PATTERN over every field
    regex = None
    if rest.startswith("re:"):
        try:
            regex = re.compile(rest[3:], re.IGNORECASE)
        except re.error as exc:
            raise BadInput(f"filter term {word!r}: bad regular expression ({exc})", HINT) from None
    if not rest:
        raise BadInput(f"filter term {word!r} is empty after {field}:", HINT)
    return Term(field, text=rest.lower(), regex=regex, negate=negate)


def apply_filter(item: DumpAnalysis, flt: Filter) -> Filtered:
    """The groups of ``item`` matching every term, and the findings about them."""
    total = item.dump.goroutine_count
    if not flt:
        return Filtered(
            item, list(item.groups), list(item.findings), total, len(item.groups), total
        )
    fields = [_fields(g) for g in item.groups]
    terms = [_fuzzy_if_nothing_matches(t, fields) for t in flt.terms]
    kept: list[Group] = []
    goroutines = 0
    for group, texts in zip(item.groups, fields, strict=True):
        count = _match(group, texts, terms)
        if count:
            kept.append(group)
            goroutines += count
    ids = {g.id for g in kept}
    findings = [f for f in item.findings if ids.intersection(f.groups)]
    return Filtered(item, kept, findings, goroutines, len(item.groups), total)


def _fuzzy_if_nothing_matches(term: Term, fields: list[dict[str, list[str]]]) -> Term:
    """A text term that matches no group exactly is retried fuzzily (a typo, ``handlr``).

    Fuzzy only as a fallback: ``main.go:63`` must not also find ``main.go:124``.
    """
    if term.field == "wait" or term.regex is not None or len(term.text) < FUZZY_MIN_LEN:
        return term
    if any(_text_match(term, f) for f in fields):
        return term
    return replace(term, fuzzy=True)


def _match(group: Group, fields: dict[str, list[str]], terms: Iterable[Term]) -> int:
    """How many of the group's goroutines match every term (0: the group is out)."""
    count = group.count
    for term in terms:
        if term.field == "wait":
            hits = _wait_count(group, term)
            count = min(count, group.count - hits if term.negate else hits)
        elif _text_match(term, fields) == term.negate:
            return 0
        if count == 0:
            return 0
    return count


def _wait_count(group: Group, term: Term) -> int:
    """Goroutines of the group whose printed wait satisfies the bound."""
    test = _OPS[term.op]
    dump = group._dump  # the group's own dump (same package)
    if dump is None:
        return 0  # debug=1 listings print no wait times
    n = 0
    for i in group.members:
        minutes = dump.statuses[i].wait_minutes
        if minutes is not None and test(minutes, term.minutes):
            n += 1
    return n


def _fields(group: Group) -> dict[str, list[str]]:
    """Every text a term may match, by field, lower-cased once per group."""
    frames = [f for stack in group.stacks or [group.stack] for f in stack.frames]
    labels = [k for k in group.labels] + [
        f"{k}={v}" for k, values in group.labels.items() for v in values
    ]
    created = group.created_by
    return {
        "func": list(dict.fromkeys(f.func.lower() for f in frames)),
        "file": list(dict.fromkeys(f"{f.file}:{f.line}".lower() for f in frames)),
        "pkg": list(dict.fromkeys(f.package.lower() for f in frames)),
        "state": [group.state.lower(), *(s.lower() for s in group.states)],
        "label": [x.lower() for x in labels],
        "created": [created.func.lower(), created.file.lower()] if created else [],
    }


def _text_match(term: Term, fields: dict[str, list[str]]) -> bool:
    names = FIELDS if term.field == "" else (term.field,)
    texts = [t for name in names for t in fields[name]]
    if term.regex is not None:
        return any(term.regex.search(t) for t in texts)
    if not term.fuzzy:
        return any(term.text in t for t in texts)
    return any(fuzz.partial_ratio(term.text, t, score_cutoff=FUZZY_CUTOFF) for t in texts)


def filter_analysis(analysis: Analysis, flt: Filter) -> tuple[Analysis, list[Filtered]]:
    """Every dump of ``analysis`` filtered, and what was kept of each (for the counts)."""
    kept = [apply_filter(item, flt) for item in analysis.dumps]
    return Analysis([k.analysis for k in kept]), kept
