"""Owners and revisions: pod -> ReplicaSet -> Deployment revision; sts/ds ControllerRevisions."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.cluster.pods import controller_revision, pod, replicaset, rs_pod
from triage.cluster.model import pod_crash
from triage.cluster.workloads import WorkloadRef, build_revisions, revision_of, workload_of

NOW = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)


def test_deployment_pod_gets_its_replicaset_revision() -> None:
    revs = build_revisions(
        [replicaset("checkout", "67f47bd759", 1), replicaset("checkout", "68c66446d8", 2)], []
    )
    old = pod_crash(rs_pod("checkout", "67f47bd759", "a"), NOW)
    new = pod_crash(rs_pod("checkout", "68c66446d8", "b"), NOW)
    assert workload_of(new, revs) == WorkloadRef("tx1", "Deployment", "checkout")
    assert workload_of(new, revs).label == "deployment/checkout"
    assert (revision_of(old, revs), revision_of(new, revs)) == (1, 2)


def test_without_replicasets_the_deployment_follows_from_the_name() -> None:
    p = pod_crash(rs_pod("my-app", "5d8f7c", "zz"), NOW)
    empty = build_revisions([], [])
    assert workload_of(p, empty) == WorkloadRef("tx1", "Deployment", "my-app")
    assert revision_of(p, empty) is None


def test_statefulset_pod_revision_by_full_name() -> None:
    revs = build_revisions(
        [],
        [
            controller_revision("ledger", "StatefulSet", "645757c47d", 1),
            controller_revision("ledger", "StatefulSet", "79cc96d5cc", 2),
        ],
    )
    p = pod(
        "ledger-0",
        owner=("StatefulSet", "ledger"),
        labels={"controller-revision-hash": "ledger-79cc96d5cc"},
    )
    crash = pod_crash(p, NOW)
    assert workload_of(crash, revs) == WorkloadRef("tx1", "StatefulSet", "ledger")
    assert revision_of(crash, revs) == 2


def test_daemonset_pod_revision_by_hash_only() -> None:
    revs = build_revisions([], [controller_revision("agent", "DaemonSet", "6b9f", 4)])
    p = pod("agent-x7", owner=("DaemonSet", "agent"), labels={"controller-revision-hash": "6b9f"})
    assert revision_of(pod_crash(p, NOW), revs) == 4


def test_bare_pod_is_its_own_workload() -> None:
    crash = pod_crash(pod("debug-shell"), NOW)
    assert workload_of(crash, build_revisions([], [])) == WorkloadRef("tx1", "Pod", "debug-shell")
