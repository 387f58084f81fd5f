"""Writes through the official client: patches, dry runs, 409/422, rollouts, rollback, scale."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.kube.conftest import ClientFor
from tests.support.kube import Kube
from triage.kubeserver.scenarios import seed_shop

REVISION = "deployment.kubernetes.io/revision"
STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"


def _body(exc: ApiException) -> dict[str, object]:
    body: dict[str, object] = json.loads(exc.body)
    return body


def _replica_sets(apps: client.AppsV1Api, app: str) -> dict[str, client.V1ReplicaSet]:
    found = apps.list_namespaced_replica_set("shop", label_selector=f"app={app}").items
    return {rs.metadata.annotations[REVISION]: rs for rs in found}


def test_dry_run_patches_change_nothing(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    apps = client.AppsV1Api(api_for())
    before = apps.read_namespaced_deployment("catalog", "shop")
    preview = apps.patch_namespaced_deployment(
        "catalog",
        "shop",
        {
            "spec": {
                "replicas": 5,
                "template": {"metadata": {"annotations": {"triage/preview": "1"}}},
            }
        },
        dry_run="All",
        _content_type=STRATEGIC,
    )
    assert preview.spec.replicas == 5
    assert preview.spec.template.metadata.annotations == {"triage/preview": "1"}
    assert preview.metadata.generation == before.metadata.generation + 1
    assert preview.metadata.resource_version == before.metadata.resource_version
    merged = apps.patch_namespaced_deployment(
        "catalog",
        "shop",
        {"metadata": {"labels": {"triage": "preview"}}},
        dry_run="All",
        _content_type=MERGE,
    )
    assert merged.metadata.labels == {"app": "catalog", "triage": "preview"}
    image = [
        {
            "op": "replace",
            "path": "/spec/template/spec/containers/0/image",
            "value": "registry.local/catalog:v4",
        }
    ]
    assert (
        apps.patch_namespaced_deployment("catalog", "shop", image, dry_run="All")
        .spec.template.spec.containers[0]
        .image
        == "registry.local/catalog:v4"
    )
    after = apps.read_namespaced_deployment("catalog", "shop")
    assert after.metadata.resource_version == before.metadata.resource_version
    assert after.spec.replicas == 3 and after.metadata.generation == before.metadata.generation


def test_patch_errors_are_real_statuses(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    apps = client.AppsV1Api(api_for())
    failing_test = [
        {"op": "test", "path": "/spec/replicas", "value": 99},
        {"op": "replace", "path": "/spec/replicas", "value": 1},
    ]
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment("catalog", "shop", failing_test, dry_run="All")
    assert err.value.status == 422
    assert (
        _body(err.value)["message"]
        == "the server rejected our request due to an error in our request"
    )
    assert _body(err.value)["details"] == {}
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment(
            "catalog", "shop", {"spec": {"replicas": -1}}, _content_type=STRATEGIC
        )
    assert _body(err.value)["message"] == (
        'Deployment.apps "catalog" is invalid: spec.replicas: '
        "Invalid value: -1: must be greater than or equal to 0"
    )
    stale = apps.read_namespaced_deployment("catalog", "shop")
    apps.patch_namespaced_deployment(
        "catalog", "shop", {"metadata": {"annotations": {"bump": "1"}}}, _content_type=MERGE
    )
    stale.metadata.annotations["triage/stale-write"] = "1"
    with pytest.raises(ApiException) as err:
        apps.replace_namespaced_deployment("catalog", "shop", stale)
    assert err.value.status == 409
    assert _body(err.value)["details"] == {
        "name": "catalog",
        "group": "apps",
        "kind": "deployments",
    }


def test_template_change_rolls_out_a_new_revision(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    api = api_for()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "checkout", "image": "registry.local/checkout:v8"}]
                }
            }
        }
    }
    rolled = apps.patch_namespaced_deployment("checkout", "shop", patch, _content_type=STRATEGIC)
    # As on a real server, the PATCH answer predates the controller's revision bump.
    assert rolled.metadata.annotations[REVISION] == "2"
    assert apps.read_namespaced_deployment("checkout", "shop").metadata.annotations[REVISION] == "3"
    assert rolled.spec.template.spec.containers[0].ports[0].container_port == 6060  # merged by name
    sets = _replica_sets(apps, "checkout")
    assert sorted(sets) == ["1", "2", "3"]
    assert (sets["3"].spec.replicas, sets["2"].spec.replicas, sets["1"].spec.replicas) == (3, 0, 0)
    new_hash = sets["3"].metadata.labels["pod-template-hash"]
    assert sets["3"].metadata.name == f"checkout-{new_hash}"
    pods = core.list_namespaced_pod("shop", label_selector="app=checkout").items
    assert len(pods) == 3 and {p.metadata.labels["pod-template-hash"] for p in pods} == {new_hash}
    assert all(
        p.spec.containers[0].image.endswith(":v8") and p.status.phase == "Running" for p in pods
    )


def test_kubectl_style_rollback_reuses_the_old_replicaset(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    apps = client.AppsV1Api(api_for())
    good = _replica_sets(apps, "checkout")["1"]
    template = client.ApiClient().sanitize_for_serialization(good.spec.template)
    del template["metadata"]["labels"]["pod-template-hash"]
    undo = [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": {REVISION: "2"}},
    ]
    preview = apps.patch_namespaced_deployment("checkout", "shop", undo, dry_run="All")
    assert preview.spec.template.spec.containers[0].image.endswith(":v6")
    assert _replica_sets(apps, "checkout")["2"].spec.replicas == 3  # the dry run changed nothing
    apps.patch_namespaced_deployment("checkout", "shop", undo)
    sets = _replica_sets(apps, "checkout")
    assert sorted(sets) == ["2", "3"] and sets["3"].metadata.name == good.metadata.name
    assert (sets["3"].spec.replicas, sets["2"].spec.replicas) == (3, 0)
    assert apps.read_namespaced_deployment("checkout", "shop").metadata.annotations[REVISION] == "3"


def test_scale_subresource(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    api = api_for()
    apps = client.AppsV1Api(api)
    scale = apps.read_namespaced_deployment_scale("catalog", "shop")
    assert (scale.spec.replicas, scale.status.selector) == (3, "app=catalog")
    preview = apps.patch_namespaced_deployment_scale(
        "catalog", "shop", {"spec": {"replicas": 4}}, dry_run="All", _content_type=STRATEGIC
    )
    assert (
        preview.spec.replicas == 4
        and apps.read_namespaced_deployment("catalog", "shop").spec.replicas == 3
    )
    done = apps.patch_namespaced_deployment_scale(
        "catalog", "shop", {"spec": {"replicas": 2}}, _content_type=MERGE
    )
    assert done.kind == "Scale" and done.spec.replicas == 2
    assert (
        len(client.CoreV1Api(api).list_namespaced_pod("shop", label_selector="app=catalog").items)
        == 2
    )
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment_scale(
            "catalog", "shop", {"spec": {"replicas": -1}}, _content_type=MERGE
        )
    assert err.value.status == 422


def test_eviction_and_pdb(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    shop = seed_shop(kube.cluster, nil_panic)
    api = api_for()
    core = client.CoreV1Api(api)
    victim = shop.checkout.pods[2][0]["metadata"]["name"]

    def eviction(name: str, dry: bool = False) -> client.V1Eviction:
        options = client.V1DeleteOptions(dry_run=["All"]) if dry else None
        return client.V1Eviction(
            metadata=client.V1ObjectMeta(name=name, namespace="shop"), delete_options=options
        )

    answer = core.create_namespaced_pod_eviction(
        victim, "shop", eviction(victim), _preload_content=False
    )
    assert answer.status == 201
    assert json.loads(answer.data) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "code": 201,
    }
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod(victim, "shop")
    assert err.value.status == 404
    assert (
        len(core.list_namespaced_pod("shop", label_selector="app=checkout").items) == 3
    )  # replaced
    guarded = shop.catalog.pods[1][0]["metadata"]["name"]
    for dry in (False, True):
        with pytest.raises(ApiException) as err:
            core.create_namespaced_pod_eviction(guarded, "shop", eviction(guarded, dry))
        assert err.value.status == 429 and "Retry-After" not in err.value.headers
        assert _body(err.value)["details"] == {
            "causes": [
                {
                    "reason": "DisruptionBudget",
                    "message": "The disruption budget catalog needs 3 healthy pods "
                    "and has 3 currently",
                }
            ]
        }
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod_eviction(guarded, "shop", eviction("some-other-pod"))
    assert _body(err.value)["message"] == "name in URL does not match name in Eviction object"
    pdb = client.PolicyV1Api(api).read_namespaced_pod_disruption_budget("catalog", "shop")
    assert (pdb.status.disruptions_allowed, pdb.status.current_healthy) == (0, 3)


def test_cordon_and_uncordon(kube: Kube, api_for: ClientFor) -> None:
    core = client.CoreV1Api(api_for())
    preview = core.patch_node(
        "node-1", {"spec": {"unschedulable": True}}, dry_run="All", _content_type=STRATEGIC
    )
    assert preview.spec.unschedulable is True
    assert core.read_node("node-1").spec.unschedulable is None
    assert core.patch_node(
        "node-1", {"spec": {"unschedulable": True}}, _content_type=STRATEGIC
    ).spec.unschedulable
    assert (
        core.patch_node(
            "node-1", {"spec": {"unschedulable": None}}, _content_type=STRATEGIC
        ).spec.unschedulable
        is None
    )


def test_statefulset_history_and_pod_replacement(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    shop = seed_shop(kube.cluster, nil_panic)
    api = api_for()
    apps, core = client.AppsV1Api(api), client.CoreV1Api(api)
    ledger = {
        "metadata": {"name": "ledger"},
        "spec": {
            "replicas": 0,
            "serviceName": "ledger",
            "selector": {"matchLabels": {"app": "ledger"}},
            "template": {
                "metadata": {"labels": {"app": "ledger"}},
                "spec": {"containers": [{"name": "ledger", "image": "registry.local/ledger:v1"}]},
            },
        },
    }
    apps.create_namespaced_stateful_set("shop", ledger)
    image = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "ledger", "image": "registry.local/ledger:v2"}]}
            }
        }
    }
    apps.patch_namespaced_stateful_set("ledger", "shop", image, _content_type=STRATEGIC)
    history = apps.list_namespaced_controller_revision("shop", label_selector="app=ledger").items
    assert sorted(r.revision for r in history) == [1, 2]
    newest = max(history, key=lambda r: r.revision)
    assert (
        apps.read_namespaced_stateful_set("ledger", "shop").status.update_revision
        == newest.metadata.name
    )
    victim = shop.catalog.pods[1][0]["metadata"]["name"]
    core.delete_namespaced_pod(victim, "shop")
    catalog = [
        p.metadata.name
        for p in core.list_namespaced_pod("shop", label_selector="app=catalog").items
    ]
    assert len(catalog) == 3 and victim not in catalog
    apps.delete_namespaced_deployment("checkout", "shop")
    assert core.list_namespaced_pod("shop", label_selector="app=checkout").items == []
    assert apps.list_namespaced_replica_set("shop", label_selector="app=checkout").items == []


def test_concurrent_evictions_spend_the_budget_once(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    import concurrent.futures

    shop = seed_shop(kube.cluster, nil_panic)
    api = api_for()
    core, policy = client.CoreV1Api(api), client.PolicyV1Api(api)
    policy.patch_namespaced_pod_disruption_budget(
        "catalog", "shop", {"spec": {"minAvailable": 2}}, _content_type=MERGE
    )
    assert (
        policy.read_namespaced_pod_disruption_budget("catalog", "shop").status.disruptions_allowed
        == 1
    )
    core.patch_node(
        "node-1", {"spec": {"unschedulable": True}}, _content_type=STRATEGIC
    )  # no room to reschedule
    names = [p["metadata"]["name"] for p in shop.catalog.pods[1]]

    def evict(name: str) -> int:
        body = client.V1Eviction(metadata=client.V1ObjectMeta(name=name, namespace="shop"))
        try:
            return core.create_namespaced_pod_eviction(
                name, "shop", body, _preload_content=False
            ).status
        except ApiException as exc:
            return int(exc.status)

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        codes = sorted(pool.map(evict, names))
    assert codes == [201, 429, 429]
    pending = [
        p
        for p in core.list_namespaced_pod("shop", label_selector="app=catalog").items
        if p.status.phase == "Pending"
    ]
    assert len(pending) == 1 and pending[0].spec.node_name is None
    core.patch_node("node-1", {"spec": {"unschedulable": None}}, _content_type=STRATEGIC)
    bound = core.read_namespaced_pod(pending[0].metadata.name, "shop")
    assert (bound.spec.node_name, bound.status.phase) == ("node-1", "Running")
    assert (
        policy.read_namespaced_pod_disruption_budget("catalog", "shop").status.disruptions_allowed
        == 1
    )


def test_patch_with_a_stale_resource_version_is_409(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    apps = client.AppsV1Api(api_for())
    seen = apps.read_namespaced_deployment("catalog", "shop").metadata.resource_version
    apps.patch_namespaced_deployment(
        "catalog", "shop", {"metadata": {"annotations": {"a": "1"}}}, _content_type=MERGE
    )
    guarded = {
        "metadata": {"resourceVersion": seen, "annotations": {"triage/approved-by": "admin2"}}
    }
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment("catalog", "shop", guarded, _content_type=MERGE)
    assert err.value.status == 409 and _body(err.value)["reason"] == "Conflict"
    fresh = apps.read_namespaced_deployment("catalog", "shop").metadata.resource_version
    guarded["metadata"]["resourceVersion"] = fresh
    done = apps.patch_namespaced_deployment("catalog", "shop", guarded, _content_type=MERGE)
    assert done.metadata.annotations["triage/approved-by"] == "admin2"


def test_deleting_a_namespace_deletes_what_is_in_it(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    api = api_for()
    core = client.CoreV1Api(api)
    core.delete_namespace("shop")
    assert core.list_namespaced_pod("shop").items == []
    assert client.AppsV1Api(api).list_namespaced_deployment("shop").items == []
    assert core.list_namespaced_event("shop").items == []
    assert [n.metadata.name for n in core.list_namespace().items] == ["default"]
