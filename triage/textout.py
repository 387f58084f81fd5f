"""Terminal output helpers for the CLI: colour decisions and highlighting.

Colour is used only on a TTY, never when NO_COLOR is set (https://no-color.org)
or TERM=dumb, and can be forced either way with ``--color``.
"""

from __future__ import annotations

import os
import re
from typing import TextIO

_SURROGATE = re.compile("[\ud800-\udfff]")


def color_enabled(stream: TextIO, mode: str = "auto") -> bool:
    """Decide whether to emit ANSI colour on ``stream``."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Painter:
    """Wrap strings in ANSI styles when colour is on; identity otherwise."""

    _CODES = {
        "bold": "1",
        "dim": "2",
        "red": "31",
        "green": "32",
        "yellow": "33",
        "blue": "34",
        "magenta": "35",
        "cyan": "36",
        "bred": "1;31",
        "byellow": "1;33",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(self._CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def highlight_go(code: str, enabled: bool) -> str:
    """Highlight Go source (or a Go function name) for a 256-colour terminal."""
    if not enabled:
        return code
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import GoLexer

    text: str = highlight(code, GoLexer(), TerminalFormatter())
    return text.rstrip("\n")


def utf8(text: str) -> bytes:
    """``text`` as valid UTF-8: a lone surrogate (a file name that is not UTF-8, a damaged
    escape in the input) becomes U+FFFD instead of an encoding error."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def write_utf8(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream`` as valid UTF-8, whatever it holds and whatever the
    stream's own encoding (``LANG=C``, ``PYTHONIOENCODING=ascii``).

    The whole text is encoded before the first byte goes out, so no input can stop
    the output halfway through a JSON document.
    """
    data = utf8(text)
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a StringIO or a wrapped stream: text only
        stream.write(data.decode("utf-8"))
        return
    stream.flush()
    buffer.write(data)
    buffer.flush()
