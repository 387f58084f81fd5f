"""``triage analyze pod/NAME|deployment/NAME`` as a user runs it, against the project's
API server over real HTTPS, with logs that are real Go crash output."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.seed import seed_shop
from tests.support.kube import Kube

pytestmark = pytest.mark.slow

#: the keys ``triage analyze FILE --json`` promises (tests/goroutines/test_cli.py)
CONTRACT_TOP = {"source", "goroutines", "crash", "groups", "findings", "dumps"}


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: "), proc.stderr
    return lines[0]


def test_pod_reads_the_previous_log_and_reports_as_for_a_file(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    pod = shop.checkout_crashing[0]
    config = str(kube.kubeconfig())
    proc = analyze(f"pod/{pod}", "-n", "shop", "--kubeconfig", config, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc.keys() >= CONTRACT_TOP
    assert doc["source"] == f"pod/{pod}"
    assert doc["crash"]["kind"] == "panic"
    assert doc["crash"]["message"].endswith("nil pointer dereference")
    assert doc["pod"] == {
        "name": pod,
        "namespace": "shop",
        "container": "checkout",
        "log": "previous",
    }
    assert doc["signature"] is None  # a pod has no fleet
    assert proc.stderr == ""  # nothing was missing: no warning

    text = analyze(f"pod/{pod}", "-n", "shop", "--kubeconfig", config, "--color", "never")
    assert text.returncode == 0, text.stderr
    first = text.stdout.splitlines()[0]
    assert first == f"pod/{pod} (previous log) · container checkout · namespace shop"
    assert "nil pointer dereference" in text.stdout


def test_deployment_adds_the_fleet_signature_and_names_the_pod_read(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    config = str(kube.kubeconfig(namespace="shop"))  # the context's namespace, as kubectl
    proc = analyze("deployment/checkout", "--kubeconfig", config, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["source"] == "deployment/checkout"
    assert doc["pod"]["name"] in shop.checkout_crashing
    signature = doc["signature"]
    assert {"summary", "pods", "since_revision"} <= signature.keys()
    assert signature["pods"] == 3 and signature["since_revision"] == 2
    assert signature["summary"].startswith("3/5 pods: nil pointer dereference at ")
    read = f"triage: warning: read pod/{doc['pod']['name']} (previous log), its worst pod"
    assert read in proc.stderr

    text = analyze("deploy/checkout", "--kubeconfig", config, "--color", "never")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[1] == "fleet signature: " + signature["summary"]


def test_viewer_without_pods_log_reads_the_termination_message(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    pod = shop.checkout_crashing[0]
    config = str(kube.kubeconfig(user="viewer"))
    proc = analyze(f"pod/{pod}", "-n", "shop", "--kubeconfig", config, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["pod"]["log"] == "termination-message"
    assert doc["crash"]["message"].endswith("nil pointer dereference")  # a partial traceback
    warning = proc.stderr.strip()
    assert warning.startswith(
        f"triage: warning: logs are not readable: the crash is from the termination message "
        f"of pod/{pod} (at most 4096 bytes"
    )
    assert "`get pods/log` in namespace shop would show the full log" in warning


def test_statefulset_and_daemonset_names_are_read_too(kube: Kube) -> None:
    proc = analyze("sts/db", "--kubeconfig", str(kube.kubeconfig()))
    line = one_line(proc, 2)
    assert 'statefulsets.apps "db" not found' in line


def test_missing_pod_exits_2_with_one_line(kube: Kube) -> None:
    line = one_line(analyze("pod/nope", "--kubeconfig", str(kube.kubeconfig())), 2)
    assert line.startswith("triage: reading pod nope in namespace default: ")
    assert "not found" in line


def test_pod_that_never_crashed_says_so(kube: Kube) -> None:
    seed_shop(kube.cluster)
    config = str(kube.kubeconfig(namespace="shop"))
    line = one_line(analyze("deployment/catalog", "--kubeconfig", config), 2)
    assert line.startswith("triage: deployment/catalog: pod/catalog-")
    assert line.endswith(
        "(log) holds no Go crash or goroutine dump, and the container has not restarted; "
        "triage crashes -n shop lists the pods that crash"
    )


def test_rejected_token_exits_4(kube: Kube) -> None:
    proc = analyze("pod/x", "--kubeconfig", str(kube.kubeconfig(token="expired")))
    assert "rejected the credentials" in one_line(proc, 4)


def test_unreachable_api_server_exits_3(kube: Kube, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = kube.kubeconfig().read_text().replace(kube.url, f"http://127.0.0.1:{port}")
    (tmp_path / "kc").write_text(text)
    line = one_line(analyze("pod/x", "--kubeconfig", str(tmp_path / "kc")), 3)
    assert "connection refused" in line
