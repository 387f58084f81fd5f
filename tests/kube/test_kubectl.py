"""kubectl against our API server: tables, JSON, logs, auth can-i and whoami."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.kube import Kube
from triage.kubeserver.scenarios import seed_shop

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def kubectl(
    kube: Kube, tmp_path: Path, *args: str, user: str = "admin"
) -> subprocess.CompletedProcess[str]:
    """Run kubectl with a kubeconfig for ``user`` and a private discovery cache."""
    return subprocess.run(
        [
            "kubectl",
            "--kubeconfig",
            str(kube.kubeconfig(user=user)),
            "--cache-dir",
            str(tmp_path / "cache"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_get_pods_table_shows_crash_loop(kube: Kube, tmp_path: Path, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    out = kubectl(kube, tmp_path, "get", "pods", "-n", "shop")
    assert out.returncode == 0, out.stderr
    header, *rows = out.stdout.splitlines()
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    crashing = [r.split() for r in rows if r.startswith("checkout-")]
    assert len(crashing) == 3
    assert all(
        r[1:4] == ["0/1", "CrashLoopBackOff", "5"] and r[4].startswith("(") for r in crashing
    )


def test_get_json_logs_and_not_found(kube: Kube, tmp_path: Path, nil_panic: str) -> None:
    shop = seed_shop(kube.cluster, nil_panic)
    listed = json.loads(kubectl(kube, tmp_path, "get", "pods", "-n", "shop", "-o", "json").stdout)
    names = sorted(p["metadata"]["name"] for p in listed["items"])
    assert len(names) == 6 and listed["items"][0]["kind"] == "Pod"
    pod = shop.checkout.pods[2][0]["metadata"]["name"]
    logs = kubectl(kube, tmp_path, "logs", "-n", "shop", pod, "--previous")
    assert logs.returncode == 0 and logs.stdout == nil_panic
    events = kubectl(
        kube, tmp_path, "get", "events", "-n", "shop", "--sort-by=.lastTimestamp"
    ).stdout
    header, *lines = events.splitlines()
    assert header.split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    backoff = [line for line in lines if " BackOff " in line]
    assert len(backoff) == 3 and all("Warning" in line and "(x5 over" in line for line in backoff)
    missing = kubectl(kube, tmp_path, "get", "pod", "nope")
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'


def test_auth_can_i_and_whoami(kube: Kube, tmp_path: Path) -> None:
    viewer_logs = kubectl(
        kube, tmp_path, "auth", "can-i", "get", "pods", "--subresource=log", user="viewer"
    )
    assert (viewer_logs.returncode, viewer_logs.stdout.strip()) == (1, "no")
    viewer_list = kubectl(kube, tmp_path, "auth", "can-i", "list", "pods", user="viewer")
    assert (viewer_list.returncode, viewer_list.stdout.strip()) == (0, "yes")
    admin = kubectl(kube, tmp_path, "auth", "can-i", "create", "pods/portforward", user="admin2")
    assert admin.stdout.strip() == "yes"
    who = kubectl(kube, tmp_path, "auth", "whoami", "-o", "json", user="viewer")
    assert json.loads(who.stdout)["status"]["userInfo"]["username"] == "viewer"
    by_cert = kube.kubeconfig(user="ops-lead", cert_groups=("system:masters", "sre"))
    out = subprocess.run(
        [
            "kubectl",
            "--kubeconfig",
            str(by_cert),
            "--cache-dir",
            str(tmp_path / "c2"),
            "auth",
            "whoami",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    info = json.loads(out.stdout)["status"]["userInfo"]
    by_exec = kube.kubeconfig(user="admin2", exec_plugin=True)
    plugin = subprocess.run(
        [
            "kubectl",
            "--kubeconfig",
            str(by_exec),
            "--cache-dir",
            str(tmp_path / "c3"),
            "auth",
            "whoami",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(plugin.stdout)["status"]["userInfo"]["username"] == "admin2"
    assert (info["username"], info["groups"]) == (
        "ops-lead",
        ["system:masters", "sre", "system:authenticated"],
    )


def test_rollout_undo_restart_scale_and_cordon(kube: Kube, tmp_path: Path, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)

    def run(*args: str) -> str:
        out = kubectl(kube, tmp_path, "-n", "shop", *args)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert run("rollout", "history", "deploy/checkout").split()[-4:] == [
        "1",
        "<none>",
        "2",
        "<none>",
    ]
    assert "rolled back (server dry run)" in run(
        "rollout", "undo", "deploy/checkout", "--dry-run=server"
    )
    assert kube.cluster.get("Deployment", "checkout", "shop")["spec"]["template"]["spec"][
        "containers"
    ][0]["image"].endswith(":v7")
    assert "rolled back" in run("rollout", "undo", "deploy/checkout")
    replica_sets = [line.split() for line in run("get", "rs", "-l", "app=checkout").splitlines()]
    assert replica_sets[0] == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert sorted(r[1:4] for r in replica_sets[1:]) == [["0", "0", "0"], ["3", "3", "3"]]
    deployment = kube.cluster.get("Deployment", "checkout", "shop")
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v6")
    assert "successfully rolled out" in run("rollout", "status", "deploy/checkout", "--timeout=5s")
    run("rollout", "restart", "deploy/catalog")
    template = kube.cluster.get("Deployment", "catalog", "shop")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]
    run("scale", "deploy/catalog", "--replicas=2")
    assert kube.cluster.get("Deployment", "catalog", "shop")["spec"]["replicas"] == 2
    assert run("cordon", "node-1").strip() == "node/node-1 cordoned"
    assert run("get", "node", "node-1").splitlines()[1].split()[:2] == [
        "node-1",
        "Ready,SchedulingDisabled",
    ]
    assert kube.cluster.get("Node", "node-1")["spec"]["unschedulable"] is True
    assert run("cordon", "node-1").strip() == "node/node-1 already cordoned"
    assert run("uncordon", "node-1").strip() == "node/node-1 uncordoned"
    assert "unschedulable" not in kube.cluster.get("Node", "node-1")["spec"]
