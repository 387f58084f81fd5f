"""Recorded backing: a tiny loopback HTTP server per role replaying real Go artefacts.

Used when no Go toolchain (or no ``tests/targets`` sources) is at hand. The
files in ``data/`` were recorded from the ``leaky``, ``profiled`` and
``crashers`` targets (``data/MANIFEST.txt`` says how each was made). The leak
role steps through its recorded dumps and metrics pages as time passes, so its
goroutine count grows while you watch, then stays at the last step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from urllib.parse import parse_qs, urlsplit

from triage.demo.backends import Address, Backends

#: recorded growth steps of the leak (leak-N-*.txt)
STEPS = 4
OK = b"ok\n"


def data(name: str) -> bytes:
    """A shipped artefact's bytes."""
    return files("triage.demo").joinpath("data", name).read_bytes()


class Role:
    """What one role answers, by path; ``step()`` picks the leak's growth step."""

    def __init__(self, name: str, step: Callable[[], int]) -> None:
        self.name = name
        self.step = step

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET."""
        step = self.step() if self.name == "leak" else 0
        text = "text/plain; charset=utf-8"
        proto = "application/octet-stream"
        if path in ("/healthz", "/readyz", "/livez"):
            return 200, text, OK
        if path == "/metrics":
            return 200, "text/plain; version=0.0.4", data(f"leak-{step}-metrics.txt")
        if path == "/debug/pprof/goroutine":
            debug = (query.get("debug") or ["0"])[0]
            if debug in ("1", "2"):
                return 200, text, data(f"leak-{step}-debug{debug}.txt")
            return 200, proto, data("goroutine.pb.gz")
        profiles = {
            "/debug/pprof/profile": "cpu.pb.gz",
            "/debug/pprof/heap": "heap.pb.gz",
            "/debug/pprof/allocs": "heap.pb.gz",
            "/debug/pprof/mutex": "mutex.pb.gz",
        }
        if path in profiles:
            return 200, proto, data(profiles[path])
        return 404, text, b"404 page not found\n"


def _handler(role: Role) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, ctype, body = role.answer(parts.path, parse_qs(parts.query))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: a TUI runs on this terminal."""

    return Handler


def _serve(role: Role) -> tuple[Address, Callable[[], None]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(role))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()

    def close() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    host, port = server.server_address[:2]
    return (str(host), int(port)), close


def start_recorded(
    step_seconds: float = 15.0, clock: Callable[[], float] = time.monotonic
) -> Backends:
    """Serve the recorded artefacts; the leak moves one step every ``step_seconds``."""
    began = clock()

    def step() -> int:
        return min(STEPS - 1, int((clock() - began) / step_seconds))

    addresses: dict[str, Address] = {}
    closers: list[Callable[[], None]] = []
    for name in ("leak", "contention", "healthy"):
        address, close = _serve(Role(name, step))
        addresses[name] = address
        closers.append(close)
    return Backends(
        kind="recorded",
        leak=addresses["leak"],
        contention=addresses["contention"],
        healthy=addresses["healthy"],
        panic=data("panic.log").decode(),
        closers=closers,
    )
