"""Pure rules: kubectl's revision choice, rollback patch, drain filters, rollout status."""

from __future__ import annotations

from typing import Any

import pytest

from triage.actions.drain import DrainFlags, classify
from triage.actions.model import ActionFailed
from triage.actions.rollback import pick, rollback_patch
from triage.actions.rollout import deployment_state
from triage.errors import BadInput


def _rs(name: str, revision: str | None, **annotations: str) -> dict[str, Any]:
    notes = dict(annotations)
    if revision is not None:
        notes["deployment.kubernetes.io/revision"] = revision
    return {
        "metadata": {"name": name, "annotations": notes},
        "spec": {"template": {"metadata": {"labels": {"app": "a", "pod-template-hash": "h"}}}},
    }


def test_previous_revision_is_the_second_highest_not_the_second_listed() -> None:
    sets = [_rs("r3", "3"), _rs("r10", "10"), _rs("r9", "9"), _rs("bad", "x"), _rs("none", None)]
    assert pick(sets, 0, "a")["metadata"]["name"] == "r9"
    assert pick(sets, 3, "a")["metadata"]["name"] == "r3"
    with pytest.raises(BadInput, match="unable to find specified revision 4"):
        pick(sets, 4, "a")
    with pytest.raises(ActionFailed, match="no rollout history"):
        pick([_rs("r1", "1")], 0, "a")


def test_rollback_patch_keeps_deployment_bookkeeping_and_copies_other_annotations() -> None:
    dep = {
        "metadata": {
            "resourceVersion": "42",
            "annotations": {"deployment.kubernetes.io/revision": "7", "team": "x"},
        }
    }
    rs = _rs(
        "r6",
        "6",
        **{"kubernetes.io/change-cause": "v6", "deployment.kubernetes.io/max-replicas": "4"},
    )
    ops = rollback_patch(dep, rs)
    assert ops[0]["value"]["metadata"]["labels"] == {"app": "a"}
    assert ops[1]["value"] == {
        "deployment.kubernetes.io/revision": "7",
        "kubernetes.io/change-cause": "v6",
    }
    assert ops[2] == {"op": "replace", "path": "/metadata/resourceVersion", "value": "42"}
    assert "pod-template-hash" in rs["spec"]["template"]["metadata"]["labels"]  # input untouched


def _pod(**kw: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {"metadata": {"name": "p"}, "spec": {}, "status": {"phase": "Running"}}
    if "owner" in kw:
        pod["metadata"]["ownerReferences"] = [
            {"kind": kw["owner"], "name": "o", "controller": True}
        ]
    if kw.get("mirror"):
        pod["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    if kw.get("emptydir"):
        pod["spec"]["volumes"] = [{"name": "v", "emptyDir": {}}]
    if "phase" in kw:
        pod["status"]["phase"] = kw["phase"]
    return pod


@pytest.mark.parametrize(
    ("pod", "flags", "exists", "verdict"),
    [
        (_pod(owner="ReplicaSet"), DrainFlags(), True, "evict"),
        (_pod(owner="DaemonSet"), DrainFlags(), True, "refuse"),
        (_pod(owner="DaemonSet"), DrainFlags(ignore_daemonsets=True), True, "skip"),
        (_pod(owner="DaemonSet"), DrainFlags(force=True), False, "delete"),
        (_pod(owner="DaemonSet", phase="Succeeded"), DrainFlags(), True, "evict"),
        (_pod(mirror=True), DrainFlags(), True, "skip"),
        (_pod(owner="ReplicaSet", emptydir=True), DrainFlags(), True, "refuse"),
        (
            _pod(owner="ReplicaSet", emptydir=True),
            DrainFlags(delete_emptydir_data=True),
            True,
            "evict",
        ),
        (_pod(), DrainFlags(), True, "refuse"),
        (_pod(), DrainFlags(force=True), True, "evict"),
        (_pod(phase="Failed"), DrainFlags(), True, "evict"),
        (_pod(owner="ReplicaSet"), DrainFlags(disable_eviction=True), True, "delete"),
    ],
)
def test_drain_filters_in_kubectls_order(
    pod: dict[str, Any], flags: DrainFlags, exists: bool, verdict: str
) -> None:
    assert classify(pod, flags, exists)[0] == verdict


@pytest.mark.parametrize(
    ("status", "done", "words"),
    [
        ({"observedGeneration": 1}, False, "spec update to be observed"),
        ({"observedGeneration": 2, "updatedReplicas": 1, "replicas": 3}, False, "1 out of 3 new"),
        ({"observedGeneration": 2, "updatedReplicas": 3, "replicas": 4}, False, "1 old replicas"),
        (
            {"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 2},
            False,
            "2 of 3 updated replicas are available",
        ),
        (
            {"observedGeneration": 2, "updatedReplicas": 3, "replicas": 3, "availableReplicas": 3},
            True,
            "successfully rolled out",
        ),
    ],
)
def test_rollout_status_rules(status: dict[str, Any], done: bool, words: str) -> None:
    dep = {"metadata": {"name": "d", "generation": 2}, "spec": {"replicas": 3}, "status": status}
    got, text = deployment_state(dep)
    assert got is done
    assert words in text
