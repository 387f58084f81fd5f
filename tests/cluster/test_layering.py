"""Only triage/cluster/client.py imports kubernetes; the rest of the package works on dicts.

Checked two ways: statically (no other file of the package names ``kubernetes`` in
an import) and at run time (importing each other cluster module, the crashes
command and the CLI does not load ``kubernetes``: it costs ~0.3 s and must never
happen for file or URL targets).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import triage

ROOT = Path(triage.__file__).parent
ALLOWED = {ROOT / "cluster" / "client.py"}


def _imports_kubernetes(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "kubernetes" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "kubernetes":
            return True
    return False


def test_only_the_client_module_imports_kubernetes() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if p not in ALLOWED and _imports_kubernetes(p)
    ]
    assert offenders == []
    assert _imports_kubernetes(ROOT / "cluster" / "client.py")


@pytest.mark.parametrize(
    "module",
    [
        "triage.cluster.model",
        "triage.cluster.signature",
        "triage.cluster.workloads",
        "triage.cluster.endpoints",
        "triage.cluster.kubeconfig",
        "triage.cluster.apierrors",
        "triage.cluster.logs",
        "triage.cluster.crashes",
        "triage.cluster.forward",
        "triage.cluster.watch",
        "triage.cluster.source",
        "triage.cluster.access",
        "triage.cluster.fetcher",
        "triage.cluster.jsonshape",
        "triage.commands.crashes",
        "triage.cluster.client",  # lazy inside: importing it is still free
    ],
)
def test_cluster_modules_load_without_kubernetes(module: str) -> None:
    code = (
        f"import importlib, sys\nimportlib.import_module({module!r})\n"
        "print(any(m == 'kubernetes' or m.startswith('kubernetes.') for m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
