"""One demo run: a private temp dir, the API server, the backing, the crash ticker; all undone.

Nothing is written outside the temp dir (kubeconfig, TLS files, the actions'
audit log and the recent-sources list are pointed into it) except the Go
binaries' build cache; the user's ``KUBECONFIG`` is never read or written.
:meth:`DemoSession.close` stops the ticker, the server and every child
process, and removes the temp dir; it is idempotent and also runs at
interpreter exit, so every exit path (``q``, Ctrl-C, SIGTERM, SIGHUP, an
error) cleans up.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from triage.demo.backends import Backends
from triage.demo.scenario import Crashing, crash_again, seed_demo
from triage.kubeserver import KubeServer, kubeconfig
from triage.kubeserver.tlscert import TLSUnavailable, make_cert

CONTEXT = "triage-demo"
#: environment variables the demo points into its temp dir, so nothing lands in the user's
#: dirs; TMPDIR too: the kubernetes client writes the kubeconfig's CA to a temp file
PRIVATE_DIRS = ("TRIAGE_STATE_DIR", "TRIAGE_DATA_DIR", "TMPDIR")


def start_backends(
    backing: str, step_seconds: float, clock: Callable[[], float] = time.monotonic
) -> Backends:
    """``go``, ``recorded`` or ``auto`` (Go when it can be had, else recorded)."""
    from triage.demo.replay import start_recorded

    if backing == "recorded":
        return start_recorded(step_seconds, clock)
    from triage.demo.golive import GoMissing, start_go

    try:
        return start_go()
    except GoMissing:
        if backing == "go":
            raise
        return start_recorded(step_seconds, clock)


class DemoSession:
    """The running demo: ``kubeconfig`` is the file to point triage or kubectl at."""

    def __init__(
        self,
        backing: str = "auto",
        *,
        crash_every: float = 20.0,
        step_seconds: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backing = backing
        self.crash_every = crash_every
        self.step_seconds = step_seconds
        self.clock = clock  # the recorded leak's steps follow it (tests step it by hand)
        self.tmp: Path | None = None
        self.server: KubeServer | None = None
        self.backends: Backends | None = None
        self.crashing: list[Crashing] = []
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._saved_env: dict[str, str | None] = {}
        self._saved_tempdir: str | None = tempfile.tempdir

    @property
    def kubeconfig(self) -> Path:
        """The admin kubeconfig in the temp dir."""
        if self.tmp is None:
            raise RuntimeError("demo not started")
        return self.tmp / "kubeconfig"

    def start(self) -> DemoSession:
        """Make the temp dir, start backing and server, seed, write the kubeconfig."""
        atexit.register(self.close)
        try:
            self.tmp = Path(tempfile.mkdtemp(prefix="triage-demo-"))
            for name in PRIVATE_DIRS:
                self._saved_env[name] = os.environ.get(name)
                private = self.tmp / name.removeprefix("TRIAGE_").lower()
                private.mkdir()
                os.environ[name] = str(private)
            self._saved_tempdir = tempfile.tempdir
            tempfile.tempdir = None  # re-read TMPDIR: ours now
            try:
                cert = make_cert(self.tmp / "tls")
            except TLSUnavailable:
                cert = None  # plain HTTP on loopback: triage still sends the token
            self.backends = start_backends(self.backing, self.step_seconds, self.clock)
            self.server = KubeServer(tls=cert).start()
            self.crashing = seed_demo(self.server.cluster, self.backends)
            text = kubeconfig.render(
                self.server.url,
                "admin",
                self.server.token("admin"),
                namespace="shop",
                context=CONTEXT,
                ca_cert=cert.ca if cert else None,
            )
            kubeconfig.write(self.kubeconfig, text)
            self._ticker = threading.Thread(target=self._crash_loop, name="demo-crash", daemon=True)
            self._ticker.start()
        except BaseException:
            self.close()
            raise
        return self

    def _crash_loop(self) -> None:
        while not self._stop.wait(self.crash_every):
            if self.server is not None:
                with contextlib.suppress(Exception):  # a closing store: the demo is ending
                    crash_again(self.server.cluster, self.crashing)

    def close(self) -> None:
        """Stop everything and remove the temp dir (safe to call twice)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.backends is not None:
            self.backends.close()
            self.backends = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        tempfile.tempdir = self._saved_tempdir
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        atexit.unregister(self.close)

    def __enter__(self) -> DemoSession:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
