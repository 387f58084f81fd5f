"""Ready-made cluster states: the crash-looping rollout every test and the demo start from.

``checkout`` rolled from ``:v6`` (revision 1, healthy) to ``:v7`` (revision 2)
whose pods crash-loop with a Go panic; ``catalog`` is healthy behind a PDB with
``minAvailable`` equal to its replicas, so evictions from it are blocked. The
panic text is passed in: tests use the output of a real Go program.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.kubeserver.cluster import Cluster
from triage.kubeserver.objects import Container, Revision, Seeded, Termination

PPROF_PORT = 6060


@dataclass
class Shop:
    """What :func:`seed_shop` created."""

    checkout: Seeded
    catalog: Seeded


def _probe(path: str) -> dict[str, object]:
    return {
        "livenessProbe": {
            "httpGet": {"path": path, "port": PPROF_PORT, "scheme": "HTTP"},
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "failureThreshold": 3,
            "successThreshold": 1,
        }
    }


def seed_shop(
    cluster: Cluster,
    crash_log: str,
    *,
    namespace: str = "shop",
    node: str = "node-1",
    crashing: int = 3,
    healthy: int = 3,
    exit_code: int = 2,
) -> Shop:
    """Seed the ``checkout`` crash loop and the PDB-guarded ``catalog``."""
    if cluster.get("Namespace", namespace) is None:
        cluster.add_namespace(namespace)
    if cluster.get("Node", node) is None:
        cluster.add_node(node)
    ports = [{"name": "pprof", "containerPort": PPROF_PORT}]
    good = [Container("checkout", "registry.local/checkout:v6", ports, probes=_probe("/healthz"))]
    bad = [
        Container(
            "checkout",
            "registry.local/checkout:v7",
            ports,
            restarts=5,
            waiting="CrashLoopBackOff",
            waiting_message="back-off 2m40s restarting failed container",
            last=Termination(exit_code=exit_code, reason="Error", message=crash_log[-4096:]),
            log="starting checkout v7\n",
            previous_log=crash_log,
            probes=_probe("/healthz"),
            termination_message_policy="FallbackToLogsOnError",
        )
    ]
    # New pods of the bad image (a restart, a drain's reschedule) crash too; v6 runs clean.
    cluster.image_states[bad[0].image] = bad[0]
    checkout = cluster.add_deployment(
        namespace, "checkout", [Revision(good, 0), Revision(bad, crashing)], node=node
    )
    serving = [
        Container(
            "catalog",
            "registry.local/catalog:v3",
            ports,
            log="catalog ready\n",
            probes=_probe("/healthz"),
        )
    ]
    catalog = cluster.add_deployment(namespace, "catalog", [Revision(serving, healthy)], node=node)
    cluster.put(
        "PodDisruptionBudget",
        {
            "metadata": {"name": "catalog", "namespace": namespace, "generation": 1},
            "spec": {"minAvailable": healthy, "selector": {"matchLabels": {"app": "catalog"}}},
            "status": {
                "observedGeneration": 1,
                "disruptionsAllowed": 0,
                "currentHealthy": healthy,
                "desiredHealthy": healthy,
                "expectedPods": healthy,
            },
        },
    )
    return Shop(checkout, catalog)


def seed_fleet(
    cluster: Cluster,
    crash_log: str,
    *,
    deployments: int = 200,
    pods_each: int = 25,
    crashing_every: int = 10,
    namespaces: int = 4,
) -> int:
    """A large fleet for benchmarks: ``deployments`` x ``pods_each`` pods over a few namespaces.

    Every ``crashing_every``-th deployment crash-loops with ``crash_log`` as its
    previous log. Returns the number of pods made.
    """
    if cluster.get("Node", "node-1") is None:
        cluster.add_node("node-1")
    made = 0
    for index in range(deployments):
        namespace = f"team-{index % namespaces}"
        if cluster.get("Namespace", namespace) is None:
            cluster.add_namespace(namespace)
        image = f"registry.local/svc-{index}:v1"
        if index % crashing_every == 0:
            container = Container(
                "app",
                image,
                restarts=4,
                waiting="CrashLoopBackOff",
                last=Termination(exit_code=2, message=crash_log[-4096:]),
                previous_log=crash_log,
            )
        else:
            container = Container("app", image, log="ready\n")
        cluster.add_deployment(namespace, f"svc-{index}", [Revision([container], pods_each)])
        made += pods_each
    return made
