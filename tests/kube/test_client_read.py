"""The official kubernetes client reads our API server as it reads a real one."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx
import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from tests.kube.conftest import ClientFor
from tests.support.kube import Kube
from triage.kubeserver import Cluster
from triage.kubeserver.scenarios import seed_shop


def _status(exc: ApiException) -> dict[str, object]:
    body: dict[str, object] = json.loads(exc.body)
    return body


def test_discovery_documents(kube: Kube, api_for: ClientFor) -> None:
    api = api_for()
    assert client.VersionApi(api).get_code().major == "1"
    assert client.CoreApi(api).get_api_versions().versions == ["v1"]
    core = {r.name: r for r in client.CoreV1Api(api).get_api_resources().resources}
    assert core["pods/eviction"].group == "policy" and core["pods/eviction"].kind == "Eviction"
    assert "pods/log" in core and "pods/portforward" in core
    assert core["pods"].namespaced and not core["nodes"].namespaced
    apps = {r.name for r in client.AppsV1Api(api).get_api_resources().resources}
    assert {
        "deployments",
        "replicasets",
        "statefulsets",
        "daemonsets",
        "controllerrevisions",
    } <= apps
    groups = {g.name for g in client.ApisApi(api).get_api_versions().groups}
    assert {"apps", "policy", "events.k8s.io", "authorization.k8s.io"} <= groups
    assert kube.server.tls is not None
    tls = ssl.create_default_context(cafile=str(kube.server.tls.ca))
    for path in ("/healthz", "/livez", "/readyz"):  # anonymous, as load balancers probe them
        assert httpx.get(kube.url + path, verify=tls).text == "ok"
    policy = {r.name for r in client.PolicyV1Api(api).get_api_resources().resources}
    assert "poddisruptionbudgets" in policy


def test_pods_list_and_crash_status(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    shop = seed_shop(kube.cluster, nil_panic)
    config.load_kube_config(config_file=str(kube.kubeconfig()))
    pods = client.CoreV1Api().list_namespaced_pod("shop", label_selector="app=checkout").items
    assert len(pods) == 3
    status = pods[0].status.container_statuses[0]
    assert status.state.waiting.reason == "CrashLoopBackOff"
    assert status.restart_count == 5
    terminated = status.last_state.terminated
    assert terminated.exit_code == 2 and terminated.reason == "Error"
    assert "nil pointer dereference" in terminated.message
    owner = pods[0].metadata.owner_references[0]
    rs = shop.checkout.replicasets[2]
    assert (owner.kind, owner.name, owner.controller) == (
        "ReplicaSet",
        rs["metadata"]["name"],
        True,
    )


def test_list_items_have_no_kind_and_get_has(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    api = api_for()
    raw = client.CoreV1Api(api).list_namespaced_pod("shop", _preload_content=False)
    body = json.loads(raw.data)
    assert body["kind"] == "PodList" and body["apiVersion"] == "v1"
    assert all("kind" not in item and "apiVersion" not in item for item in body["items"])
    name = body["items"][0]["metadata"]["name"]
    one = json.loads(
        client.CoreV1Api(api).read_namespaced_pod(name, "shop", _preload_content=False).data
    )
    assert (one["kind"], one["apiVersion"]) == ("Pod", "v1")


def test_selectors(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    kube.cluster.add_node("node-2")
    seed_shop(kube.cluster, nil_panic, namespace="other", node="node-2", crashing=1, healthy=1)
    core = client.CoreV1Api(api_for())
    on_node = core.list_pod_for_all_namespaces(field_selector="spec.nodeName=node-2").items
    assert {p.metadata.namespace for p in on_node} == {"other"} and len(on_node) == 2
    name = on_node[0].metadata.name
    by_name = core.list_namespaced_pod("other", field_selector=f"metadata.name={name}").items
    assert [p.metadata.name for p in by_name] == [name]
    assert (
        len(core.list_namespaced_pod("shop", label_selector="app in (catalog,checkout)").items) == 6
    )
    assert len(core.list_namespaced_pod("shop", label_selector="app!=catalog").items) == 3
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod("shop", field_selector="spec.image=x")
    assert err.value.status == 400


def test_limit_and_continue(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    core = client.CoreV1Api(api_for())
    everything = [p.metadata.name for p in core.list_namespaced_pod("shop").items]
    page = core.list_namespaced_pod("shop", limit=4)
    assert page.metadata.remaining_item_count == 2 and page.metadata._continue
    seen = [p.metadata.name for p in page.items]
    rest = core.list_namespaced_pod("shop", limit=4, _continue=page.metadata._continue)
    seen += [p.metadata.name for p in rest.items]
    assert seen == everything and rest.metadata._continue is None
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod("shop", limit=2, _continue="not-a-valid-continue-value")
    assert err.value.status == 400 and _status(err.value)["reason"] == "BadRequest"


def test_not_found_shapes(kube: Kube, api_for: ClientFor) -> None:
    api = api_for()
    core = client.CoreV1Api(api)
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("no-such-pod", "default")
    assert err.value.status == 404
    assert _status(err.value)["details"] == {"name": "no-such-pod", "kind": "pods"}
    assert _status(err.value)["message"] == 'pods "no-such-pod" not found'
    with pytest.raises(ApiException) as err:
        client.AppsV1Api(api).read_namespaced_deployment("nope", "default")
    assert _status(err.value)["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}
    with pytest.raises(ApiException) as err:
        core.read_namespace("no-such-namespace")
    assert _status(err.value)["reason"] == "NotFound"
    assert core.list_namespaced_pod("no-such-namespace").items == []


def test_bad_token_is_401_and_viewer_reads(kube: Kube, api_for: ClientFor) -> None:
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(api_for(user="intruder", token="wrong")).list_namespaced_pod("default")
    assert err.value.status == 401
    assert _status(err.value) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }
    assert client.CoreV1Api(api_for(user="viewer")).list_node().items[0].metadata.name == "node-1"


def test_workloads_and_events(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    api = api_for()
    apps = client.AppsV1Api(api)
    rs = apps.list_namespaced_replica_set("shop", label_selector="app=checkout").items
    revisions = sorted(r.metadata.annotations["deployment.kubernetes.io/revision"] for r in rs)
    assert revisions == ["1", "2"]
    assert (
        apps.read_namespaced_deployment("checkout", "shop")
        .spec.template.spec.containers[0]
        .image.endswith(":v7")
    )
    assert apps.list_namespaced_stateful_set("shop").items == []
    assert apps.list_namespaced_daemon_set("shop").items == []
    assert apps.list_namespaced_controller_revision("shop").items == []
    pdb = client.PolicyV1Api(api).read_namespaced_pod_disruption_budget("catalog", "shop")
    assert pdb.status.disruptions_allowed == 0
    core = client.CoreV1Api(api)
    core.create_namespaced_event(
        "shop",
        {
            "metadata": {"generateName": "checkout.triage-"},
            "involvedObject": {
                "kind": "Deployment",
                "name": "checkout",
                "namespace": "shop",
                "apiVersion": "apps/v1",
            },
            "reason": "TriageAction",
            "message": "rollback proposed",
            "type": "Normal",
            "firstTimestamp": "2026-12-05T10:17:38+00:00",
            "lastTimestamp": "2026-12-05T10:17:38+00:00",
            "count": 1,
        },
    )
    found = core.list_namespaced_event(
        "shop", field_selector="involvedObject.kind=Deployment,involvedObject.name=checkout"
    ).items
    reasons = sorted(e.reason for e in found)
    assert reasons == ["ScalingReplicaSet", "TriageAction"]  # the controller's and ours
    events_v1 = client.EventsV1Api(api)
    raw = events_v1.list_namespaced_event(
        "shop", field_selector="reason=TriageAction", _preload_content=False
    )
    new = json.loads(raw.data)["items"]
    assert new[0]["note"] == "rollback proposed" and new[0]["regarding"]["name"] == "checkout"
    # As on a real server, a core-made event has eventTime null, which the typed
    # events.k8s.io model of the official client refuses to parse.
    assert new[0]["eventTime"] is None
    with pytest.raises(ValueError):
        events_v1.list_namespaced_event("shop")
    with pytest.raises(ApiException) as err:
        core.create_namespaced_event(
            "no-such-ns", {"metadata": {"name": "x"}, "involvedObject": {}}
        )
    assert (
        err.value.status == 404
        and _status(err.value)["message"] == 'namespaces "no-such-ns" not found'
    )


def test_access_reviews(kube: Kube, api_for: ClientFor) -> None:
    def review(user: str, **attrs: str) -> client.V1SubjectAccessReviewStatus:
        body = client.V1SelfSubjectAccessReview(
            spec=client.V1SelfSubjectAccessReviewSpec(
                resource_attributes=client.V1ResourceAttributes(**attrs)
            )
        )
        answer = client.AuthorizationV1Api(api_for(user)).create_self_subject_access_review(body)
        assert answer.spec.resource_attributes.verb == attrs["verb"]
        return answer.status

    admin = review("admin", verb="list", resource="pods")
    assert admin.allowed and admin.reason is None
    viewer = review("viewer", verb="list", resource="pods")
    assert viewer.allowed and viewer.reason.startswith("RBAC: allowed by ")
    logs = review("viewer", verb="get", resource="pods", subresource="log", namespace="shop")
    assert not logs.allowed and logs.reason is None
    assert not review("viewer", verb="create", resource="pods", subresource="portforward").allowed
    assert review("admin2", verb="patch", resource="deployments", group="apps").allowed
    with pytest.raises(ApiException) as err:
        client.AuthorizationV1Api(api_for()).create_self_subject_access_review({"spec": {}})
    assert err.value.status == 422
    who = client.AuthenticationV1Api(api_for("viewer")).create_self_subject_review({})
    assert who.status.user_info.username == "viewer"


def test_client_certificate_users(kube: Kube) -> None:
    def who(path: Path) -> str:
        api = config.new_client_from_config(config_file=str(path))
        return str(
            client.AuthenticationV1Api(api).create_self_subject_review({}).status.user_info.username
        )

    admin = kube.kubeconfig(user="ops-lead", cert_groups=("system:masters",))
    assert "client-certificate-data" in admin.read_text() and "token" not in admin.read_text()
    assert who(admin) == "ops-lead"
    config.load_kube_config(config_file=str(admin))
    assert client.CoreV1Api().list_node().items[0].metadata.name == "node-1"
    stranger = kube.kubeconfig(user="stranger", cert_groups=())
    assert who(stranger) == "stranger"
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(config.new_client_from_config(config_file=str(stranger))).list_node()
    assert err.value.status == 403
    viewer = kube.kubeconfig(user="viewer", cert_groups=())
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(
            config.new_client_from_config(config_file=str(viewer))
        ).read_namespaced_pod_log("x", "default")
    assert err.value.status == 403  # a known user keeps their rules: no pods/log


def test_exec_plugin_users(kube: Kube) -> None:
    path = kube.kubeconfig(user="viewer", exec_plugin=True)
    assert "exec:" in path.read_text() and "token: viewer-token" not in path.read_text()
    api = config.new_client_from_config(config_file=str(path))
    review = client.AuthenticationV1Api(api).create_self_subject_review({})
    assert review.status.user_info.username == "viewer"


def test_fleet_seed_lists_in_pages(nil_panic: str, tmp_path: Path) -> None:
    from tests.support.kube import running_kube
    from triage.kubeserver.scenarios import seed_fleet

    cluster = Cluster(events=False)
    with running_kube(tmp_path, cluster=cluster) as kube:
        assert seed_fleet(cluster, nil_panic, deployments=20, pods_each=5) == 100
        core = client.CoreV1Api(config.new_client_from_config(config_file=str(kube.kubeconfig())))
        first = core.list_pod_for_all_namespaces(limit=60)
        rest = core.list_pod_for_all_namespaces(limit=60, _continue=first.metadata._continue)
        names = [(p.metadata.namespace, p.metadata.name) for p in first.items + rest.items]
        assert len(names) == 100 and names == sorted(names)
        crashing = core.list_pod_for_all_namespaces(
            field_selector="metadata.namespace=team-0"
        ).items
        assert sum(p.status.container_statuses[0].restart_count > 0 for p in crashing) == 5 * 1


def test_injected_faults_answer_real_statuses(kube: Kube, api_for: ClientFor) -> None:
    core = client.CoreV1Api(api_for())
    kube.cluster.faults.inject("GET", "/api/v1/namespaces/default/pods", 500)
    with pytest.raises(ApiException) as err:
        core.list_namespaced_pod("default")
    assert err.value.status == 500 and _status(err.value)["reason"] == "InternalError"
    # A 429 carries Retry-After, which the official client (urllib3) obeys by itself:
    # the call succeeds after one retry, and the server saw both requests.
    kube.cluster.faults.inject("*", "/api/v1/nodes", 429)
    assert core.list_node().items[0].metadata.name == "node-1"
    seen = [
        code
        for method, path, code in kube.server.httpd.access_log
        if path.startswith("/api/v1/nodes")
    ]
    assert seen[-2:] == [429, 200]
