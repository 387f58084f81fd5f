"""Import hygiene at run time, from the same module lists as the import-linter contracts.

``lint-imports`` checks the static imports; these tests import each module in a
fresh interpreter and look at ``sys.modules``, which also catches imports made
inside functions at import time. The module lists come from ``pyproject.toml``
(the ``layers`` and ``textual`` contracts), so the two checks cannot drift.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import triage
from tests.support.httpd import reply, serve
from tests.support.kube import Kube
from triage.kubeserver import Container

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _contract(contract_id: str) -> dict[str, object]:
    config = tomllib.loads(PYPROJECT.read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract.get("id") == contract_id:
            return dict(contract)
    raise AssertionError(f"no import-linter contract with id {contract_id!r}")


def layer_packages() -> list[str]:
    """Every package named in the layers contract, top to bottom."""
    layers = _contract("layers")["layers"]
    assert isinstance(layers, list)
    return [name.strip() for layer in layers for name in str(layer).replace(":", "|").split("|")]


def below_ui() -> list[str]:
    """The packages the textual contract guards (everything under triage.ui)."""
    sources = _contract("textual")["source_modules"]
    assert isinstance(sources, list)
    return [str(s) for s in sources]


def _modules(prefixes: list[str]) -> list[str]:
    names = set()
    for info in pkgutil.walk_packages(triage.__path__, "triage."):
        if any(info.name == p or info.name.startswith(p + ".") for p in prefixes):
            names.add(info.name)
    names.update(p for p in prefixes if p not in names)
    return sorted(names)


def _first_offender(modules: list[str], watched: tuple[str, ...]) -> str:
    """Import ``modules`` in one fresh interpreter; name the first that loads a watched one.

    One interpreter per package keeps this to a few seconds; once a watched
    package is loaded the rest cannot be told apart, but the first offender is
    the one to fix (``lint-imports`` then names the import line).
    """
    code = (
        "import importlib, sys\n"
        f"watched = {watched!r}\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    bad = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in watched})\n"
        "    if bad:\n"
        "        print(name, 'loads', ','.join(bad))\n"
        "        break\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_every_package_is_in_a_layer() -> None:
    """A new top-level package or module must be placed in the layers contract."""
    top = {
        f"triage.{info.name}"
        for info in pkgutil.iter_modules(triage.__path__)
        if info.name not in ("__main__",)
    }
    assert top - set(layer_packages()) == set()


def test_the_textual_contract_covers_every_layer_below_the_ui() -> None:
    layers = layer_packages()
    assert below_ui() == layers[layers.index("triage.ui") + 1 :]


@pytest.mark.parametrize("package", layer_packages())
def test_importing_a_module_loads_neither_textual_below_the_ui_nor_kubernetes(package: str) -> None:
    """Core never imports textual; nothing imports kubernetes before a cluster target needs it.

    The kubernetes client costs ~0.3 s to import, so file and URL targets never pay
    it: even ``triage.cluster.client`` imports it inside the functions that use it.
    """
    watched = ("textual", "kubernetes") if package in below_ui() else ("kubernetes",)
    assert _first_offender(_modules([package]), watched) == ""


def test_cli_help_is_light() -> None:
    """`triage --help` must not import the UI, the kubernetes client or httpx."""
    code = (
        "import sys\n"
        "from triage.cli import build_parser\n"
        "build_parser()\n"
        "heavy = [m for m in ('textual', 'kubernetes', 'httpx') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


SAMPLE = Path(__file__).parent / "samples" / "checkout-sigquit.log"
#: a run of the CLI that says which heavy modules it ended up importing
_RUN = (
    "import sys\n"
    "from triage.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "import triage.ui.launch, triage.ui.live, triage.ui.screens.workspace\n"
    "print('kubernetes' in sys.modules, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _kubernetes_imported(*args: str) -> bool:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.strip().splitlines()[-1] == "True"


def test_file_and_url_targets_never_import_kubernetes() -> None:
    """The pod path (cluster source, pod fetcher) is wired into analyze, open and
    attach; a file or a URL must still not pay for the kubernetes client (~0.3 s)."""
    assert not _kubernetes_imported("analyze", str(SAMPLE), "--json")
    with serve({"/debug/pprof/goroutine": reply(200, SAMPLE.read_bytes())}) as url:
        assert not _kubernetes_imported("analyze", url, "--top", "1")


def test_the_check_can_fail_a_pod_target_imports_kubernetes(kube: Kube) -> None:
    """The same check on a pod target sees the client loaded (so it is not vacuous)."""
    kube.cluster.add_pod("default", "p", [Container("app", log=SAMPLE.read_text())])
    assert _kubernetes_imported("analyze", "pod/p", "--kubeconfig", str(kube.kubeconfig()))
