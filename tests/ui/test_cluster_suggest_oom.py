"""The OOMKilled workload's proposal: the memory patch, its parameters one key away."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.cluster.seed import seed_shop
from tests.support.kube import Kube
from tests.ui.test_cluster_actions import _cursor_to
from tests.ui.test_cluster_screen import cluster_app, open_shop, until
from triage.ui.screens.action_args import ArgsScreen
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
        assert value.startswith("--template memory-limit --set value=")
        assert "--set container=cache" in value
        await pilot.press("escape")  # cancelled: nothing is planned or sent
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "back")
