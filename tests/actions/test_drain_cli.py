"""``triage drain`` / ``uncordon``: kubectl drain's classification, evictions and waiting."""

from __future__ import annotations

import json
import threading
import time

from tests.actions.conftest import Cli, Seen, audit_records, writes
from tests.support.kube import Kube
from triage.kubeserver import Container
from triage.kubeserver.scenarios import Shop


def _pods_on(kube: Kube, node: str) -> list[str]:
    return sorted(
        p["metadata"]["name"]
        for p in kube.cluster.store.objects("pods")
        if p["spec"].get("nodeName") == node
    )


def _cordoned(kube: Kube, node: str) -> bool:
    obj = kube.cluster.get("Node", node)
    assert obj is not None
    return bool(obj["spec"].get("unschedulable"))


def test_pdb_blocked_drain_waits_then_succeeds_when_the_budget_allows(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    def relax_budget() -> None:
        # wait until the drain has been refused at least once, then allow one disruption
        while not any(s.status == 429 and "dryRun" not in str(s.body) for s in wire):
            time.sleep(0.05)
        pdb = kube.cluster.get("PodDisruptionBudget", "catalog", "shop")
        assert pdb is not None
        pdb["spec"]["minAvailable"] = 2
        kube.cluster.update("PodDisruptionBudget", pdb)

    relaxer = threading.Thread(target=relax_budget, daemon=True)
    relaxer.start()
    run = cli(
        "drain", "node-1", "--confirm", "node-1", "--eviction-retry", "0.2s", "--timeout", "60s"
    )
    relaxer.join(timeout=5)
    assert run.returncode == 0, run.stderr
    assert "The disruption budget catalog needs 3 healthy pods and has 3 currently" in run.stdout
    assert "will retry after 0.2s" in run.stdout
    assert "node/node-1 drained (6 pod(s) moved)" in run.stdout
    assert _pods_on(kube, "node-1") == []
    assert _cordoned(kube, "node-1")
    sent = writes(wire)
    real = [s for s in sent if "dryRun" not in s.query and "dryRun" not in str(s.body)]
    # cordon first, with kubectl's body, then only policy/v1 Evictions
    assert (real[0].method, real[0].path, real[0].body) == (
        "PATCH",
        "/api/v1/nodes/node-1",
        {"spec": {"unschedulable": True}},
    )
    assert real[0].content_type == "application/strategic-merge-patch+json"
    evictions = real[1:]
    assert {s.path.rsplit("/", 1)[-1] for s in evictions} == {"eviction"}
    assert all(s.body["apiVersion"] == "policy/v1" for s in evictions)
    assert {s.status for s in evictions} == {201, 429}
    assert audit_records()[-1]["result"] == "done"


def test_drain_timing_out_names_the_budget_and_the_pods(kube: Kube, shop: Shop, cli: Cli) -> None:
    run = cli(
        "drain", "node-1", "--confirm", "node-1", "--eviction-retry", "0.2s", "--timeout", "2s"
    )
    assert run.returncode == 1
    line = run.stderr.strip()
    assert line.count("\n") == 0
    assert "timed out" in line
    assert "The disruption budget catalog needs 3 healthy pods and has 3 currently" in line
    for pod in shop.catalog.pods[1]:
        assert pod["metadata"]["name"] in line
    assert audit_records()[-1]["result"] == "timed out"
    # progress from concurrent evictions comes one whole line at a time
    retries = [ln for ln in run.stdout.splitlines() if "will retry" in ln]
    assert retries
    assert all(ln.count("will retry") == 1 and ln.endswith("0.2s") for ln in retries)


def test_an_eviction_error_fails_that_pod_only(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    # two budgets over the same pods: the eviction API answers 500 for those pods
    kube.cluster.put(
        "PodDisruptionBudget",
        {
            "metadata": {"name": "catalog-too", "namespace": "shop"},
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "catalog"}}},
        },
    )
    run = cli("drain", "node-1", "--confirm", "node-1", "--timeout", "20s")
    assert run.returncode == 1
    assert "drain of node/node-1 failed" in run.stderr
    assert "more than one PodDisruptionBudget" in run.stderr
    left = _pods_on(kube, "node-1")
    assert left == sorted(p["metadata"]["name"] for p in shop.catalog.pods[1])
    assert audit_records()[-1]["result"] == "failed"


def test_plan_names_blocked_pods_before_anything_changes(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli("drain", "node-1", "--dry-run")
    assert run.returncode == 0
    blocked = [ln for ln in run.stdout.splitlines() if "blocked now:" in ln]
    assert len(blocked) == 3
    assert all("disruption budget catalog" in ln for ln in blocked)
    assert not _cordoned(kube, "node-1")
    assert all("All" in str(s.query) + str(s.body) for s in writes(wire))


def test_unmanaged_pod_aborts_before_the_node_is_touched(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    kube.cluster.add_pod("shop", "debug-shell", [Container("sh", "busybox")], node="node-1")
    run = cli("drain", "node-1", "--confirm", "node-1")
    assert run.returncode == 1
    assert "shop/debug-shell: declares no controller (use --force to override)" in run.stderr
    assert writes(wire) == []
    assert not _cordoned(kube, "node-1")


def test_uncordon(kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]) -> None:
    node = kube.cluster.get("Node", "node-2")
    assert node is not None
    node["spec"]["unschedulable"] = True
    kube.cluster.update("Node", node)
    run = cli("uncordon", "node-2", "--confirm", "node-2")
    assert run.returncode == 0, run.stderr
    assert not _cordoned(kube, "node-2")
    real = [s for s in writes(wire) if "dryRun" not in s.query]
    assert [(s.method, s.body) for s in real] == [("PATCH", {"spec": {"unschedulable": None}})]
    again = cli("uncordon", "node-2", "--confirm", "node-2")
    assert again.returncode == 0
    assert "already uncordoned" in again.stdout


def test_disable_eviction_deletes_past_the_budget_with_the_grace_period(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli(
        "drain",
        "node-1",
        "--disable-eviction",
        "--grace-period",
        "3",
        "--confirm",
        "node-1",
        "--json",
    )
    assert run.returncode == 0, run.stderr
    assert _pods_on(kube, "node-1") == []
    real = [s for s in writes(wire) if "dryRun" not in s.query and "dryRun" not in str(s.body)]
    deletes = [s for s in real if s.method == "DELETE"]
    assert len(deletes) == 6
    assert all(s.body["gracePeriodSeconds"] == 3 for s in deletes)
    assert all(s.status == 200 for s in deletes)
    doc = json.loads(run.stdout[run.stdout.index('{\n  "action"') :])
    assert (doc["action"], doc["target"], doc["result"]) == ("drain", "node/node-1", "done")
    assert len(doc["requests"]) == 7
