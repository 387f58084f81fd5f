"""Go string literal unquoting, as ``strconv.Unquote`` and ``strconv.QuotedPrefix`` do.

Build settings whose key or value holds a space, tab, quote or newline are
written Go-quoted (``-ldflags="-s -w -X main.v=1"``), so reading them back needs
Go's escape rules, not Python's: ``\\xHH`` and octal escapes are raw bytes.
"""

from __future__ import annotations

_SIMPLE = {
    "a": 7,
    "b": 8,
    "f": 12,
    "n": 10,
    "r": 13,
    "t": 9,
    "v": 11,
    "\\": 92,
    "'": 39,
    '"': 34,
}


def quoted_prefix(s: str) -> str:
    """The Go-quoted string literal at the start of ``s``; ValueError if there is none."""
    if not s or s[0] not in '"`':
        raise ValueError("not a quoted string")
    quote = s[0]
    if quote == "`":
        end = s.find("`", 1)
        if end < 0:
            raise ValueError("unterminated raw string")
        return s[: end + 1]
    i = 1
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "\n":
            break
        if c == '"':
            return s[: i + 1]
        i += 1
    raise ValueError("unterminated quoted string")


def unquote(s: str) -> str:
    """Decode a Go double-quoted or back-quoted literal; ValueError when malformed."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in '"`':
        raise ValueError(f"invalid quoted value {s[:40]!r}")
    body = s[1:-1]
    if s[0] == "`":
        return body.replace("\r", "")
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        i = _escape(body, i + 1, out)
    return out.decode("utf-8", "replace")


def _escape(body: str, i: int, out: bytearray) -> int:
    """Decode the escape starting after the backslash at ``i``; return the next index."""
    if i >= len(body):
        raise ValueError("trailing backslash")
    c = body[i]
    if c in _SIMPLE:
        out.append(_SIMPLE[c])
        return i + 1
    if c == "x":
        out.append(int(_digits(body, i + 1, 2, 16), 16))
        return i + 3
    if c in "uU":
        width = 4 if c == "u" else 8
        out += chr(int(_digits(body, i + 1, width, 16), 16)).encode("utf-8", "replace")
        return i + 1 + width
    if c in "01234567":
        value = int(_digits(body, i, 3, 8), 8)
        if value > 255:
            raise ValueError("octal escape out of range")
        out.append(value)
        return i + 3
    raise ValueError(f"unknown escape \\{c}")


def _digits(body: str, start: int, width: int, base: int) -> str:
    text = body[start : start + width]
    valid = "01234567" if base == 8 else "0123456789abcdefABCDEF"
    if len(text) != width or any(ch not in valid for ch in text):
        raise ValueError("malformed escape")
    return text
