"""Label and field selectors, parsed once per request and matched per object.

Label selectors follow the apimachinery grammar (``a=b``, ``a==b``, ``a!=b``,
``a in (x,y)``, ``a notin (x)``, ``a``, ``!a``); field selectors accept
``path=value``, ``path==value`` and ``path!=value`` over dotted paths such as
``spec.nodeName``, ``metadata.name`` or ``involvedObject.kind``. A malformed
selector is a 400, as on a real server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from triage.kubeserver.status import ApiError, bad_request

Matcher = Callable[[Mapping[str, Any]], bool]

_KEY = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?")
_VALUE = re.compile(r"[-A-Za-z0-9_.]*")
_FIELD = re.compile(r"[A-Za-z0-9_.]+")


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not inside ``( )``."""
    terms: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return [t for t in terms if t.strip()]


def _unparsable(term: str) -> ApiError:
    return bad_request(f"unable to parse requirement: found '{term.strip()}', expected: identifier")


def _key(text: str, term: str) -> str:
    key = text.strip()
    if not _KEY.fullmatch(key):
        raise _unparsable(term)
    return key


def _equality(term: str) -> tuple[str, str, str] | None:
    """(key, op, value) of ``k=v``, ``k==v`` or ``k!=v``; None when there is no ``=``."""
    at = term.find("=")
    if at < 0:
        return None
    if at > 0 and term[at - 1] == "!":
        key, op, value = term[: at - 1], "!=", term[at + 1 :]
    elif term[at + 1 : at + 2] == "=":
        key, op, value = term[:at], "==", term[at + 2 :]
    else:
        key, op, value = term[:at], "=", term[at + 1 :]
    return key, op, value.strip()


def _label_term(term: str) -> Callable[[Mapping[str, str]], bool]:
    """One requirement, parsed by hand (no backtracking regex: linear in its length)."""
    stripped = term.strip()
    if "(" in stripped:
        head, _, rest = stripped.partition("(")
        words = head.split()
        if len(words) != 2 or words[1] not in ("in", "notin") or not rest.endswith(")"):
            raise _unparsable(term)
        key = _key(words[0], term)
        wanted = {v.strip() for v in rest[:-1].split(",") if v.strip()}
        if words[1] == "in":
            return lambda labels: labels.get(key) in wanted
        return lambda labels: labels.get(key) not in wanted
    found = _equality(stripped)
    if found is not None:
        key, op, value = _key(found[0], term), found[1], found[2]
        if not _VALUE.fullmatch(value):
            raise _unparsable(term)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if stripped.startswith("!"):
        missing = _key(stripped[1:], term)
        return lambda labels: missing not in labels
    present = _key(stripped, term)
    return lambda labels: present in labels


def label_matcher(text: str | None) -> Matcher | None:
    """A predicate over objects for a label selector; None when empty."""
    if not text or not text.strip():
        return None
    tests = [_label_term(t) for t in _split_terms(text)]

    def match(obj: Mapping[str, Any]) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(test(labels) for test in tests)

    return match


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """The string form of a dotted field, ``""`` when absent (as the server indexes it)."""
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return ""
        node = node.get(part)
    if node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def field_matcher(
    text: str | None,
    allowed: frozenset[str] | None = None,
    rename: Mapping[str, str] | None = None,
) -> Matcher | None:
    """A predicate for a field selector; 400 on a field the resource does not index.

    ``rename`` maps a served field name to the stored one (events.k8s.io's
    ``regarding.name`` is core's ``involvedObject.name``).
    """
    if not text or not text.strip():
        return None
    tests: list[tuple[str, bool, str]] = []
    for term in _split_terms(text):
        found = _equality(term)
        if found is None or not _FIELD.fullmatch(found[0].strip()):
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        path, op, value = found[0].strip(), found[1], found[2]
        path = (rename or {}).get(path, path)
        if allowed is not None and path not in allowed:
            raise bad_request(f"field label not supported: {path}")
        tests.append((path, op == "!=", value))

    def match(obj: Mapping[str, Any]) -> bool:
        return all(
            (field_value(obj, p) != v) if neg else (field_value(obj, p) == v) for p, neg, v in tests
        )

    return match
