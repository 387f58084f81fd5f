"""Seed the project's API server with crashing workloads whose logs are real Go output.

The crash text comes from the ``crashers`` Go target (compiled at test time), run
with ``GOTRACEBACK=single`` as a service's default; the termination message is
what the kubelet keeps under ``FallbackToLogsOnError``: the log's last 4096
bytes, so a partial traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.targets import crash
from triage.kubeserver import Cluster, Container, Revision, Termination

TERMINATION_LIMIT = 4096


@dataclass(frozen=True)
class Shop:
    """What :func:`seed_shop` made."""

    panic_log: str
    checkout_crashing: list[str]
    checkout_total: int


def panic_log() -> str:
    """A service's previous-container log: some lines, then a real Go nil-pointer panic."""
    run = crash("nil", "single")
    assert run.returncode == 2
    lines = "".join(f'level=info msg="served request" id={i}\n' for i in range(40))
    return lines + run.stderr


def seed_shop(cluster: Cluster, namespace: str = "shop") -> Shop:
    """``checkout``: revision 1 healthy (2 pods), revision 2 crash-looping (3 pods);
    ``catalog``: healthy; ``cache``: OOMKilled, no logs."""
    cluster.add_namespace(namespace)
    log = panic_log()
    healthy = Container(
        "checkout", "registry.local/checkout:v1", ports=[{"name": "pprof", "containerPort": 6060}]
    )
    crashing = Container(
        "checkout",
        "registry.local/checkout:v2",
        ports=[{"name": "pprof", "containerPort": 6060}],
        restarts=7,
        waiting="CrashLoopBackOff",
        waiting_message="back-off 5m0s restarting failed container",
        last=Termination(exit_code=2, reason="Error", message=log[-TERMINATION_LIMIT:]),
        previous_log=log,
        log="level=info msg=starting\n",
        termination_message_policy="FallbackToLogsOnError",
    )
    seeded = cluster.add_deployment(
        namespace, "checkout", [Revision([healthy], 2), Revision([crashing], 3)]
    )
    cluster.add_deployment(
        namespace, "catalog", [Revision([Container("catalog", log="level=info msg=ready\n")], 3)]
    )
    oom = Container(
        "cache",
        restarts=3,
        waiting="CrashLoopBackOff",
        last=Termination(exit_code=137, reason="OOMKilled"),
    )
    cluster.add_deployment(namespace, "cache", [Revision([oom], 2)])
    names = [p["metadata"]["name"] for p in seeded.pods[2]]
    return Shop(log, names, 5)
