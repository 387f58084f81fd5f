"""A 409 while acting: re-read, re-plan, re-approve; never a blind overwrite.

Runs the pipeline in-process with the real client against the API server. The
approver is where a concurrent writer strikes: between the read the plan was
built from and the PATCH, someone else changes the Deployment, so the
server answers 409 to our preconditioned patch.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.actions.conftest import Seen, audit_records, writes
from tests.support.kube import Kube
from triage.actions.approval import ConfirmApprover
from triage.actions.model import Plan
from triage.actions.pipeline import Hooks, Options, run
from triage.actions.rollback import Rollback
from triage.cluster.client import connect
from triage.cluster.executor import ClientExecutor
from triage.cluster.kubeconfig import ConnectOptions
from triage.kubeserver.scenarios import Shop


@pytest.fixture
def executor(kube: Kube, shop: Shop) -> Iterator[ClientExecutor]:
    client = connect(ConnectOptions(str(kube.kubeconfig(namespace="shop"))))
    yield ClientExecutor(client)
    client.close()


class Interfering:
    """Approves every plan; on the first, another writer annotates the Deployment."""

    def __init__(self, kube: Kube) -> None:
        self.kube = kube
        self.asked: list[tuple[bool, str]] = []

    def approve(self, plan: Plan, *, again: bool) -> bool:
        self.asked.append((again, plan.requests[0].body[2]["value"]))
        if not again:
            dep = self.kube.cluster.get("Deployment", "checkout", "shop")
            assert dep is not None
            dep["metadata"]["annotations"]["team/oncall"] = "alice"
            self.kube.cluster.update("Deployment", dep)
        return True


def _hooks(lines: list[str]) -> Hooks:
    return Hooks(lambda plan: None, lines.append)


def test_conflict_replans_and_asks_again(
    kube: Kube, executor: ClientExecutor, wire: list[Seen]
) -> None:
    approver = Interfering(kube)
    lines: list[str] = []
    outcome = run(Rollback("shop", "checkout"), executor, approver, _hooks(lines), Options())
    assert outcome.result == "done", outcome.message
    # asked twice, the second time about a plan built on the newer resourceVersion
    assert [again for again, _ in approver.asked] == [False, True]
    assert approver.asked[0][1] != approver.asked[1][1]
    real = [s for s in writes(wire) if s.method == "PATCH" and "dryRun" not in s.query]
    assert [s.status for s in real] == [409, 200]
    assert any("conflict" in line for line in lines)
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v6")


def test_confirmed_run_stops_at_a_conflict_and_overwrites_nothing(
    kube: Kube, executor: ClientExecutor, wire: list[Seen]
) -> None:
    class Once(ConfirmApprover):
        def approve(self, plan: Plan, *, again: bool) -> bool:
            ok = super().approve(plan, again=again)
            if ok:
                Interfering(kube).approve(plan, again=False)
            return ok

    outcome = run(Rollback("shop", "checkout"), executor, Once("checkout"), _hooks([]), Options())
    assert outcome.result == "conflict"
    assert "nothing was overwritten" in outcome.message
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    assert dep["metadata"]["annotations"]["team/oncall"] == "alice"
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v7")
    real = [s for s in writes(wire) if s.method == "PATCH" and "dryRun" not in s.query]
    assert [s.status for s in real] == [409]
    assert audit_records()[-1]["result"] == "conflict"
