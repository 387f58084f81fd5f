"""Watches through the official client: events, selectors, bookmarks, 410 Expired, shutdown."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import urllib3
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from tests.kube.conftest import ClientFor
from tests.support.kube import Kube, running_kube
from triage.kubeserver.scenarios import seed_shop


def _relabel(kube: Kube, name: str, namespace: str = "shop", **labels: str) -> None:
    pod = kube.cluster.get("Pod", name, namespace)
    assert pod is not None
    pod["metadata"]["labels"].update(labels)
    kube.cluster.update("Pod", pod)


def test_watch_from_list_version_sees_changes(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    core = client.CoreV1Api(api_for())
    listed = core.list_namespaced_pod("shop", label_selector="app=checkout")
    first, second = (p.metadata.name for p in listed.items[:2])
    _relabel(kube, first, triage="seen")
    kube.cluster.delete("Pod", second, "shop")
    stream = watch.Watch().stream(
        core.list_namespaced_pod,
        "shop",
        label_selector="app=checkout",
        resource_version=listed.metadata.resource_version,
        timeout_seconds=2,
    )
    seen = [(e["type"], e["object"].metadata.name) for e in stream]
    assert seen == [("MODIFIED", first), ("MODIFIED", second), ("DELETED", second)]


def test_watch_without_version_starts_with_added(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    core = client.CoreV1Api(api_for())
    events = list(watch.Watch().stream(core.list_namespaced_pod, "shop", timeout_seconds=1))
    assert [e["type"] for e in events] == ["ADDED"] * 6


def test_label_change_out_of_selector_is_deleted(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    seed_shop(kube.cluster, nil_panic)
    core = client.CoreV1Api(api_for())
    listed = core.list_namespaced_pod("shop", label_selector="app=checkout")
    name = listed.items[0].metadata.name
    _relabel(kube, name, app="quarantined")
    stream = watch.Watch().stream(
        core.list_namespaced_pod,
        "shop",
        label_selector="app=checkout",
        resource_version=listed.metadata.resource_version,
        timeout_seconds=1,
    )
    assert [(e["type"], e["object"].metadata.name) for e in stream] == [("DELETED", name)]


def test_too_old_version_is_an_error_event(kube: Kube, api_for: ClientFor) -> None:
    kube.cluster.add_namespace("shop")
    kube.cluster.store.compact()
    api = api_for()
    raw = client.CoreV1Api(api).list_namespaced_pod(
        "shop", watch=True, resource_version="1", _preload_content=False
    )
    assert raw.status == 200
    lines = raw.data.decode().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")
    with pytest.raises(ApiException) as err:
        list(
            watch.Watch().stream(
                client.CoreV1Api(api).list_namespaced_pod, "shop", resource_version="1"
            )
        )
    assert err.value.status == 410


def test_bookmarks_and_initial_events(tmp_path: Path) -> None:
    with running_kube(tmp_path, bookmark_interval=0.2) as kube:
        kube.cluster.add_namespace("shop")
        api = config.new_client_from_config(config_file=str(kube.kubeconfig()))
        core = client.CoreV1Api(api)
        rv = core.list_namespaced_pod("shop").metadata.resource_version
        w = watch.Watch()
        types = [
            e["type"]
            for e in w.stream(
                core.list_namespaced_pod,
                "shop",
                resource_version=rv,
                allow_watch_bookmarks=True,
                timeout_seconds=1,
            )
        ]
        assert types and set(types) == {"BOOKMARK"}
        kube.cluster.add_namespace("other")
        initial = list(
            watch.Watch().stream(
                core.list_namespace,
                send_initial_events=True,
                resource_version_match="NotOlderThan",
                allow_watch_bookmarks=True,
                timeout_seconds=1,
            )
        )
        names = [e["object"].metadata.name for e in initial if e["type"] == "ADDED"]
        assert names == ["default", "other", "shop"]
        end = next(e for e in initial if e["type"] == "BOOKMARK")
        assert end["raw_object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
        with pytest.raises(ApiException) as err:
            core.list_namespaced_pod(
                "shop", watch=True, send_initial_events=True, _preload_content=False
            )
        assert err.value.status == 422


def test_stop_ends_open_watches_and_joins_threads(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    with running_kube(tmp_path) as kube:
        api = config.new_client_from_config(config_file=str(kube.kubeconfig()))
        core = client.CoreV1Api(api)
        got: list[str] = []
        errors: list[BaseException] = []

        def follow() -> None:
            try:
                for event in watch.Watch().stream(core.list_namespace, resource_version="0"):
                    got.append(event["type"])
            except (ApiException, urllib3.exceptions.HTTPError) as exc:
                errors.append(exc)

        reader = threading.Thread(target=follow)
        reader.start()
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        assert got == ["ADDED"]
    reader.join(timeout=10)
    assert not reader.is_alive()
    leftover = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert leftover == []


def test_a_container_crash_is_one_modified_event(
    kube: Kube, api_for: ClientFor, nil_panic: str
) -> None:
    from triage.kubeserver import Container, Termination

    kube.cluster.add_pod("default", "api-0", [Container("api", log="serving\n")])
    core = client.CoreV1Api(api_for())
    rv = core.list_namespaced_pod("default").metadata.resource_version
    kube.cluster.crash_container("default", "api-0", "api", Termination(exit_code=2), log=nil_panic)
    events = list(
        watch.Watch().stream(
            core.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=1
        )
    )
    assert [e["type"] for e in events] == ["MODIFIED"]
    status = events[0]["object"].status.container_statuses[0]
    assert (
        status.restart_count,
        status.state.waiting.reason,
        status.last_state.terminated.exit_code,
    ) == (1, "CrashLoopBackOff", 2)
    assert (
        core.read_namespaced_pod_log("api-0", "default", previous=True) == "serving\n" + nil_panic
    )
    key = ("default", "api-0", "api")
    kube.cluster.logs.write(key, "two hours ago\n", at_ns=time.time_ns() - 7200 * 10**9)
    kube.cluster.logs.write(key, "just now\n")
    assert core.read_namespaced_pod_log("api-0", "default", since_seconds=3600) == "just now\n"


def test_compaction_boundary(kube: Kube, api_for: ClientFor) -> None:
    core = client.CoreV1Api(api_for())
    before = int(core.list_namespace().metadata.resource_version)
    kube.cluster.add_namespace("late")
    kube.cluster.store.compact()
    now = int(core.list_namespace().metadata.resource_version)
    assert now == before + 1

    def first_type(rv: int) -> str:
        raw = core.list_namespace(
            watch=True, resource_version=str(rv), timeout_seconds=1, _preload_content=False
        )
        lines = raw.data.decode().splitlines()
        return str(json.loads(lines[0])["type"]) if lines else "none"

    assert first_type(before) == "ERROR"  # the ADDED of "late" is compacted away
    assert first_type(now) == "none"  # nothing happened since: no error, no event


def test_restart_on_the_same_port_keeps_the_cluster(kube: Kube, api_for: ClientFor) -> None:
    core = client.CoreV1Api(api_for())
    rv = core.list_namespace().metadata.resource_version
    kube.server.stop()
    with pytest.raises(urllib3.exceptions.MaxRetryError):
        core.list_namespace(_request_timeout=2)
    kube.cluster.add_namespace("while-down")
    kube.server.start()
    assert kube.server.url == kube.url
    events = list(watch.Watch().stream(core.list_namespace, resource_version=rv, timeout_seconds=1))
    assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "while-down")]
