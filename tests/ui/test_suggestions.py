"""What the cluster screen proposes, from the views the watch holds (pure, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from triage.cluster.model import pod_crash
from triage.cluster.workloads import WorkloadRef
from triage.ui.action_flow import argv_of, describe
from triage.ui.cluster_model import PodView, WorkloadView
from triage.ui.screens.action_args import blanks_last
from triage.ui.suggestions import for_nodes, for_workload, known_revisions, revision_table

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _pod(name: str, node: str, *, failing: bool, oom: bool = False, limit: str = "") -> Any:
    state: dict[str, Any] = (
        {"waiting": {"reason": "CrashLoopBackOff"}} if failing else {"running": {}}
    )
    last = {
        "terminated": {"reason": "OOMKilled" if oom else "Error", "exitCode": 137 if oom else 2}
    }
    resources = {"limits": {"memory": limit}} if limit else {}
    return {
        "metadata": {
            "name": name,
            "namespace": "shop",
            "creationTimestamp": "2026-12-05T10:00:00Z",
        },
        "spec": {"nodeName": node, "containers": [{"name": "app", "resources": resources}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "app",
                    "ready": not failing,
                    "restartCount": 4 if failing else 0,
                    "state": state,
                    "lastState": last if failing else {},
                }
            ],
        },
    }


def _view(name: str, pods: list[tuple[Any, int | None]], since: int | None = None) -> WorkloadView:
    views = tuple(PodView(pod_crash(raw, NOW), rev, raw) for raw, rev in pods)
    signature = None
    if since is not None:
        from triage.cluster.signature import CrashKey, Signature

        signature = Signature(CrashKey("panic", "x", "f"), "crash", 1, len(views), since)
    return WorkloadView.of(WorkloadRef("shop", "Deployment", name), views, signature)


def test_rollback_is_proposed_when_the_crash_began_with_the_newest_revision() -> None:
    view = _view("checkout", [(_pod("c-1", "n1", failing=True), 2)], since=2)
    (first,) = for_workload(view, known=[1, 2])
    assert describe(first) == "roll back deployment/checkout to revision 1"
    assert argv_of(first) == ["rollback", "deployment/checkout", "--to-revision", "1"]


@pytest.mark.parametrize(
    ("since", "known"),
    [(1, [1, 2]), (2, [2]), (None, [1, 2])],  # older crash, no earlier revision, no crash
)
def test_no_rollback_otherwise(since: int | None, known: list[int]) -> None:
    view = _view("checkout", [(_pod("c-1", "n1", failing=True), 2)], since=since)
    assert [s for s in for_workload(view, known) if s.action == "rollback"] == []


def test_oomkilled_proposes_gomemlimit_below_the_limit_then_the_limit() -> None:
    pod = _pod("cache-1", "n1", failing=True, oom=True, limit="1Gi")
    first, second = for_workload(_view("cache", [(pod, 1)]))
    assert "--set value=921MiB" in " ".join(first.args) and "gomemlimit" in first.args
    assert "memory-limit" in second.args
    assert blanks_last(list(second.args)).endswith("--set value=")


def test_a_node_whose_pods_all_fail_while_they_run_elsewhere_is_proposed_for_drain() -> None:
    web = _view(
        "web",
        [(_pod("w-1", "bad", failing=True), 1), (_pod("w-2", "good", failing=False), 1)],
    )
    nodes = for_nodes([web])
    assert [s.action for s in nodes["bad"]] == ["cordon", "drain"]
    assert argv_of(nodes["bad"][1]) == ["drain", "bad", "--ignore-daemonsets"]
    assert "good" not in nodes
    only_here = _view("solo", [(_pod("s-1", "bad", failing=True), 1)])
    assert for_nodes([only_here]) == {}  # nowhere else to run: draining would not help


def test_revisions_without_pods_count_from_the_replicasets() -> None:
    table = revision_table([], known=[1, 3])
    assert [(r.revision, r.pods, r.restarts) for r in table] == [(3, 0, 0), (1, 0, 0)]
    index = known_revisions({("shop", "rs-a"): ("checkout", 1), ("shop", "rs-b"): ("", 2)})
    assert index == {("shop", "checkout"): {1}}
