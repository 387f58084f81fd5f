"""triage.actions drives an Executor: it never imports kubernetes (nor textual, nor the cluster)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import triage.actions

ROOT = Path(triage.actions.__file__).parent
FORBIDDEN = ("kubernetes", "textual", "triage.cluster", "triage.ui")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(ROOT.glob("*.py")), ids=lambda p: p.name)
def test_no_forbidden_import_in_source(path: Path) -> None:
    bad = sorted(n for n in _imported(path) if n.startswith(FORBIDDEN))
    assert bad == [], f"{path.name} imports {bad}"


def test_importing_every_actions_module_loads_no_kubernetes() -> None:
    modules = [m.name for m in pkgutil.walk_packages(triage.actions.__path__, "triage.actions.")]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('kubernetes', 'textual') or m.startswith('triage.cluster'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert len(modules) >= 10
    assert out == ""
