"""``triage restart`` and ``triage scale``: kubectl's patches, then the rollout verified."""

from __future__ import annotations

from tests.actions.conftest import Cli, Seen, writes
from tests.support.kube import Kube
from triage.kubeserver.scenarios import Shop


def test_restart_sends_the_restarted_at_strategic_patch(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    old = {p["metadata"]["name"] for p in shop.catalog.pods[1]}
    run = cli("restart", "deployment/catalog", "--confirm", "catalog")
    assert run.returncode == 0, run.stderr
    assert 'deployment "catalog" successfully rolled out' in run.stdout
    (real,) = [s for s in writes(wire) if "dryRun" not in s.query]
    assert real.content_type == "application/strategic-merge-patch+json"
    stamp = real.body["spec"]["template"]["metadata"]["annotations"][
        "kubectl.kubernetes.io/restartedAt"
    ]
    assert stamp.endswith("Z") and len(stamp) == 20
    now = {
        p["metadata"]["name"]
        for p in kube.cluster.store.objects("pods")
        if p["metadata"]["name"].startswith("catalog-")
    }
    assert now and not (now & old)


def test_restart_of_a_crashing_workload_times_out_and_says_so(shop: Shop, cli: Cli) -> None:
    run = cli("restart", "deployment/checkout", "--confirm", "checkout", "--timeout", "1s")
    assert run.returncode == 1
    assert "timed out" in run.stderr
    assert "updated replicas are available" in run.stderr


def test_scale_patches_the_scale_subresource(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli("scale", "deploy/catalog", "--replicas", "5", "--confirm", "catalog")
    assert run.returncode == 0, run.stderr
    (real,) = [s for s in writes(wire) if "dryRun" not in s.query]
    assert (real.method, real.path, real.content_type, real.body) == (
        "PATCH",
        "/apis/apps/v1/namespaces/shop/deployments/catalog/scale",
        "application/merge-patch+json",
        {"spec": {"replicas": 5}},
    )
    dep = kube.cluster.get("Deployment", "catalog", "shop")
    assert dep is not None
    assert dep["status"]["availableReplicas"] == 5


def test_bad_kind_and_negative_replicas_are_bad_input(shop: Shop, cli: Cli) -> None:
    run = cli("scale", "daemonset/x", "--replicas", "2", "--confirm", "x")
    assert run.returncode == 2
    assert "deployment|statefulset|replicaset/NAME" in run.stderr
    run = cli("scale", "deploy/catalog", "--replicas", "-1", "--confirm", "catalog")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def test_delete_pod_waits_until_it_is_gone(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    victim = shop.catalog.pods[1][0]["metadata"]["name"]
    run = cli("delete", f"pod/{victim}", "--confirm", victim, "--grace-period", "0")
    assert run.returncode == 0, run.stderr
    assert f"pod/{victim} deleted" in run.stdout
    assert "its ReplicaSet will replace it" in run.stdout
    assert kube.cluster.get("Pod", victim, "shop") is None
    (real,) = [s for s in writes(wire) if "dryRun" not in s.query]
    assert (real.method, real.body["gracePeriodSeconds"]) == ("DELETE", 0)


def test_a_missing_object_is_named_plainly(shop: Shop, cli: Cli) -> None:
    run = cli("delete", "pod/nope", "--confirm", "nope")
    assert run.returncode == 2
    assert run.stderr.startswith("triage: reading pod nope in namespace shop: ")
