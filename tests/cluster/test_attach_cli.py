"""``triage attach|open|flame pod/NAME`` before any UI: what is wrong is one line and
its exit code (2 missing, 3 unreachable, 4 forbidden), against the project's API server."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import targets
from tests.support.kube import Kube
from triage.kubeserver import Container

pytestmark = pytest.mark.slow


def triage(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: "), proc.stderr
    return lines[0]


def _pod(kube: Kube) -> None:
    kube.cluster.add_pod(
        "default", "leaky-0", [Container("app", ports=[{"name": "pprof", "containerPort": 6060}])]
    )


def test_attach_without_pods_portforward_exits_4_naming_the_permission(kube: Kube) -> None:
    _pod(kube)
    line = one_line(
        triage("attach", "pod/leaky-0", "--kubeconfig", str(kube.kubeconfig("viewer"))), 4
    )
    assert line == (
        "triage: pod/leaky-0: live pprof, health and metrics need `get` and `create` on "
        "pods/portforward in namespace default; ask for them, or use `triage attach --direct` "
        "from inside the cluster network"
    )


def test_attach_and_open_a_missing_pod_exit_2(kube: Kube) -> None:
    config = str(kube.kubeconfig())
    for command in ("attach", "open"):
        line = one_line(triage(command, "pod/nope", "--kubeconfig", config), 2)
        assert line.startswith("triage: reading pod nope in namespace default: ")


def test_attach_an_unreachable_cluster_exits_3(kube: Kube, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = kube.kubeconfig().read_text().replace(kube.url, f"http://127.0.0.1:{port}")
    (tmp_path / "kc").write_text(text)
    line = one_line(triage("attach", "deploy/api", "--kubeconfig", str(tmp_path / "kc")), 3)
    assert "connection refused" in line


def test_direct_is_for_cluster_targets() -> None:
    line = one_line(triage("attach", "http://127.0.0.1:1", "--direct"), 2)
    assert line == "triage: --direct applies to pod and workload targets; drop --direct"


def test_flame_of_a_pod_fetches_its_cpu_profile_through_the_port_forward(kube: Kube) -> None:
    _pod(kube)
    with targets.leaky() as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        kube.cluster.back_port("default", "leaky-0", 6060, (host, int(port)))
        proc = triage(
            "flame", "pod/leaky-0", "--kubeconfig", str(kube.kubeconfig()), "--seconds", "1",
            "--top", "5",
        )  # fmt: skip
    assert "collecting CPU profile from pod/leaky-0: 1 s" in proc.stderr
    assert "Traceback" not in proc.stderr
    # an idle service may give no CPU samples: either way the profile was decoded
    if proc.returncode == 2:
        assert "pod/leaky-0 CPU profile: the profile holds no samples" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        assert "flat" in proc.stdout
