"""Safe actions from the keyboard, against the project's API server (Pilot, real HTTP).

The shop: ``checkout`` rolled from revision 1 (``:v6``, healthy) to revision 2
(``:v7``) whose pods crash-loop on a real Go nil-pointer panic. The screen
proposes the rollback; ``a`` opens the approval modal with the plan and the
server dry run's diff; the typed name approves; the pipeline rolls back and
verifies; the crash stops.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static

from tests.support import targets
from tests.support.kube import Kube
from tests.ui.test_cluster_screen import cluster_app, open_shop, status, until
from triage.actions.rollback import REVISION
from triage.kubeserver.resources import by_kind
from triage.kubeserver.scenarios import seed_shop
from triage.ui.screens.approval import ApprovalScreen
from triage.ui.screens.cluster import ACTION_KEYS, ClusterScreen
from triage.ui.screens.pod import PodScreen
from triage.ui.screens.revisions import RevisionsScreen
from triage.ui.widgets.cluster_list import ClusterList

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nil_panic() -> str:
    run = targets.crash("nil")
    assert run.returncode == 2
    return run.stderr


def _image(kube: Kube) -> str:
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def _audit() -> list[dict[str, Any]]:
    path = Path(os.environ["TRIAGE_STATE_DIR"]) / "audit.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def _text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_from_the_suggestion_to_the_verified_rollback(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_shop(pilot)
        await until(pilot, lambda: screen.suggestion is not None, "a suggestion")
        line = _text(app, "#cluster-suggestion")
        assert "roll back deployment/checkout to revision 1" in line
        assert "the crash began with revision 2" in line and "a: review" in line
        app.notify("a long-lived hint, as the demo shows one", timeout=120)
        cleared: list[bool] = []
        clear = app.clear_notifications
        app.clear_notifications = lambda: (cleared.append(True), clear())[1]  # type: ignore[method-assign]
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the approval modal")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and modal.typed  # rollback: the typed name
        assert cleared  # no toast (the demo's hint) covers the plan or the name field
        assert modal.plan.summary == "roll back deployment/checkout from revision 2 to 1"
        diff = "".join(d.text for d in modal.plan.diffs)
        assert "-" in diff and "registry.local/checkout:v6" in diff
        await pilot.press("y")  # one key is not enough for a rollback
        await pilot.pause()
        assert isinstance(app.screen, ApprovalScreen) and _image(kube).endswith(":v7")
        await pilot.press(*"checkou", "enter")  # a wrong name changes nothing
        await pilot.pause()
        assert "that is not checkout" in _text(app, "#problem")
        assert _image(kube).endswith(":v7")
        field = app.screen.query_one("#name", Input)
        field.value = ""
        await pilot.press(*"checkout", "enter")
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "the modal closed")
        await until(pilot, lambda: "successfully rolled out" in status(app), "verified", 1500)
        assert _image(kube) == "registry.local/checkout:v6"
        # the crash stops: the new pods run, nothing of checkout is crashing any more
        await until(
            pilot,
            lambda: (
                not any(
                    "checkout" in r.text and "crashing" in r.text
                    for r in app.screen.query_one(ClusterList).rows
                )
            ),
            "checkout healthy",
            1500,
        )
        (record,) = _audit()
        assert record["action"] == "rollback" and record["result"] == "done"
        assert "the crash began with revision 2" in record["reason"]


async def test_denied_action_is_shown_dimmed_and_cannot_start(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(user="viewer", namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await pilot.press("R")  # the cursor is on checkout, the worst workload
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the modal")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and modal.has_class("denied")
        text = _text(app, "#denied")
        assert "not allowed: needs `patch deployments (apps)` in namespace shop" in text
        assert not modal.query("#name")  # no way to approve it
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalScreen)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "back")
        assert "not allowed" in status(app)
        assert _image(kube).endswith(":v7")
        assert _audit() == []


async def test_read_only_binds_no_destructive_key(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"), read_only=True)
    async with app.run_test(size=(140, 44)) as pilot:
        screen = await open_shop(pilot)
        await until(pilot, lambda: screen.suggestion is not None, "a suggestion")
        bound = {b.binding.id for b in app.screen.active_bindings.values()}
        assert not bound & set(ACTION_KEYS)
        assert "a: review" not in _text(app, "#cluster-suggestion")  # proposed, not offered
        await pilot.press("a", "R", "D")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ClusterScreen)
        assert _image(kube).endswith(":v7")


async def test_read_only_context_from_the_config_binds_nothing_destructive(
    kube: Kube, nil_panic: str, config_dir: Path
) -> None:
    (config_dir / "config.toml").write_text('[actions]\nreadonly_contexts = ["triage-test"]\n')
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        bound = {b.binding.id for b in app.screen.active_bindings.values()}
        assert not bound & set(ACTION_KEYS)
        assert "action.approvals" in bound


async def test_a_conflict_replans_in_the_modal(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the modal")
        first = app.screen
        # someone else changes the Deployment while the user reads the plan
        dep = kube.cluster.get("Deployment", "checkout", "shop")
        assert dep is not None
        dep["metadata"]["annotations"]["team/oncall"] = "alice"
        kube.cluster.update("Deployment", dep)
        await pilot.press(*"checkout", "enter")
        await until(
            pilot,
            lambda: isinstance(app.screen, ApprovalScreen) and app.screen is not first,
            "the new plan",
        )
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and modal.again
        assert isinstance(first, ApprovalScreen)  # planned again from what was read anew
        assert modal.plan.target.resource_version != first.plan.target.resource_version
        assert _image(kube).endswith(":v7")  # nothing was overwritten
        await pilot.press(*"checkout", "enter")
        await until(pilot, lambda: "successfully rolled out" in status(app), "verified", 1500)
        assert _image(kube) == "registry.local/checkout:v6"


async def _cursor_to(pilot: Any, app: Any, text: str) -> None:
    rows = app.screen.query_one(ClusterList)
    for _ in range(len(rows.rows)):
        current = rows.current
        if current is not None and text in current.text:
            return
        await pilot.press("down")
    raise AssertionError(f"no row with {text}")


async def test_cordon_a_pods_node_with_one_key(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await _cursor_to(pilot, app, "checkout-")  # a pod row: its node is node-1
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the modal")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and not modal.typed  # low risk: one key
        assert modal.plan.target.label == "node/node-1"
        await pilot.press("y")
        await until(pilot, lambda: "cordon" in status(app) and "node-1" in status(app), "done")
        node = kube.cluster.get("Node", "node-1")
        assert node is not None and node["spec"]["unschedulable"] is True


async def test_delete_from_the_pod_view_needs_the_pods_name(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await _cursor_to(pilot, app, "checkout-")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PodScreen), "the pod view")
        pod = app.screen
        assert isinstance(pod, PodScreen)
        name = pod.crash.name
        bound = {b.binding.id for b in pod.active_bindings.values()}
        assert {"action.delete", "action.drain"} <= bound
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the modal")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and modal.typed
        assert modal.plan.target.label == f"pod/{name}"
        await pilot.press(*name, "enter")
        await until(pilot, lambda: kube.cluster.get("Pod", name, "shop") is None, "deleted", 1500)


async def test_a_production_context_asks_the_name_even_for_a_cordon(
    kube: Kube, nil_panic: str, config_dir: Path
) -> None:
    (config_dir / "config.toml").write_text('[actions]\nproduction_contexts = ["triage-test"]\n')
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await _cursor_to(pilot, app, "checkout-")
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the modal")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and modal.typed
        await pilot.press("y")
        await pilot.pause(0.2)
        node = kube.cluster.get("Node", "node-1")
        assert node is not None and not node["spec"].get("unschedulable")


def test_readonly_is_a_flag_of_triage_and_triage_cluster() -> None:
    from triage.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--readonly"]).readonly is True
    assert parser.parse_args(["cluster", "--readonly"]).readonly is True
    assert parser.parse_args(["cluster"]).readonly is False


def _anchored(kube: Kube) -> list[str]:
    from triage.actions.anchor import ANCHOR

    return [
        rs["metadata"]["annotations"][REVISION]
        for rs in kube.cluster.store.objects(by_kind("ReplicaSet").store_key)
        if rs["metadata"]["name"].startswith("checkout")
        and ANCHOR in (rs["metadata"].get("annotations") or {})
    ]


async def test_mark_the_anchor_from_the_revision_list(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await pilot.press("H")  # the cursor is on checkout
        await until(pilot, lambda: isinstance(app.screen, RevisionsScreen), "the revisions")
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count == 2, "two revisions")
        assert "crashing, current" in str(listing.get_option_at_index(0).prompt)
        await pilot.press("down", "m")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the modal")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and not modal.typed  # an annotation: one key
        assert "mark revision 1 of deployment/checkout" in modal.plan.summary
        await pilot.press("y")
        await until(pilot, lambda: _anchored(kube) == ["1"], "the anchor on revision 1")
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "back")
        await pilot.press("H")
        await until(pilot, lambda: isinstance(app.screen, RevisionsScreen), "the revisions")
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count == 2, "two revisions")
        assert "anchor" in str(listing.get_option_at_index(1).prompt)


async def test_the_revision_list_changes_nothing_read_only(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    app = cluster_app(kube.kubeconfig(namespace="shop"), read_only=True)
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await pilot.press("H")
        await until(pilot, lambda: isinstance(app.screen, RevisionsScreen), "the revisions")
        bound = {b.binding.id for b in app.screen.active_bindings.values()}
        assert not bound & {"revisions.rollback", "revisions.anchor"}
        await pilot.press("down", "m", "R")
        await pilot.pause(0.3)
        assert isinstance(app.screen, RevisionsScreen) and _anchored(kube) == []
