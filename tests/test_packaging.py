"""triage as a user installs it: a wheel, in a fresh venv outside the checkout (issue 8 point 1).

Every other test imports triage from the checkout, where the shipped ``themes/`` and
``keymaps/`` are always next to the code; only a built wheel shows whether they ship.
The wheel is built with pip (build isolation: setuptools comes from pip's cache or PyPI).
Here its dependencies come from the test interpreter's site-packages (no network at run
time, and ``pip check`` proves the wheel's requirements are met by them); ``.ci/run``
also installs it with a full dependency resolution, as ``pip install`` does for a user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("themes", "keymaps")


def test_package_data_is_one_copy_inside_the_package() -> None:
    """One copy, real files inside the package (so any build, from an sdist or a copy that
    drops links, carries them); the top-level folders are links to it for browsing."""
    for kind in SHIPPED:
        inside = ROOT / "triage" / kind
        assert inside.is_dir() and not inside.is_symlink(), kind
        assert sorted(inside.glob("*.toml")), kind
        top = ROOT / kind
        assert top.is_symlink() and top.resolve() == inside.resolve(), kind


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from a copy of the checkout (no build/ left in the worktree)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "triage"):
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                src / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        else:
            shutil.copy2(ROOT / name, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"),
         str(src)],
        check=True, capture_output=True,
    )  # fmt: skip
    (built,) = (work / "dist").glob("*.whl")
    return built


def test_wheel_carries_the_shipped_themes_and_keymaps(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for kind in SHIPPED:
            for path in sorted((ROOT / "triage" / kind).glob("*.toml")):
                inside = f"triage/{kind}/{path.name}"
                assert inside in names, inside
                assert archive.read(inside) == path.read_bytes(), inside
        extra = {n for n in names if n.endswith(".toml") and n.split("/")[0] == "triage"}
        assert len(extra) == sum(len(list((ROOT / "triage" / k).glob("*.toml"))) for k in SHIPPED)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout holding the wheel; returns its bin directory."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    # Without the checkout on PYTHONPATH: its egg-info would read as "already installed".
    subprocess.run([*pip, "install", "-q", "--no-deps", str(wheel)], check=True, env=_outside_env())
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, env=_outside_env(),
    ).stdout.strip()  # fmt: skip
    # The dependencies, from this interpreter (after the venv's own site-packages, so the
    # wheel's triage wins; a checkout's editable .pth there is not processed from a path).
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(site) / "zz-test-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    check = subprocess.run(
        [*pip, "check"], capture_output=True, text=True, env=_outside_env(), check=False
    )
    assert "triage-go-oncall" not in check.stdout, check.stdout  # its requirements are met
    return venv / "bin"


def _outside_env() -> dict[str, str]:
    """This environment without the checkout on the path."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def test_installed_package_finds_its_data_inside_the_venv(installed: Path) -> None:
    code = (
        "import triage, triage.ui.themes as t, triage.ui.keymap as k;"
        "print(triage.__file__); print(t.SHIPPED); print(k.SHIPPED);"
        "print(len(t.discover().themes), k.load_keymap('vim').warnings)"
    )
    out = subprocess.run(
        [installed / "python", "-c", code],
        capture_output=True, text=True, check=True, env=_outside_env(), cwd=installed,
    ).stdout.splitlines()  # fmt: skip
    venv = str(installed.parent)
    assert all(line.startswith(venv) for line in out[:3]), out
    assert out[3] == "4 []"


@pytest.fixture
def installed_tmux(installed: Path, tmp_path: Path) -> Iterator[object]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    from tests.ui.test_tmux import Tmux

    dump = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, dump)
    env = {
        "TERM": "screen-256color",
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "PATH": f"{installed}:/usr/bin:/bin",
    }
    session = Tmux("installed", f"env -u PYTHONPATH triage open {dump}", env)
    try:
        yield session
    finally:
        session.kill()


def test_installed_triage_opens_a_dump_in_tmux(installed_tmux: object) -> None:
    from tests.ui.test_tmux import Tmux

    assert isinstance(installed_tmux, Tmux)
    screen = installed_tmux.wait_for("Goroutines · 1,151 in 23 groups")
    screen = installed_tmux.wait_for("q Quit")
    assert "WARN 300 goroutines blocked on chan receive in main.leak.func1.1" in screen
    installed_tmux.keys("?")
    installed_tmux.wait_for("Keys (default keymap)")
    installed_tmux.keys("Escape")
    installed_tmux.wait_for("Goroutines · 1,151")
    installed_tmux.keys("q")
    screen = installed_tmux.wait_for("EXITED=0")
    assert "Traceback" not in screen and "Error" not in screen


def test_wheel_carries_the_demo_artefacts(wheel: Path) -> None:
    """``triage demo`` without Go replays these: the wheel must hold every one, unchanged."""
    data = ROOT / "triage" / "demo" / "data"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        shipped = sorted(p for p in data.iterdir() if p.is_file())
        assert len(shipped) >= 10
        for path in shipped:
            inside = f"triage/demo/data/{path.name}"
            assert inside in names, inside
            assert archive.read(inside) == path.read_bytes(), inside
