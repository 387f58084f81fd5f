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


def test_an_internal_error_is_a_500_status_and_nothing_on_stderr(tmp_path: Path) -> None:
    code = (
        "import json, urllib.request\n"
        "from triage.kubeserver import KubeServer\n"
        "from triage.kubeserver import api\n"
        "def broken(*a, **k): raise RuntimeError('boom')\n"
        "api.read = broken\n"
        "with KubeServer() as s:\n"
        "    s.cluster.add_namespace('default')\n"
        "    req = urllib.request.Request(s.url + '/api/v1/namespaces/default',\n"
        "                                 headers={'Authorization': 'Bearer admin-token'})\n"
        "    try:\n"
        "        urllib.request.urlopen(req)\n"
        "    except urllib.error.HTTPError as e:\n"
        "        print(e.code, json.loads(e.read())['reason'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "500 InternalError"
    assert out.stderr == ""
