"""The API server package is stdlib-only: no kubernetes client, no textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import triage.kubeserver


def test_kubeserver_imports_neither_kubernetes_nor_textual() -> None:
    modules = [
        i.name for i in pkgutil.walk_packages(triage.kubeserver.__path__, "triage.kubeserver.")
    ]
    assert "triage.kubeserver.server" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'textual'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
