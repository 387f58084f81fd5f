"""``triage demo --serve``: a second shell's CLI works against it; Ctrl-C leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_then_the_cli_from_another_shell(tmp_path: Path, stop: signal.Signals) -> None:
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    env = dict(os.environ, TMPDIR=str(tmpdir), KUBECONFIG=str(tmp_path / "users"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "demo", "--serve", "--backing", "recorded"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        assert lines[-1].startswith("serving; Ctrl-C to stop"), lines
        export = next(line for line in lines if line.startswith("export KUBECONFIG="))
        kubeconfig = export.strip().removeprefix("export KUBECONFIG=")
        assert Path(kubeconfig).parent.parent == tmpdir
        shell = dict(os.environ, KUBECONFIG=kubeconfig)
        crashes = subprocess.run(
            [sys.executable, "-m", "triage", "crashes", "-A"],
            capture_output=True, text=True, env=shell, timeout=60, check=False,
        )  # fmt: skip
        assert crashes.returncode == 0, crashes.stderr
        assert "deployment/checkout  (shop)  3/3 pods crashing" in crashes.stdout
        assert "since revision 7" in crashes.stdout
        assert "deployment/indexer  (search)  2/2 pods crashing" in crashes.stdout
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode in (0, 128 + stop)
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(tmpdir.iterdir()) == []
    assert not (tmp_path / "users").exists()
