"""Read the files the user named on the second core while the UI starts.

``triage open FILE`` spends its first few hundred milliseconds importing and
drawing the UI, on one core. A thread would fight that for the interpreter
lock; a forked child process parses the dumps truly in parallel and sends the
analysis back pickled (without the file's bytes, which the parent maps itself).
Where fork is unavailable, or the child fails, the workspace loads the files
itself as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from triage.errors import TriageError
from triage.forkpipe import Child, fork_call
from triage.goroutines.thresholds import Thresholds

if TYPE_CHECKING:
    from triage.targets import Target
    from triage.workspace import Loaded

#: how long the workspace waits for the reader before reading the files itself
RECEIVE_TIMEOUT = 600.0


@dataclass
class Preload:
    """A child process reading ``paths`` (targets, or file paths); results come back by pipe."""

    paths: Sequence[str | Target]
    thresholds: Thresholds | None = None
    child: Child | None = None
    _results: dict[str | Target, Loaded | TriageError] | None = None

    def start(self) -> Preload:
        """Fork the reader (only before any thread exists: at command start)."""
        self.child = fork_call(self._load_all)
        return self

    @property
    def pid(self) -> int:
        """The reader's process id (0 when none was started)."""
        return self.child.pid if self.child is not None else 0

    def _load_all(self) -> dict[str | Target, object]:
        from triage.workspace import LoadedDump, load_path

        out: dict[str | Target, object] = {}
        for path in self.paths:
            try:
                loaded = load_path(path, thresholds=self.thresholds)
            except TriageError as exc:
                out[path] = exc
                continue
            if not isinstance(loaded, LoadedDump):
                continue  # profiles and binaries load fast in the parent
            for item in loaded.analysis.dumps:
                if item.dump.source_is_input:
                    item.dump.source = b""  # the parent maps the file itself
            out[path] = loaded.analysis
        return out

    def take(self, path: str | Target) -> Loaded | None:
        """The result for ``path`` (waits for the child), or None to load it normally."""
        results = self._receive()
        got = results.pop(path, None)
        if isinstance(got, TriageError):
            raise got
        if got is None:
            return None
        from triage.workspace import attach_source

        return attach_source(path, got)  # type: ignore[arg-type]

    def cancel(self) -> None:
        """Stop the reader if it is still running (the app is exiting)."""
        if self.child is not None:
            self.child.close()

    def _receive(self) -> dict[str | Target, Loaded | TriageError]:
        if self._results is None:
            got = None
            if self.child is not None:
                got = self.child.receive(RECEIVE_TIMEOUT)
                self.child.close()
            self._results = got if isinstance(got, dict) else {}
        return self._results
