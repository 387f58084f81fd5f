"""The status line: the latest note (errors in words, not only colour)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

_TAGS = {
    "error": ("ERROR ", "bold $severity-critical"),
    "warning": ("WARN ", "bold $severity-warning"),
}


class StatusLine(Static):
    """One line above the footer."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text; }
    """

    def note(self, text: str, level: str = "info") -> None:
        """Show ``text``; errors and warnings carry a word tag."""
        tag = _TAGS.get(level)
        line = text.splitlines()[0] if text else ""
        self.update(Content.assemble(tag, line) if tag else Content(line))
