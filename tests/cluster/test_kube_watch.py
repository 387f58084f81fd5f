"""The list+watch loop against the project's API server (official client, real HTTP)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kube import Kube, running_kube
from triage.cluster.client import KubeClient, connect
from triage.cluster.kubeconfig import ConnectOptions
from triage.cluster.watch import Batch, ListWatch, wait_until
from triage.kubeserver import Container, Revision


@pytest.fixture
def fast_kube(tmp_path: Path) -> Iterator[Kube]:
    """A server that sends BOOKMARKs every 0.2 s (a real one: about every minute)."""
    with running_kube(tmp_path / "kube", bookmark_interval=0.2) as running:
        yield running


def _client(kube: Kube) -> KubeClient:
    return connect(ConnectOptions(kubeconfig=str(kube.kubeconfig(user="viewer"))))


class Recorder:
    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.errors: list[str | None] = []

    def __call__(self, batch: Batch) -> None:
        self.batches.append(batch)


def _start(lw: ListWatch) -> threading.Thread:
    thread = threading.Thread(target=lw.run, daemon=True)
    thread.start()
    return thread


def _bump(kube: Kube, namespace: str, name: str, value: str) -> None:
    pod = kube.cluster.get("Pod", name, namespace)
    assert pod is not None
    pod["metadata"]["labels"]["bump"] = value
    kube.cluster.update("Pod", pod)


def test_snapshot_then_a_burst_arrives_coalesced(kube: Kube) -> None:
    kube.cluster.add_namespace("shop")
    seeded = kube.cluster.add_deployment("shop", "api", [Revision([Container("api")], 4)])
    names = [p["metadata"]["name"] for p in seeded.pods[1]]
    rec = Recorder()
    client = _client(kube)
    lw = ListWatch(client, "pods", "shop", rec, coalesce=0.2)
    thread = _start(lw)
    try:
        assert wait_until(lambda: bool(rec.batches), 10)
        first = rec.batches[0]
        assert first.snapshot is not None and len(first.snapshot) == 4
        for i in range(200):
            _bump(kube, "shop", names[i % 4], str(i))
        kube.cluster.delete("Pod", names[0], "shop")
        assert wait_until(lambda: len(lw.store) == 3, 10)
        events = [e for b in rec.batches[1:] for e in b.events]
        assert wait_until(lambda: sum(len(b.events) for b in rec.batches[1:]) >= 200, 10), len(
            events
        )
        # 200+ events reached the callback in far fewer calls: coalesced
        assert len(rec.batches) - 1 < 50
        last = lw.store[("shop", names[1])]
        assert last["metadata"]["labels"]["bump"] == "197"
    finally:
        lw.stop()
        thread.join(timeout=10)
        client.close()
    assert not thread.is_alive()


def test_too_old_resource_version_relists(kube: Kube) -> None:
    kube.cluster.add_namespace("shop")
    kube.cluster.add_deployment("shop", "api", [Revision([Container("api")], 2)])
    kube.cluster.store.compact()  # history before now is gone, as after etcd compaction
    rec = Recorder()
    client = _client(kube)
    lw = ListWatch(client, "pods", "shop", rec, resource_version="1")
    thread = _start(lw)
    try:
        assert wait_until(lambda: lw.lists == 1 and bool(rec.batches), 10)
        snap = rec.batches[0].snapshot
        assert snap is not None and len(snap) == 2
        assert int(lw.resource_version) > 1
    finally:
        lw.stop()
        thread.join(timeout=10)
        client.close()


def test_bookmarks_move_the_resource_version_without_updates(fast_kube: Kube) -> None:
    fast_kube.cluster.add_namespace("shop")
    fast_kube.cluster.add_namespace("other")
    fast_kube.cluster.add_deployment("shop", "api", [Revision([Container("api")], 1)])
    rec = Recorder()
    client = _client(fast_kube)
    lw = ListWatch(client, "pods", "shop", rec, coalesce=0.05)
    thread = _start(lw)
    try:
        assert wait_until(lambda: bool(rec.batches), 10)
        listed = int(lw.resource_version)
        fast_kube.cluster.add_deployment("other", "noise", [Revision([Container("n")], 3)])
        assert wait_until(lambda: int(lw.resource_version) > listed, 10)
        assert len(rec.batches) == 1  # a bookmark is not an update
    finally:
        lw.stop()
        thread.join(timeout=10)
        client.close()


def test_server_gone_is_reported_and_retried(kube: Kube) -> None:
    kube.cluster.add_namespace("shop")
    rec = Recorder()
    errors: list[str | None] = []
    client = _client(kube)
    lw = ListWatch(
        client, "pods", "shop", rec, on_error=errors.append, backoff=(0.1,), timeout_seconds=1
    )
    thread = _start(lw)
    try:
        assert wait_until(lambda: bool(rec.batches), 10)
        kube.server.stop()
        assert wait_until(lambda: any(e and "retrying in" in e for e in errors), 15)
        assert thread.is_alive()
    finally:
        lw.stop()
        thread.join(timeout=10)
        client.close()
