"""Real profiles for the pprof tests, fetched once per session from tests/targets/profiled.

The server starts once; each kind of work runs once and each profile is
fetched once into a session temp dir. ``go tool pprof`` (the toolchain's own
reader) is located once and run with the test Go environment and
``-symbolize=none``, so it never looks for binaries or the network.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support import gotool


@dataclass(frozen=True)
class Server:
    """The running profiled target."""

    url: str
    binary: Path
    proc: subprocess.Popen[bytes]


def start_server(*flags: str) -> Server:
    """Start the profiled target; it prints its address and exits when stdin closes."""
    binary = gotool.build("profiled")
    proc = subprocess.Popen(
        [str(binary), *flags],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode().strip()
    assert line.startswith("listening on http://127.0.0.1:"), line
    return Server(line.removeprefix("listening on "), binary, proc)


def stop_server(server: Server) -> None:
    assert server.proc.stdin is not None
    server.proc.stdin.close()
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    srv = start_server()
    yield srv
    stop_server(srv)


PROFILE_KINDS = ("cpu", "heap", "allocs", "mutex", "block", "goroutine")


@pytest.fixture(scope="session")
def profiles(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """kind -> path of a gzipped profile fetched from the server."""
    out = tmp_path_factory.mktemp("profiles")
    paths: dict[str, Path] = {}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        cpu = _cpu_profile(http)
        for kind in ("alloc", "mutex", "block"):
            http.get("/load", params={"kind": kind, "ms": "250"}).raise_for_status()
        bodies = {"cpu": cpu}
        for kind, path in (
            ("heap", "/debug/pprof/heap"),
            ("allocs", "/debug/pprof/allocs"),
            ("mutex", "/debug/pprof/mutex"),
            ("block", "/debug/pprof/block"),
            ("goroutine", "/debug/pprof/goroutine?debug=0"),
        ):
            resp = http.get(path)
            resp.raise_for_status()
            bodies[kind] = resp.content
    for kind, body in bodies.items():
        paths[kind] = out / f"{kind}.pb.gz"
        paths[kind].write_bytes(body)
    return paths


MIN_CPU_SAMPLES = 120


def _cpu_profile(http: httpx.Client) -> bytes:
    """A CPU profile of the varied workload with enough samples to hold its whole tree.

    On a loaded machine (CI neighbours, a toolchain build) the workers can be
    starved; then the profile is taken again, at most three times.
    """
    from triage.pprof.decode import decode

    body = b""
    for _ in range(3):
        http.get("/load", params={"kind": "cpu", "ms": "2600"}).raise_for_status()
        resp = http.get("/debug/pprof/profile", params={"seconds": "2"})
        resp.raise_for_status()
        body = resp.content
        if len(decode(body)) >= MIN_CPU_SAMPLES:
            break
    return body


_PPROF: list[str] = []
_LOCK = threading.Lock()


def pprof_tool() -> str:
    """Path of the toolchain's pprof binary (built into the Go cache on first use)."""
    with _LOCK:
        if not _PPROF:
            _PPROF.append(gotool.run_go("tool", "-n", "pprof").strip())
    return _PPROF[0]


def go_pprof(*args: str) -> str:
    """Run ``go tool pprof -symbolize=none ARGS`` and return its stdout."""
    proc = subprocess.run(
        [pprof_tool(), "-symbolize=none", *args],
        env=gotool.go_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"go tool pprof {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout
