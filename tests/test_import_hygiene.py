"""Core packages must never import textual (the UI lives in triage/ui only)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import triage
from tests.support.httpd import reply, serve
from tests.support.kube import Kube
from triage.kubeserver import Container

CORE_PREFIXES = (
    "triage.goroutines",
    "triage.pprof",
    "triage.binary",
    "triage.probes",
    "triage.cluster",
    "triage.commands",
)


def core_modules() -> list[str]:
    names = ["triage.cli", "triage.errors", "triage.sources", "triage.locations", "triage.textout"]
    names += ["triage.targets", "triage.recent"]
    for info in pkgutil.walk_packages(triage.__path__, "triage."):
        if info.name.startswith(CORE_PREFIXES):
            names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"{module} pulls in textual: {out}"


def test_cli_help_is_light() -> None:
    """`triage --help` must not import the UI or the kubernetes client."""
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
