"""Bad input and an unreachable cluster: one line, the contract's exit code, nothing sent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.actions.conftest import Cli, Seen
from triage.kubeserver import kubeconfig
from triage.kubeserver.scenarios import Shop


def test_bad_durations_name_their_flag(shop: Shop, cli: Cli, wire: list[Seen]) -> None:
    run = cli("drain", "node-1", "--confirm", "node-1", "--timeout", "soon")
    assert (run.returncode, run.stderr.strip()) == (
        2,
        "triage: --timeout 'soon' is not a duration; write e.g. 30s, 5m or 1h",
    )
    run = cli("drain", "node-1", "--confirm", "node-1", "--eviction-retry", "x")
    assert run.returncode == 2
    assert "--eviction-retry 'x'" in run.stderr
    assert wire == []


def test_a_bad_target_spelling_is_bad_input(shop: Shop, cli: Cli) -> None:
    for args in (
        ("restart", "checkout"),
        ("rollback", "pod/x"),
        ("scale", "deploy/", "--replicas", "1"),
    ):
        run = cli(*args, "--confirm", "x")
        assert run.returncode == 2, args
        assert run.stderr.count("\n") == 1
        assert "Traceback" not in run.stderr


def test_unreachable_cluster_exits_3(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    text = kubeconfig.render(
        f"http://127.0.0.1:{port}", "admin", "t", namespace="shop", context="c"
    )
    path = kubeconfig.write(tmp_path / "kc", text)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage",
            "uncordon",
            "node-1",
            "--confirm",
            "node-1",
            "--kubeconfig",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert run.returncode == 3, run.stderr
    assert "connection refused" in run.stderr
    assert run.stderr.count("\n") == 1


def test_an_unwritable_audit_log_stops_the_action_before_any_change(
    shop: Shop, cli: Cli, wire: list[Seen], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    monkeypatch.setenv("TRIAGE_STATE_DIR", str(blocker / "triage"))
    run = cli("restart", "deployment/catalog", "--confirm", "catalog")
    assert run.returncode == 2
    assert "the audit log" in run.stderr
    assert "nothing was changed" in run.stderr
    assert [s for s in wire if s.method == "PATCH" and "dryRun" not in s.query] == []
