"""The demo cluster: three nodes, four namespaces, seven workloads, each an incident or a bystander.

- ``shop/checkout``: rolled out revision 7 (``:v7``), whose pods crash-loop with
  a real Go nil-dereference panic; revision 6 (``:v6``) was good. A rollback
  brings ``:v6`` pods that run (and serve the healthy backend).
- ``shop/orders``: leaks goroutines; its pprof port is the ``leak`` backend.
- ``search/indexer``: OOMKilled under a 512Mi limit; new pods run once their
  spec sets ``GOMEMLIMIT`` or raises the limit (``Cluster.spec_states``).
- ``payments/ledger``: lock contention (the ``contention`` backend).
- ``shop/catalog`` (behind a PDB that allows no disruption), ``shop/frontend``,
  ``platform/gateway``: healthy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from triage.demo.backends import Backends
from triage.kubeserver.cluster import Cluster
from triage.kubeserver.objects import Container, Revision, Termination, ago

JSON = dict[str, Any]
PORT = 6060
NODES = ("node-1", "node-2", "node-3")
REGISTRY = "registry.local"
CHECKOUT_BAD, CHECKOUT_GOOD = f"{REGISTRY}/checkout:v7", f"{REGISTRY}/checkout:v6"
INDEXER = f"{REGISTRY}/indexer:v3"
OOM_LIMIT = 512 * 2**20
#: the workload the demo opens on, and the one-line hint's subject
FIRST = ("shop", "checkout")


@dataclass(frozen=True)
class Crashing:
    """A crash-looping image: how its container dies again while the demo runs."""

    image: str
    termination: Termination
    log: str


def _ports() -> list[JSON]:
    return [{"name": "pprof", "containerPort": PORT}]


def _probes() -> JSON:
    def probe(path: str) -> JSON:
        return {
            "httpGet": {"path": path, "port": PORT, "scheme": "HTTP"},
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "failureThreshold": 3,
            "successThreshold": 1,
        }

    return {"livenessProbe": probe("/healthz"), "readinessProbe": probe("/readyz")}


def _running(name: str, image: str, log: str, **kw: Any) -> Container:
    return Container(name, image, _ports(), log=log, probes=_probes(), **kw)


_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(text: str) -> int | None:
    """Bytes in a memory quantity (``512Mi``, ``1G``), None when unreadable."""
    found = re.fullmatch(r"(\d+)(|K|M|G|Ki|Mi|Gi)", text.strip())
    return int(found[1]) * _UNITS[found[2]] if found else None


def memory_fixed(spec: JSON) -> bool:
    """The indexer's spec sets GOMEMLIMIT or a memory limit above the one it OOMs under."""
    if spec.get("image") != INDEXER:
        return False
    if any(e.get("name") == "GOMEMLIMIT" for e in spec.get("env") or []):
        return True
    limit = quantity(str(((spec.get("resources") or {}).get("limits") or {}).get("memory", "")))
    return limit is not None and limit > OOM_LIMIT


def _checkout(cluster: Cluster, panic: str) -> Crashing:
    termination = Termination(exit_code=2, reason="Error", message=panic[-4096:])
    bad = Container(
        "checkout",
        CHECKOUT_BAD,
        _ports(),
        restarts=6,
        waiting="CrashLoopBackOff",
        waiting_message="back-off 2m40s restarting failed container",
        last=termination,
        log="starting checkout v7\n",
        previous_log=panic,
        probes=_probes(),
        termination_message_policy="FallbackToLogsOnError",
    )
    cluster.image_states[CHECKOUT_BAD] = bad
    history = [
        Revision([_running("checkout", f"{REGISTRY}/checkout:v{n}", "checkout ready\n")])
        for n in range(1, 7)
    ]
    cluster.add_deployment("shop", "checkout", [*history, Revision([bad], 3)], node="node-1")
    return Crashing(CHECKOUT_BAD, termination, panic)


def _indexer(cluster: Cluster) -> Crashing:
    log = "indexer v3: loading shard 12 (2.1 GiB) into memory\n"
    termination = Termination(exit_code=137, reason="OOMKilled")
    limits = {"limits": {"memory": "512Mi"}, "requests": {"memory": "512Mi"}}
    oom = Container(
        "indexer",
        INDEXER,
        _ports(),
        restarts=4,
        waiting="CrashLoopBackOff",
        waiting_message="back-off 1m20s restarting failed container",
        last=termination,
        log="indexer v3 starting\n",
        previous_log="indexer v3 starting\n" + log,
        probes=_probes(),
        resources=limits,
    )
    cluster.image_states[INDEXER] = oom
    fixed = _running("indexer", INDEXER, "indexer v3 starting\nindexer ready (GOMEMLIMIT)\n")
    cluster.spec_states.append((memory_fixed, fixed))
    cluster.add_deployment("search", "indexer", [Revision([oom], 2)], node="node-3")
    return Crashing(INDEXER, termination, log)


def _pdb(cluster: Cluster, namespace: str, name: str, replicas: int) -> None:
    cluster.put(
        "PodDisruptionBudget",
        {
            "metadata": {"name": name, "namespace": namespace, "generation": 1},
            "spec": {"minAvailable": replicas, "selector": {"matchLabels": {"app": name}}},
            "status": {
                "observedGeneration": 1,
                "disruptionsAllowed": 0,
                "currentHealthy": replicas,
                "desiredHealthy": replicas,
                "expectedPods": replicas,
            },
        },
    )


def seed_demo(cluster: Cluster, backends: Backends) -> list[Crashing]:
    """Seed the demo cluster and back its pods' ports; return the crash-looping images."""
    for namespace in ("default", "shop", "payments", "search", "platform"):
        cluster.add_namespace(namespace)
    for node in NODES:
        cluster.add_node(node)
    crashing = [_checkout(cluster, backends.panic), _indexer(cluster)]
    healthy = [
        ("shop", "catalog", "catalog:v3", 3, "node-2"),
        ("shop", "frontend", "frontend:v21", 2, "node-2"),
        ("platform", "gateway", "gateway:v5", 2, "node-1"),
    ]
    for namespace, name, image, replicas, node in healthy:
        container = _running(name, f"{REGISTRY}/{image}", f"{name} ready\n")
        cluster.add_deployment(namespace, name, [Revision([container], replicas)], node=node)
        cluster.back_image_port(f"{REGISTRY}/{image}", PORT, backends.healthy)
    _pdb(cluster, "shop", "catalog", 3)
    orders = _running("orders", f"{REGISTRY}/orders:v12", "orders ready\n")
    cluster.add_deployment("shop", "orders", [Revision([orders], 2)], node="node-3")
    cluster.back_image_port(orders.image, PORT, backends.leak)
    ledger = _running("ledger", f"{REGISTRY}/ledger:v8", "ledger ready\n")
    cluster.add_deployment("payments", "ledger", [Revision([ledger], 2)], node="node-1")
    cluster.back_image_port(ledger.image, PORT, backends.contention)
    # After a rollback or a memory fix these run, and answer like any healthy service.
    cluster.back_image_port(CHECKOUT_GOOD, PORT, backends.healthy)
    cluster.back_image_port(INDEXER, PORT, backends.healthy)
    return crashing


def crash_again(cluster: Cluster, crashing: list[Crashing]) -> int:
    """One more restart for every pod still running a crash-looping image; return how many.

    Called every few seconds, so restart counts climb while you watch, and stop
    climbing once the bad revision is rolled back or the memory fix is rolled out.
    """
    by_image = {c.image: c for c in crashing}
    crashed = 0
    with cluster.reconcile_lock:
        for pod in cluster.store.objects("pods"):
            meta, status = pod["metadata"], pod.get("status") or {}
            if meta.get("deletionTimestamp"):
                continue
            specs = {c["name"]: c for c in pod["spec"].get("containers") or []}
            for cs in status.get("containerStatuses") or []:
                spec = specs.get(cs["name"], {})
                known = by_image.get(spec.get("image", ""))
                waiting = (cs.get("state") or {}).get("waiting") or {}
                if known is None or waiting.get("reason") != "CrashLoopBackOff":
                    continue
                now = replace(known.termination, started_at=ago(15), finished_at=ago(0))
                cluster.crash_container(
                    meta["namespace"], meta["name"], cs["name"], now, log=known.log
                )
                crashed += 1
    return crashed
