"""Read the files the user named on the second core while the UI starts.

``triage open FILE`` spends its first few hundred milliseconds importing and
drawing the UI, on one core. A thread would fight that for the interpreter
lock; a forked child process parses the dumps truly in parallel and sends the
analysis back pickled (without the file's bytes, which the parent maps itself).
Where fork is unavailable, or the child fails, the workspace loads the files
itself as usual.
"""

from __future__ import annotations

import os
import pickle
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from triage.errors import TriageError
from triage.goroutines.thresholds import Thresholds

if TYPE_CHECKING:
    from triage.workspace import Loaded

_HEADER = struct.Struct("<Q")


@dataclass
class Preload:
    """A child process reading ``paths``; results come back through a pipe."""

    paths: list[str]
    thresholds: Thresholds | None = None
    pid: int = 0
    fd: int = -1
    _results: dict[str, Loaded | TriageError] | None = None

    def start(self) -> Preload:
        """Fork the reader (only before any thread exists: at command start)."""
        if not hasattr(os, "fork"):
            return self
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: read, analyse, send, and leave without cleanup
            os.close(read)
            code = 0
            try:
                _send(write, self._load_all())
            except BaseException:  # the parent falls back on any failure
                code = 1
            os._exit(code)
        os.close(write)
        self.pid, self.fd = pid, read
        return self

    def _load_all(self) -> dict[str, object]:
        from triage.workspace import LoadedDump, load_path

        out: dict[str, object] = {}
        for path in self.paths:
            try:
                loaded = load_path(path, thresholds=self.thresholds)
            except TriageError as exc:
                out[path] = exc
                continue
            if not isinstance(loaded, LoadedDump):
                continue  # profiles and binaries load fast in the parent
            for item in loaded.analysis.dumps:
                item.dump.source = b""  # the parent maps the file itself
            out[path] = loaded.analysis
        return out

    def take(self, path: str) -> Loaded | None:
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
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
            _reap(self.pid)

    def _receive(self) -> dict[str, Loaded | TriageError]:
        if self._results is None:
            self._results = {}
            if self.fd >= 0:
                try:
                    self._results = _receive(self.fd)
                except (OSError, EOFError, pickle.UnpicklingError, struct.error):
                    self._results = {}
                finally:
                    os.close(self.fd)
                    self.fd = -1
                    _reap(self.pid)
        return self._results


def _send(fd: int, payload: dict[str, object]) -> None:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    with os.fdopen(fd, "wb") as out:
        out.write(_HEADER.pack(len(data)))
        out.write(data)


#: how long the workspace waits for the reader before reading the files itself
RECEIVE_TIMEOUT = 600.0


def _receive(fd: int) -> dict[str, Loaded | TriageError]:
    import select

    ready, _, _ = select.select([fd], [], [], RECEIVE_TIMEOUT)
    if not ready:
        raise EOFError("the reader process gave no answer")
    with os.fdopen(fd, "rb", closefd=False) as inp:
        head = inp.read(_HEADER.size)
        (size,) = _HEADER.unpack(head)
        data = inp.read(size)
    result: dict[str, Loaded | TriageError] = pickle.loads(data)
    return result


def _reap(pid: int) -> None:
    """Collect the child; kill it first if it is still running (it answered, or hung)."""
    import signal

    done, _ = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
