"""Run a function in a forked child and take its pickled result through a pipe.

Used where pure-Python work must run on the second core (the interpreter lock
rules out threads): the preload reader and the parallel goroutine parse. Only
safe in a process with no other threads. Every failure in the child, a dead
child or a garbled answer reads as ``None``, and the caller does the work
itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
from collections.abc import Callable
from dataclasses import dataclass

_HEADER = struct.Struct("<Q")


@dataclass
class Child:
    """A forked child whose answer waits on ``fd``."""

    pid: int
    fd: int

    def receive(self, timeout: float) -> object | None:
        """The child's result, or None if it failed, died or took longer than ``timeout``."""
        try:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            with os.fdopen(self.fd, "rb", closefd=False) as inp:
                head = inp.read(_HEADER.size)
                if len(head) < _HEADER.size:
                    return None
                (size,) = _HEADER.unpack(head)
                result: object = pickle.loads(inp.read(size))
                return result
        except (OSError, EOFError, pickle.UnpicklingError, struct.error):
            return None

    def close(self) -> None:
        """Close the pipe and collect the child, killing it first if it still runs."""
        if self.fd < 0:
            return
        os.close(self.fd)
        self.fd = -1
        done, _ = os.waitpid(self.pid, os.WNOHANG)
        if not done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def fork_call(work: Callable[[], object]) -> Child | None:
    """Start ``work()`` in a forked child; None where fork is unavailable."""
    if not hasattr(os, "fork"):
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, send, and leave without cleanup
        os.close(read)
        code = 0
        try:
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(_HEADER.pack(len(data)))
                out.write(data)
        except BaseException:  # the parent does the work itself
            code = 1
        os._exit(code)
    os.close(write)
    return Child(pid, read)
