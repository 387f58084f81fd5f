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

from triage.kubeserver.status import bad_request

Matcher = Callable[[Mapping[str, Any]], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_SET_RE = re.compile(rf"^\s*(!)?\s*({_KEY})\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")
_EQ_RE = re.compile(rf"^\s*({_KEY})\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)\s*$")


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


def _label_term(term: str) -> Callable[[Mapping[str, str]], bool]:
    eq = _EQ_RE.match(term)
    if eq:
        key, op, value = eq.group(1), eq.group(3), eq.group(4)
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    st = _SET_RE.match(term)
    if st:
        negate, key, op, values = st.group(1), st.group(2), st.group(4), st.group(5)
        if op is None:
            if negate:
                return lambda labels: key not in labels
            return lambda labels: key in labels
        if negate:
            raise bad_request(f"unable to parse requirement: {term.strip()}")
        wanted = {v.strip() for v in (values or "").split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in wanted
        return lambda labels: labels.get(key) not in wanted
    raise bad_request(f"unable to parse requirement: found '{term.strip()}', expected: identifier")


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
        m = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
        if not m:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        path, op, value = m.group(1), m.group(2), m.group(3)
        path = (rename or {}).get(path, path)
        if allowed is not None and path not in allowed:
            raise bad_request(f"field label not supported: {path}")
        tests.append((path, op == "!=", value))

    def match(obj: Mapping[str, Any]) -> bool:
        return all(
            (field_value(obj, p) != v) if neg else (field_value(obj, p) == v) for p, neg, v in tests
        )

    return match
