"""Go binaries for the binary tests, built once per session with the real toolchain."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import gotool

#: binsample build variants: the flag sets on-call engineers meet in practice
VARIANTS: dict[str, tuple[str, ...]] = {
    "default": (),
    "nodwarf": ("-ldflags=-w",),
    "stripped": ("-ldflags=-s -w", "-tags=triage_test,netgo"),
    "pie": ("-buildmode=pie",),
    "noinline": ("-gcflags=-l",),
    "trimpath": ("-trimpath",),
}


@pytest.fixture(scope="session")
def binsample() -> Callable[[str], Path]:
    """``binsample(variant)`` -> path of tests/targets/binsample built that way."""
    built: dict[str, Path] = {}

    def get(variant: str) -> Path:
        if variant not in built:
            built[variant] = gotool.build("binsample", *VARIANTS[variant], name=f"bin-{variant}")
        return built[variant]

    return get


@pytest.fixture(scope="session")
def cross() -> Callable[[str], Path]:
    """``cross(goarch)`` -> binsample built for another architecture (GOARCH=arm64, 386)."""
    built: dict[str, Path] = {}

    def get(arch: str) -> Path:
        if arch not in built:
            built[arch] = build_with_env("binsample", f"bin-{arch}", GOARCH=arch)
        return built[arch]

    return get


@pytest.fixture(scope="session")
def cgosample() -> Path:
    """binsample/cgosample built with CGO_ENABLED=1 (external linking, C code inside)."""
    if not gotool.have_cc():
        pytest.skip("no C compiler for cgo")
    return build_with_env("binsample/cgosample", "cgosample", CGO_ENABLED="1")


def build_with_env(target: str, label: str, **env: str) -> Path:
    """Build ``tests/targets/<target>`` with extra environment; cached like gotool.build."""
    h = hashlib.sha256(repr(sorted(env.items())).encode())
    for path in sorted((gotool.TARGETS / target).glob("*.go")):
        h.update(path.read_bytes())
    out = gotool.CACHE / "bin" / f"{label}-{h.hexdigest()[:16]}"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        subprocess.run(
            [str(gotool.go_binary()), "build", "-o", str(tmp), f"./{target}"],
            cwd=gotool.TARGETS,
            env=dict(gotool.go_env(), **env),
            check=True,
            capture_output=True,
        )
        os.replace(tmp, out)
    return out


APP = """package main

import (
\t"fmt"

\t"example.com/lib"
\t"example.com/local"
\t"example.com/old"
)

func main() { fmt.Println(lib.Name(), old.Name(), local.Name()) }
"""

GO_MOD = """module example.com/app

go 1.27

require (
\texample.com/lib v1.2.3
\texample.com/local v0.1.0
\texample.com/old v1.0.0
)

replace example.com/old v1.0.0 => example.com/fork v1.1.0

replace example.com/local => ./local
"""


def _publish(proxy: Path, module: str, version: str, pkg: str) -> None:
    """Put ``module@version`` (package ``pkg`` with Name()) in a file:// module proxy."""
    base = proxy / module / "@v"
    base.mkdir(parents=True, exist_ok=True)
    mod = f"module {module}\n\ngo 1.21\n"
    (base / "list").write_text(f"{version}\n")
    (base / f"{version}.info").write_text(
        f'{{"Version":"{version}","Time":"2024-05-01T00:00:00Z"}}'
    )
    (base / f"{version}.mod").write_text(mod)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{module}@{version}/go.mod", mod)
        z.writestr(
            f"{module}@{version}/{pkg}.go",
            f'package {pkg}\n\nfunc Name() string {{ return "{module} {version}" }}\n',
        )
    (base / f"{version}.zip").write_bytes(buf.getvalue())


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture(scope="session")
def depsapp(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A module with a plain dependency, a module replacement and a directory
    replacement, committed to a fresh git repository and built with -ldflags/-tags.

    Returns (binary, HEAD commit). Modules come from a file:// proxy in a temp
    directory: no network.
    """
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("depsapp")
    proxy, src = root / "proxy", root / "src"
    _publish(proxy, "example.com/lib", "v1.2.3", "lib")
    _publish(proxy, "example.com/fork", "v1.1.0", "old")
    _publish(proxy, "example.com/old", "v1.0.0", "old")
    (src / "local").mkdir(parents=True)
    (src / "go.mod").write_text(GO_MOD)
    (src / "main.go").write_text(APP)
    (src / "local" / "go.mod").write_text("module example.com/local\n\ngo 1.21\n")
    (src / "local" / "local.go").write_text(
        'package local\n\nfunc Name() string { return "local" }\n'
    )
    env = gotool.go_env()
    env.update(
        GOPROXY=proxy.as_uri(),
        GOFLAGS="-mod=mod -modcacherw",
        GOMODCACHE=str(root / "modcache"),
    )
    _git(src, "init", "-q")
    run = ["go", "mod", "tidy"]
    subprocess.run(run, cwd=src, env=env, check=True, capture_output=True)
    _git(src, "add", "-A")
    _git(src, "commit", "-qm", "app")
    out = root / "app"
    subprocess.run(
        ["go", "build", "-tags=prod,netgo", "-ldflags=-X main.v=1.2 -s", "-o", str(out), "."],
        cwd=src,
        env=env,
        check=True,
        capture_output=True,
    )
    return out, _git(src, "rev-parse", "HEAD")
