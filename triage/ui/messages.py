"""Typed messages that workers post back to the UI thread."""

from __future__ import annotations

from textual.message import Message

from triage.workspace import Loaded, LoadedDump


class SourceLoaded(Message):
    """A file or URL finished loading."""

    def __init__(self, loaded: Loaded) -> None:
        super().__init__()
        self.loaded = loaded


class StatusNote(Message):
    """A one-line note for the status line (``level``: info, warning or error)."""

    def __init__(self, text: str, level: str = "info") -> None:
        super().__init__()
        self.text = text
        self.level = level


class Regrouped(Message):
    """The dumps, grouped again at another level."""

    def __init__(self, dumps: list[LoadedDump]) -> None:
        super().__init__()
        self.dumps = dumps


class BundleRead(Message):
    """An incident bundle's manifest, probes, metrics and missing parts, as lines."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines
