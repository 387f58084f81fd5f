"""``triage crashes`` and the cluster core against the project's API server, over HTTP.

The official client (inside triage.cluster.client) talks to the ``kube`` fixture's
server with an admin token, a view-only token (no ``pods/log``), a bad token and
an unreachable port; the assertions are what a user reads.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.seed import seed_shop
from tests.support.kube import Kube
from triage.cluster.client import connect
from triage.cluster.kubeconfig import ConnectOptions
from triage.cluster.logs import read_crash_log
from triage.kubeserver.authz import Rule, User

pytestmark = pytest.mark.slow


def run_crashes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", "crashes", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def crashes_json(kube: Kube, user: str, *args: str) -> tuple[dict[str, Any], str]:
    proc = run_crashes("--kubeconfig", str(kube.kubeconfig(user=user)), "--json", *args)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout), proc.stderr


def test_admin_sees_workloads_worst_first_with_the_fleet_signature(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    doc, _ = crashes_json(kube, "admin", "-n", "shop")
    assert doc["context"] == "triage-test" and doc["namespace"] == "shop"
    assert doc["logs_readable"] is True
    names = [w["workload"] for w in doc["workloads"]]
    assert names == ["deployment/checkout", "deployment/cache"]  # catalog is healthy
    checkout = doc["workloads"][0]
    assert (checkout["pods_total"], checkout["pods_crashing"]) == (5, 3)
    sig = checkout["signature"]
    assert sig["pods"] == 3 and sig["since_revision"] == 2
    assert sig["summary"].startswith("3/5 pods: nil pointer dereference at main.(*Server).Name (")
    assert sig["summary"].endswith(", since revision 2")
    assert sorted(p["pod"] for p in checkout["pods"]) == sorted(shop.checkout_crashing)
    pod = checkout["pods"][0]
    assert pod["workload"] == "deployment/checkout" and pod["namespace"] == "shop"
    assert pod["node"] == "node-1" and pod["reason"] == "CrashLoopBackOff"
    assert pod["restarts"] == 7 and pod["revision"] == 2
    term = pod["last_termination"]
    assert (term["reason"], term["exit_code"], term["signal"]) == ("Error", 2, None)
    assert term["finished_at"].endswith("Z")
    assert term["message"] == shop.panic_log[-4096:]
    assert pod["crash_source"] == "previous"
    assert pod["crash"]["kind"] == "panic"
    assert pod["crash"]["frame"]["func"] == "main.(*Server).Name"
    cache = doc["workloads"][1]
    assert cache["signature"]["summary"].startswith("2/2 pods: OOMKilled (exit 137")
    assert cache["pods"][0]["last_termination"]["signal"] == "SIGKILL"


def test_viewer_without_pods_log_reads_termination_messages(kube: Kube) -> None:
    seed_shop(kube.cluster)
    doc, stderr = crashes_json(kube, "viewer", "-n", "shop")
    assert doc["logs_readable"] is False
    assert "get pods/log" in stderr and stderr.startswith("triage: note: ")
    checkout = doc["workloads"][0]
    assert all(p["crash_source"] == "termination-message" for p in checkout["pods"])
    assert checkout["signature"]["summary"].startswith(
        "3/5 pods: nil pointer dereference at main.(*Server).Name ("
    )


def test_all_namespaces_and_text_output(kube: Kube) -> None:
    seed_shop(kube.cluster, "shop")
    seed_shop(kube.cluster, "shop-eu")
    doc, _ = crashes_json(kube, "admin", "-A")
    assert doc["namespace"] is None
    assert {(w["namespace"], w["workload"]) for w in doc["workloads"]} == {
        (ns, f"deployment/{d}") for ns in ("shop", "shop-eu") for d in ("checkout", "cache")
    }
    proc = run_crashes("--kubeconfig", str(kube.kubeconfig()), "-n", "shop")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Crashing workloads in namespace shop (context triage-test):")
    assert "deployment/checkout  (shop)  3/5 pods crashing" in out
    assert "signature: 3/5 pods: nil pointer dereference" in out
    assert "last: Error (exit 2: Go panic or fatal error)" in out
    assert "last: OOMKilled (exit 137, SIGKILL: out of memory" in out


def test_nothing_crashing_exits_0(kube: Kube) -> None:
    proc = run_crashes("--kubeconfig", str(kube.kubeconfig()))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "No crashing pods in namespace default (context triage-test).\n"


def test_unreachable_api_server_exits_3(kube: Kube, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = kube.kubeconfig().read_text().replace(kube.url, f"http://127.0.0.1:{port}")
    (tmp_path / "kc").write_text(text)
    proc = run_crashes("--kubeconfig", str(tmp_path / "kc"))
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and "connection refused" in proc.stderr
    assert f"http://127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr


def test_rejected_token_exits_4_and_says_credentials_may_have_expired(kube: Kube) -> None:
    proc = run_crashes("--kubeconfig", str(kube.kubeconfig(token="expired-token")))
    assert proc.returncode == 4
    assert "rejected the credentials" in proc.stderr and "log in again" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_read_crash_log_prefers_previous_then_current_then_message(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    admin = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig()), namespace="shop"))
    viewer = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig(user="viewer"))))
    try:
        pod = admin.get("pods", "shop", shop.checkout_crashing[0])
        log = read_crash_log(admin, pod)
        assert (log.which, log.container) == ("previous", "checkout")
        assert log.data.decode() == shop.panic_log
        healthy = next(p for p in admin.list("pods", "shop", label_selector="app=catalog")[0])
        assert read_crash_log(admin, healthy).which == "current"  # no previous: 400
        log = read_crash_log(viewer, pod)  # 403 on pods/log
        assert log.which == "termination-message"
        assert log.data.decode() == shop.panic_log[-4096:]
    finally:
        admin.close()
        viewer.close()


def _add_user(kube: Kube, name: str, rules: tuple[Rule, ...]) -> Path:
    kube.cluster.authz.users[f"{name}-token"] = User(
        name, f"uid-{name}", ("system:authenticated",), rules, f"RoleBinding {name}"
    )
    return kube.kubeconfig(user=name, token=f"{name}-token")


def test_no_access_to_pods_exits_4_with_the_servers_reason(kube: Kube) -> None:
    config = _add_user(kube, "noaccess", ())
    proc = run_crashes("--kubeconfig", str(config))
    assert proc.returncode == 4
    assert proc.stderr.startswith(
        'triage: listing pods in namespace default: pods is forbidden: User "noaccess" '
        'cannot list resource "pods"'
    )
    assert proc.stderr.count("\n") == 1


def test_pods_only_reader_still_names_the_crash(kube: Kube) -> None:
    """Issue point 5: only get/list/watch on pods (no replicasets, no pods/log)."""
    seed_shop(kube.cluster)
    reader = Rule(frozenset({"get", "list", "watch"}), frozenset({"pods"}))
    config = _add_user(kube, "podreader", (reader,))
    proc = run_crashes("--kubeconfig", str(config), "-n", "shop", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "listing replicasets is forbidden" in proc.stderr
    assert "get pods/log" in proc.stderr
    doc = json.loads(proc.stdout)
    checkout = doc["workloads"][0]
    assert checkout["workload"] == "deployment/checkout"  # from the ReplicaSet naming rule
    assert checkout["signature"]["since_revision"] is None  # revisions need replicasets
    assert checkout["signature"]["summary"].startswith("3/5 pods: nil pointer dereference at ")
    assert {p["crash_source"] for p in checkout["pods"]} == {"termination-message"}


def test_kubeconfig_merge_takes_the_first_current_context(kube: Kube, tmp_path: Path) -> None:
    """KUBECONFIG=a:b where both set current-context: kubectl uses a's (the client alone
    would take b's, an unreachable cluster here)."""
    good = kube.kubeconfig()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    other = tmp_path / "other"
    other.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dead\n"
        f"clusters:\n- name: dead\n  cluster: {{server: '{dead}'}}\n"
        "contexts:\n- name: dead\n  context: {cluster: dead, user: u}\n"
        "users:\n- name: u\n  user: {token: x}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "KUBECONFIG": f"{good}:{other}"},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["context"] == "triage-test"
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--context", "dead"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "KUBECONFIG": f"{good}:{other}"},
    )
    assert proc.returncode == 3 and "of context dead" in proc.stderr


def test_no_logs_flag_uses_termination_messages_without_asking(kube: Kube) -> None:
    seed_shop(kube.cluster)
    doc, stderr = crashes_json(kube, "admin", "-n", "shop", "--no-logs")
    assert stderr == ""  # no note: the user chose it
    checkout = doc["workloads"][0]
    assert {p["crash_source"] for p in checkout["pods"]} == {"termination-message"}
    assert checkout["signature"]["pods"] == 3


def test_a_tail_without_the_crash_falls_back_to_the_termination_message(kube: Kube) -> None:
    """The previous log's last 2,000 lines hold no panic (the dump is longer): the
    termination message still names the crash."""
    shop = seed_shop(kube.cluster)
    name = shop.checkout_crashing[0]
    noise = "".join(f"level=debug msg=tick n={i}\n" for i in range(2500))
    kube.cluster.logs.write(("shop", name, "checkout"), shop.panic_log + noise, previous=True)
    doc, _ = crashes_json(kube, "admin", "-n", "shop")
    pod = next(p for w in doc["workloads"] for p in w["pods"] if p["pod"] == name)
    assert pod["crash_source"] == "termination-message"
    assert pod["crash"]["frame"]["func"] == "main.(*Server).Name"


def test_json_contract_keys(kube: Kube) -> None:
    """The keys README documents as a contract are all there, with their types."""
    seed_shop(kube.cluster)
    doc, _ = crashes_json(kube, "admin", "-n", "shop")
    assert {"context", "namespace", "workloads"} <= doc.keys()
    for w in doc["workloads"]:
        assert {"workload", "signature", "pods"} <= w.keys()
        assert {"summary", "pods", "since_revision"} <= w["signature"].keys()
        for p in w["pods"]:
            assert {
                "workload",
                "pod",
                "namespace",
                "node",
                "reason",
                "restarts",
                "last_termination",
                "crash",
            } <= p.keys()
            assert isinstance(p["restarts"], int)
            assert {"reason", "exit_code", "signal", "finished_at", "message"} <= (
                p["last_termination"].keys()
            )
            if p["crash"] is not None:  # the crash object of `triage analyze --json`
                assert {"kind", "message", "goroutine", "frame"} <= p["crash"].keys()
