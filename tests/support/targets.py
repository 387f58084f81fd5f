"""Run the Go test targets and capture what the real runtime printed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import gotool


@dataclass(frozen=True)
class Run:
    """One crash: the runtime's stderr and the exit code."""

    mode: str
    stderr: str
    returncode: int


_RUNS: dict[tuple[str, str, str], Run] = {}


def crash(mode: str, traceback: str = "all", godebug: str = "") -> Run:
    """Run ``crashers MODE`` once per (mode, GOTRACEBACK, GODEBUG) and cache it."""
    key = (mode, traceback, godebug)
    if key not in _RUNS:
        binary = gotool.build("crashers")
        env = dict(os.environ, GOTRACEBACK=traceback)
        if godebug:
            env["GODEBUG"] = godebug
        proc = subprocess.run(
            [str(binary), mode], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        _RUNS[key] = Run(mode, proc.stderr, proc.returncode)
    return _RUNS[key]


def sigquit(traceback: str = "all") -> Run:
    """Start ``crashers sigquit``, wait for "ready", send SIGQUIT, capture the dump."""
    key = ("sigquit", traceback, "")
    if key not in _RUNS:
        binary = gotool.build("crashers")
        env = dict(os.environ, GOTRACEBACK=traceback)
        proc = subprocess.Popen(
            [str(binary), "sigquit"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGQUIT)
        _, err = proc.communicate(timeout=30)
        _RUNS[key] = Run("sigquit", err, proc.returncode)
    return _RUNS[key]


@dataclass
class Service:
    """A running ``leaky`` target."""

    url: str
    proc: subprocess.Popen[str]

    def get(self, path: str, timeout: float = 30) -> httpx.Response:
        return httpx.get(self.url + path, timeout=timeout)


@contextmanager
def leaky(
    *args: str, env: dict[str, str] | None = None, build_flags: tuple[str, ...] = ()
) -> Iterator[Service]:
    """Start the leaky service on 127.0.0.1 and stop it afterwards."""
    binary = gotool.build("leaky", *build_flags, name="leaky" + "".join(build_flags))
    proc = subprocess.Popen(
        [str(binary), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, **(env or {})),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on "), line
        yield Service(line.removeprefix("listening on "), proc)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def hang_requests(url: str, n: int) -> None:
    """Send ``n`` concurrent requests that hang and give up on them after 0.3 s.

    The service's handlers stay blocked, as they do behind impatient clients.
    """

    def one() -> None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=0.3)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def wait_until(predicate: object, timeout: float = 10.0) -> None:
    """Poll ``predicate()`` until true (for processes settling, not for timing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    """Write a test input file."""
    path = tmp / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path
