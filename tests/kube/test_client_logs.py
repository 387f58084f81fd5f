"""Pod logs through the official client: previous, tail, timestamps, limits, follow, errors."""

from __future__ import annotations

import json
import re

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.kube.conftest import ClientFor
from tests.support.kube import Kube
from triage.kubeserver import Container
from triage.kubeserver.scenarios import Shop, seed_shop


def _crashing(shop: Shop) -> str:
    name: str = shop.checkout.pods[2][0]["metadata"]["name"]
    return name


def test_previous_log_options(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    pod = _crashing(seed_shop(kube.cluster, nil_panic))
    core = client.CoreV1Api(api_for())
    assert core.read_namespaced_pod_log(pod, "shop", previous=True) == nil_panic
    tail = core.read_namespaced_pod_log(pod, "shop", previous=True, tail_lines=3)
    assert tail.splitlines() == nil_panic.splitlines()[-3:]
    stamped = core.read_namespaced_pod_log(
        pod, "shop", previous=True, tail_lines=2, timestamps=True
    )
    for line, original in zip(stamped.splitlines(), nil_panic.splitlines()[-2:], strict=True):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .*", line)
        assert line.split(" ", 1)[1] == original
    raw = core.read_namespaced_pod_log(
        pod, "shop", previous=True, limit_bytes=64, _preload_content=False
    )
    assert raw.data == nil_panic.encode()[:64]
    assert raw.headers["Content-Type"] == "text/plain"
    assert core.read_namespaced_pod_log(pod, "shop") == "starting checkout v7\n"


def _error(exc: ApiException) -> tuple[int, str, str]:
    body = json.loads(exc.body)
    return exc.status, body["reason"], body["message"]


def test_log_errors_are_real_statuses(kube: Kube, api_for: ClientFor, nil_panic: str) -> None:
    shop = seed_shop(kube.cluster, nil_panic)
    crashing = _crashing(shop)
    healthy = shop.catalog.pods[1][0]["metadata"]["name"]
    core = client.CoreV1Api(api_for())
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log(healthy, "shop", previous=True)
    assert _error(err.value) == (
        400,
        "BadRequest",
        f'previous terminated container "catalog" in pod "{healthy}" not found',
    )
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log(crashing, "shop", container="nope")
    assert _error(err.value) == (
        400,
        "BadRequest",
        f"container nope is not valid for pod {crashing}",
    )
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log("no-such-pod", "shop")
    assert _error(err.value)[:2] == (404, "NotFound")
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(api_for("viewer")).read_namespaced_pod_log(crashing, "shop", previous=True)
    assert _error(err.value) == (
        403,
        "Forbidden",
        f'pods "{crashing}" is forbidden: User "viewer" cannot get resource "pods/log" '
        'in API group "" in the namespace "shop"',
    )


def test_two_containers_need_a_name(kube: Kube, api_for: ClientFor) -> None:
    kube.cluster.add_pod(
        "default", "pair", [Container("app", log="a\n"), Container("sidecar", log="s\n")]
    )
    core = client.CoreV1Api(api_for())
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod_log("pair", "default")
    assert (
        _error(err.value)[2]
        == "a container name must be specified for pod pair, choose one of: [app sidecar]"
    )
    assert core.read_namespaced_pod_log("pair", "default", container="sidecar") == "s\n"


def test_follow_streams_new_lines(kube: Kube, api_for: ClientFor) -> None:
    kube.cluster.add_pod("default", "talker", [Container("app", log="one\n")])
    core = client.CoreV1Api(api_for())
    resp = core.read_namespaced_pod_log("talker", "default", follow=True, _preload_content=False)
    assert resp.read(4) == b"one\n"
    kube.cluster.logs.write(("default", "talker", "app"), "two\nthree\n")
    assert resp.read(10) == b"two\nthree\n"
    resp.release_conn()


def test_follow_ends_when_the_container_dies(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    from triage.kubeserver import Termination

    kube.cluster.add_pod("default", "doomed", [Container("app", log="up\n")])
    core = client.CoreV1Api(api_for())
    resp = core.read_namespaced_pod_log("doomed", "default", follow=True, _preload_content=False)
    assert resp.read(3) == b"up\n"
    kube.cluster.crash_container(
        "default", "doomed", "app", Termination(exit_code=2), log=nil_panic
    )
    assert resp.read() == nil_panic.encode()  # the rest, then the end of the stream
    assert core.read_namespaced_pod_log("doomed", "default", previous=True) == "up\n" + nil_panic
