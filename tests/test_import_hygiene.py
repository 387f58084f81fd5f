"""Core packages must never import textual (the UI lives in triage/ui only)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import triage

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
