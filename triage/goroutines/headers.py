"""Goroutine header lines and pprof label sets.

Every variant ``goroutineheader`` in Go 1.27's runtime/traceback.go prints::

    goroutine 35 gp=0x.. m=3 mp=0x.. [chan receive (leaked) (scan) (durable),
        12 minutes, locked to thread, synctest bubble 2] {handler: /api, id: "a b"}:

(on one line). Labels are printed since Go 1.27 by default, Go-quoted when they
hold characters outside ``[A-Za-z0-9./_]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: a full header line, without the trailing newline
HEADER_RE = re.compile(
    r"goroutine (\d+)(?: gp=(\S+) m=(\S+)(?: mp=(\S+))?)? \[([^\]\n]*)\](?: (\{.*\}))?:[ \t\r]*$"
)


@dataclass(frozen=True, slots=True, eq=False)
class Status:
    """The bracketed part of a header, split into its fields.

    Compared and hashed by identity: :func:`parse_status` caches them, so one
    status text is one object, and grouping 100,000 goroutines hashes pointers.
    """

    state: str
    wait_minutes: int | None = None
    locked: bool = False
    leaked: bool = False
    scan: bool = False
    durable: bool = False
    bubble: int | None = None
    #: no flags and no minutes: the common case, which needs no further fields
    plain: bool = True


_SUFFIXES = ((" (leaked)", "leaked"), (" (scan)", "scan"), (" (durable)", "durable"))


@lru_cache(maxsize=4096)
def parse_status(text: str) -> Status:
    """Split ``chan receive (leaked), 5 minutes, locked to thread`` into fields."""
    parts = text.split(", ")
    state = parts[0]
    flags = {"leaked": False, "scan": False, "durable": False}
    stripped = True
    while stripped:
        stripped = False
        for suffix, flag in _SUFFIXES:
            if state.endswith(suffix):
                state = state[: -len(suffix)]
                flags[flag] = True
                stripped = True
    minutes: int | None = None
    locked = False
    bubble: int | None = None
    for part in parts[1:]:
        if part.endswith((" minutes", " minute")):
            head = part.split(" ", 1)[0]
            if head.isascii() and head.isdigit():  # "²".isdigit(), and int() refuses it
                minutes = int(head)
        elif part == "locked to thread":
            locked = True
        elif part.startswith("synctest bubble "):
            tail = part[len("synctest bubble ") :]
            if tail.isascii() and tail.isdigit():
                bubble = int(tail)
    plain = minutes is None and not locked and bubble is None and not any(flags.values())
    return Status(
        state, minutes, locked, flags["leaked"], flags["scan"], flags["durable"], bubble, plain
    )


_GO_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
}
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)")


def go_unquote(body: str) -> str:
    """Undo Go's string quoting (the text between the quotes)."""
    if "\\" not in body:
        return body

    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "xuU" and len(esc) > 1:
            code = int(esc[1:], 16)
            return _rune(code) if esc[0] != "x" else bytes([code]).decode("latin-1")
        if len(esc) == 3 and esc.isdigit():
            return chr(int(esc, 8))
        return _GO_ESCAPES.get(esc, esc)

    return _ESCAPE_RE.sub(repl, body)


def _rune(code: int) -> str:
    """The character a ``\\u``/``\\U`` escape names, or U+FFFD for what is no character (a
    surrogate, or above U+10FFFF): Go never prints those, so the text is damaged or made up,
    and a lone surrogate would be a string no output can encode."""
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


#: a quoted string, or bare words separated by blanks (written so that no two
#: ways of matching one text exist: the tokenizer stays linear on any header)
_LABEL_TOKEN = re.compile(
    r'\s*(?:"((?:[^"\\]|\\.)*)"|([^:,{}"\s]*(?:\s+[^:,{}"\s]+)*))\s*(:|,|}|$)'
)


@lru_cache(maxsize=65536)
def parse_labels(text: str) -> dict[str, str]:
    """Parse ``{k: v, "k 2": "v\\"x"}`` (traceback) or ``{"k":"v"}`` (debug=1).

    Unparseable text is kept whole under the key ``""`` rather than dropped.
    """
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        return {"": text}
    if '"' not in inner and "{" not in inner[1:-1] and "}" not in inner[1:-1]:
        # The common case: nothing needed quoting, so ", " and ": " only separate.
        pairs = [p.split(": ", 1) for p in inner[1:-1].split(", ")] if len(inner) > 2 else []
        if all(len(p) == 2 for p in pairs):
            return dict(pairs)
    pos = 1
    end = len(inner)
    tokens: list[tuple[str, str]] = []
    while pos < end:
        m = _LABEL_TOKEN.match(inner, pos)
        if m is None or m.end() == pos:
            return {"": text}
        quoted, bare, sep = m.group(1), m.group(2), m.group(3)
        value = go_unquote(quoted) if quoted is not None else (bare or "")
        tokens.append((value, sep))
        pos = m.end()
        if sep == "}":
            break
    labels: dict[str, str] = {}
    i = 0
    while i + 1 < len(tokens):
        (key, sep), (value, _) = tokens[i], tokens[i + 1]
        if sep != ":":
            return {"": text}
        labels[key] = value
        i += 2
    if i != len(tokens) and tokens[i][0]:
        return {"": text}
    return labels
