"""The approval modal in the app: from a plan with its diff to a verified rollback.

A small host app runs the real pipeline in a thread worker against the API
server; the modal is driven with Pilot as a user would drive it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, Static

from tests.actions.conftest import Seen, audit_records, writes
from tests.support.kube import Kube
from triage.actions.base import Action
from triage.actions.model import Outcome
from triage.actions.nodes import Cordon
from triage.actions.pipeline import Hooks, Options, run
from triage.actions.rollback import Rollback
from triage.cluster.client import KubeClient, connect
from triage.cluster.executor import ClientExecutor
from triage.cluster.kubeconfig import ConnectOptions
from triage.kubeserver.scenarios import Shop
from triage.ui.approver import ScreenApprover
from triage.ui.screens.approval import ApprovalScreen


class Host(App[None]):
    """Runs one action through the pipeline, approving with the modal."""

    def __init__(self, client: KubeClient, action: Action) -> None:
        super().__init__()
        self.client = client
        self.action = action
        self.outcome: Outcome | None = None
        self.lines: list[str] = []
        self.options = Options(timeout=20, reason="from the host app")

    def on_mount(self) -> None:
        self.run_worker(self._act, thread=True, exit_on_error=False, group="action")

    def _act(self) -> None:
        hooks = Hooks(lambda plan: None, self.lines.append)
        ex = ClientExecutor(self.client)
        approver = ScreenApprover(self, options=self.options)
        self.outcome = run(self.action, ex, approver, hooks, self.options)


@pytest.fixture
def client(kube: Kube, shop: Shop) -> Iterator[KubeClient]:
    made = connect(ConnectOptions(str(kube.kubeconfig(namespace="shop"))))
    yield made
    made.close()


async def _modal(pilot: object, app: Host) -> ApprovalScreen:
    for _ in range(200):
        if isinstance(app.screen, ApprovalScreen):
            return app.screen
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("the approval modal never came")


async def _finished(pilot: object, app: Host) -> Outcome:
    for _ in range(400):
        if app.outcome is not None:
            return app.outcome
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("the action never finished")


async def test_typed_name_approves_a_rollback_which_is_verified(
    kube: Kube, client: KubeClient, wire: list[Seen]
) -> None:
    app = Host(client, Rollback("shop", "checkout"))
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await _modal(pilot, app)
        assert "roll back deployment/checkout from revision 2 to 1" in str(
            modal.query_one("#summary", Static).render()
        )
        assert [
            d.text
            for d in modal.plan.diffs
            if "+        image: registry.local/checkout:v6" in d.text
        ]
        await pilot.press("y", "enter")  # one key is not enough for a rollback
        assert isinstance(app.screen, ApprovalScreen)
        assert "nothing was changed" in str(modal.query_one("#problem", Static).render())
        assert [s for s in writes(wire) if "dryRun" not in s.query] == []
        modal.query_one("#name", Input).value = ""
        await pilot.press(*"checkout", "enter")
        outcome = await _finished(pilot, app)
    assert outcome.result == "done", outcome.message
    assert "successfully rolled out" in outcome.message
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v6")
    assert audit_records()[-1]["action"] == "rollback"


async def test_a_reason_typed_in_the_modal_goes_into_the_audit_and_the_event(
    kube: Kube, client: KubeClient, wire: list[Seen], events: Callable[[], list[dict[str, Any]]]
) -> None:
    app = Host(client, Rollback("shop", "checkout"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _modal(pilot, app)
        await pilot.press(*"checkout", "tab", *"v7 panics on nil owner", "enter")
        outcome = await _finished(pilot, app)
    assert outcome.result == "done", outcome.message
    assert audit_records()[-1]["reason"] == "v7 panics on nil owner"
    assert any("v7 panics on nil owner" in str(e.get("message") or e.get("note")) for e in events())


async def test_escape_changes_nothing(kube: Kube, client: KubeClient, wire: list[Seen]) -> None:
    app = Host(client, Rollback("shop", "checkout"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _modal(pilot, app)
        await pilot.press("escape")
        outcome = await _finished(pilot, app)
    assert outcome.result == "refused"
    assert [s for s in writes(wire) if "dryRun" not in s.query] == []


async def test_a_low_risk_action_takes_one_key(kube: Kube, client: KubeClient) -> None:
    app = Host(client, Cordon("node-2"))
    async with app.run_test(size=(100, 30)) as pilot:
        await _modal(pilot, app)
        await pilot.press("y")
        outcome = await _finished(pilot, app)
    assert outcome.result == "done"
    node = kube.cluster.get("Node", "node-2")
    assert node is not None
    assert node["spec"]["unschedulable"] is True
