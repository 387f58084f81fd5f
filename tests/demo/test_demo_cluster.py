"""The demo cluster is realistic, and triage's actions (run as the CLI runs them) change it.

Everything goes over real HTTP to the in-process API server through the
official client, exactly as ``triage demo --serve`` plus a second shell would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from triage.cli import main
from triage.demo.scenario import crash_again
from triage.demo.session import DemoSession
from triage.kubeserver.cluster import Cluster


def cluster_of(demo: DemoSession) -> Cluster:
    assert demo.server is not None
    return demo.server.cluster


def pods(cluster: Cluster, namespace: str, app: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        p
        for p in cluster.store.objects("pods")
        if p["metadata"]["namespace"] == namespace
        and p["metadata"]["labels"].get("app") == app
        and not p["metadata"].get("deletionTimestamp")
    ]


def waiting(pod: dict) -> str:  # type: ignore[type-arg]
    states = [cs.get("state") or {} for cs in pod["status"].get("containerStatuses") or []]
    return ",".join((s.get("waiting") or {}).get("reason", "running") for s in states)


def triage(demo: DemoSession, *args: str) -> int:
    return main([*args, "--kubeconfig", str(demo.kubeconfig)])


def test_the_cluster_is_realistic(demo: DemoSession, capsys: pytest.CaptureFixture[str]) -> None:
    cluster = cluster_of(demo)
    namespaces = {n["metadata"]["name"] for n in cluster.store.objects("namespaces")}
    assert {"shop", "payments", "search", "platform"} <= namespaces
    assert len(list(cluster.store.objects("nodes"))) == 3
    assert 6 <= len(list(cluster.store.objects("deployments"))) <= 10
    assert len(list(cluster.store.objects("poddisruptionbudgets"))) >= 1
    checkout = cluster.get("Deployment", "checkout", "shop")
    assert checkout is not None
    assert checkout["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "7"
    assert {waiting(p) for p in pods(cluster, "shop", "checkout")} == {"CrashLoopBackOff"}
    # The previous log is the real Go panic of the crashers target, read as a user would.
    assert triage(demo, "analyze", "deployment/checkout") == 0
    text = capsys.readouterr().out
    assert "CRITICAL nil pointer dereference in main.(*Server).Name" in text
    assert "since revision 7" in text
    indexer = pods(cluster, "search", "indexer")
    last = indexer[0]["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)


def test_nothing_of_the_users_is_read_or_written(
    demo_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = tmp_path / "users-kubeconfig"
    monkeypatch.setenv("KUBECONFIG", str(users))
    state_before = os.environ["TRIAGE_STATE_DIR"]
    with DemoSession("recorded", crash_every=3600) as demo:
        assert demo.kubeconfig.parent.parent == demo_tmp
        assert demo.kubeconfig.stat().st_mode & 0o077 == 0
        assert os.environ["TRIAGE_STATE_DIR"].startswith(str(demo_tmp))
        # An action's audit record lands in the demo's temp dir, not the user's state dir.
        assert triage(demo, "scale", "deployment/frontend", "--replicas", "3",
                      "--confirm", "frontend", "--timeout", "20s") == 0  # fmt: skip
        assert any(Path(os.environ["TRIAGE_STATE_DIR"]).rglob("*"))
    assert not users.exists()
    assert os.environ["TRIAGE_STATE_DIR"] == state_before
    assert list(demo_tmp.iterdir()) == []


def test_rollback_stops_the_crashes(demo: DemoSession) -> None:
    cluster = cluster_of(demo)
    restarts = [
        p["status"]["containerStatuses"][0]["restartCount"]
        for p in pods(cluster, "shop", "checkout")
    ]
    assert crash_again(cluster, demo.crashing) == 3 + 2  # checkout's 3 pods, indexer's 2
    assert [
        p["status"]["containerStatuses"][0]["restartCount"]
        for p in pods(cluster, "shop", "checkout")
    ] == [r + 1 for r in restarts]  # they keep crashing while you watch
    assert triage(demo, "rollback", "deployment/checkout", "--confirm", "checkout",
                  "--timeout", "20s") == 0  # fmt: skip
    after = pods(cluster, "shop", "checkout")
    assert len(after) == 3
    assert {p["spec"]["containers"][0]["image"] for p in after} == {"registry.local/checkout:v6"}
    assert {waiting(p) for p in after} == {"running"}
    assert crash_again(cluster, demo.crashing) == 2  # only the indexer still crashes


def test_a_gomemlimit_patch_ends_the_oomkills(demo: DemoSession) -> None:
    cluster = cluster_of(demo)
    assert triage(demo, "patch", "deployment/indexer", "-n", "search", "--template",
                  "gomemlimit", "--set", "value=450MiB", "--confirm", "indexer",
                  "--timeout", "20s") == 0  # fmt: skip
    after = pods(cluster, "search", "indexer")
    assert len(after) == 2 and {waiting(p) for p in after} == {"running"}
    env = after[0]["spec"]["containers"][0]["env"]
    assert {"name": "GOMEMLIMIT", "value": "450MiB"} in env
    assert crash_again(cluster, demo.crashing) == 3  # checkout still crashes


def test_a_memory_limit_raise_ends_the_oomkills_too(demo: DemoSession) -> None:
    cluster = cluster_of(demo)
    assert triage(demo, "patch", "deployment/indexer", "-n", "search", "--template",
                  "memory-limit", "--set", "value=2Gi", "--confirm", "indexer",
                  "--timeout", "20s") == 0  # fmt: skip
    assert {waiting(p) for p in pods(cluster, "search", "indexer")} == {"running"}


def test_drain_evicts_and_reschedules(demo: DemoSession) -> None:
    cluster = cluster_of(demo)
    before = {p["metadata"]["name"] for p in pods(cluster, "shop", "orders")}
    assert {p["spec"]["nodeName"] for p in pods(cluster, "shop", "orders")} == {"node-3"}
    assert triage(demo, "drain", "node-3", "--confirm", "node-3", "--timeout", "20s") == 0
    after = pods(cluster, "shop", "orders")
    assert len(after) == 2
    assert not before & {p["metadata"]["name"] for p in after}
    assert "node-3" not in {p["spec"]["nodeName"] for p in after}
    node = cluster.get("Node", "node-3")
    assert node is not None and node["spec"].get("unschedulable") is True


def test_the_pdb_blocks_draining_catalog(demo: DemoSession) -> None:
    code = triage(demo, "drain", "node-2", "--confirm", "node-2", "--timeout", "2s",
                  "--eviction-retry", "1s")  # fmt: skip
    assert code != 0
    assert len(pods(cluster_of(demo), "shop", "catalog")) == 3
