"""A bundle captured from the demo cluster reopens offline with the same findings (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from triage.demo.session import DemoSession


def triage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def crash_and_rules(doc: dict[str, Any]) -> tuple[object, object, list[str]]:
    crash = doc["crash"]
    return crash["kind"], crash["message"], sorted(f["rule"] for f in doc["findings"])


def test_a_bundle_of_the_crashing_deployment_reopens_offline(
    demo: DemoSession, tmp_path: Path
) -> None:
    config = str(demo.kubeconfig)
    live = triage("analyze", "deployment/checkout", "-n", "shop", "--kubeconfig", config, "--json")
    assert live.returncode == 0, live.stderr
    out = tmp_path / "checkout.tar.gz"
    made = triage(
        "bundle", "deployment/checkout", "-n", "shop", "--kubeconfig", config,
        "-o", str(out), "--cpu-seconds", "1",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "Traceback" not in made.stderr
    demo.close()  # the cluster is gone: what follows is offline

    offline = triage("analyze", str(out), "--json")
    assert offline.returncode == 0, offline.stderr
    before, after = json.loads(live.stdout), json.loads(offline.stdout)
    assert crash_and_rules(after) == crash_and_rules(before)
    assert after["crash"]["kind"] == "panic" and "nil pointer" in after["crash"]["message"]
