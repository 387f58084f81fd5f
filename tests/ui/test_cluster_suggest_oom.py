"""The OOMKilled workload's proposal: the memory patch, its parameters one key away."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.cluster.seed import seed_shop
from tests.support.kube import Kube
from tests.ui.test_cluster_actions import _cursor_to
from tests.ui.test_cluster_screen import cluster_app, open_shop, until
from triage.ui.screens.action_args import ArgsScreen
from triage.ui.screens.approval import ApprovalScreen
from triage.ui.screens.cluster import ClusterScreen

pytestmark = pytest.mark.slow


async def test_oomkilled_proposes_the_memory_patch(kube: Kube) -> None:
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await _cursor_to(pilot, app, "deployment/cache")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ArgsScreen), "the parameters")
        value = app.screen.query_one("#args", Input).value
        assert value == "--template memory-limit --set container=cache --set value="
        await pilot.press(*"768Mi", "enter")  # typed where the blank is
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the plan")
        modal = app.screen
        assert isinstance(modal, ApprovalScreen) and modal.typed  # a patch: the typed name
        assert "+            memory: 768Mi" in "".join(d.text for d in modal.plan.diffs)
        await pilot.press(*"cache", "enter")
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "back")
        await until(pilot, lambda: _limit(kube) == "768Mi", "the new limit", 1500)


def _limit(kube: Kube) -> object:
    dep = kube.cluster.get("Deployment", "cache", "shop")
    assert dep is not None
    container = dep["spec"]["template"]["spec"]["containers"][0]
    return ((container.get("resources") or {}).get("limits") or {}).get("memory")


async def test_escape_on_the_parameters_changes_nothing(kube: Kube) -> None:
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig(namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await _cursor_to(pilot, app, "deployment/cache")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ArgsScreen), "the parameters")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "back")
        await pilot.pause(0.3)
        assert _limit(kube) is None
        assert not isinstance(app.screen, ApprovalScreen)
