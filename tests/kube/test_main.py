"""``python -m triage.kubeserver``: a server to try triage and kubectl against by hand."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path


def test_runs_seeded_and_stops_on_sigterm(tmp_path: Path, nil_panic: str) -> None:
    crash = tmp_path / "crash.log"
    crash.write_text(nil_panic)
    admin = tmp_path / "kc"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "triage.kubeserver",
            "--kubeconfig",
            str(admin),
            "--crash-log",
            str(crash),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        assert lines[0].strip() == f"admin: {admin}" and lines[3].startswith(
            "serving https://127.0.0.1:"
        )
        assert (admin.stat().st_mode & 0o777) == 0o600
        if shutil.which("kubectl"):
            out = subprocess.run(
                [
                    "kubectl",
                    "--kubeconfig",
                    str(admin),
                    "--cache-dir",
                    str(tmp_path / "c"),
                    "get",
                    "pods",
                    "-o",
                    "json",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            assert len(json.loads(out.stdout)["items"]) == 6
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_unreadable_crash_log_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage.kubeserver",
            "--kubeconfig",
            str(tmp_path / "kc"),
            "--crash-log",
            str(tmp_path / "missing"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.strip() == "cannot read --crash-log: No such file or directory"
