"""Contract test: the recorded real kube-apiserver answers vs ours, in shape."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from tests.kube import contract
from tests.support.kube import running_kube, serving_cert
from triage.kubeserver import Cluster, Container
from triage.kubeserver.authz import Authorizer
from triage.kubeserver.scenarios import seed_shop


def _seed(cluster: Cluster, crash_log: str, exchanges: list[contract.Exchange]) -> contract.NameMap:
    """The recorded cluster: namespace tx1 on node tx1-node.

    ``checkout`` crash-loops, three running ``checkout`` pods sort before the
    crashing ones (as the recorded ``67f47bd759`` pods did), ``catalog`` is
    behind a PDB.
    """
    shop = seed_shop(cluster, crash_log, namespace="tx1", node="tx1-node")
    running = [
        cluster.add_pod(
            "tx1",
            f"checkout-0000000000-v6x{i}",
            [Container("checkout", "registry.local/checkout:v6")],
            node="tx1-node",
            labels={"app": "checkout"},
        )["metadata"]["name"]
        for i in range(3)
    ]
    cluster.store.compact()  # as etcd has: resourceVersion 1 is long gone
    return contract.NameMap(
        exchanges,
        [p["metadata"]["name"] for p in shop.checkout.pods[2]],
        running,
        [p["metadata"]["name"] for p in shop.catalog.pods[1]],
    )


def test_replayed_transcript_matches_in_shape(tmp_path: Path, nil_panic: str) -> None:
    cluster = Cluster(Authorizer(contract.extra_users()))
    exchanges = contract.load()
    replayed, skipped, mismatches = [], [], []
    with running_kube(tmp_path, cluster=cluster) as kube:
        names = _seed(cluster, nil_panic, exchanges)
        tls = ssl.create_default_context(cafile=str(serving_cert().ca))
        with httpx.Client(base_url=kube.url, verify=tls, timeout=30) as http:
            for ex in exchanges:
                body = ex.request.get("body")
                if ex.op in contract.SKIPPED or (isinstance(body, dict) and "_protobuf" in body):
                    skipped.append(ex.seq)
                    continue
                problems = contract.compare(ex, contract.replay(http, ex, names))
                replayed.append(ex.seq)
                mismatches += [f"{ex.seq} {ex.op}: {p}" for p in problems]
    assert len(exchanges) == 213
    assert len(replayed) >= 190, f"only {len(replayed)} replayed"
    assert mismatches == [], "\n".join(mismatches)
