"""SVG snapshots of the cluster screen at 80x24 and 160x48 (a seeded, frozen cluster).

The shop of tests/cluster/seed.py on the project's API server, every timestamp
rewritten to fixed values and the screen's clock injected, so ages and "last
hour" counts never move.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.cluster.seed import seed_shop
from tests.support.kube import Kube
from tests.ui.test_cluster_screen import cluster_app, rows_text, until
from triage.kubeserver.resources import by_kind
from triage.ui.screens.cluster import ClusterScreen

pytestmark = pytest.mark.slow

SIZES = [(80, 24), (160, 48)]
NOW = datetime(2026, 12, 5, 10, 20, 0, tzinfo=UTC)


def freeze(kube: Kube) -> None:
    """Pods created 2 h before NOW, crashes finished 3 min before."""
    for pod in kube.cluster.store.objects(by_kind("Pod").store_key):
        pod["metadata"]["creationTimestamp"] = "2026-12-05T08:20:00Z"
        for status in pod["status"].get("containerStatuses") or []:
            for state in ("state", "lastState"):
                term = (status.get(state) or {}).get("terminated")
                if term:
                    term["startedAt"] = "2026-12-05T10:16:00Z"
                    term["finishedAt"] = "2026-12-05T10:17:00Z"
        kube.cluster.update("Pod", pod)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cluster_screen(snap_compare: Any, kube: Kube, size: tuple[int, int]) -> None:
    seed_shop(kube.cluster)
    freeze(kube)
    app = cluster_app(kube.kubeconfig(), clock=lambda: NOW)

    async def settle(pilot: Any) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, ClusterScreen), "screen")
        await until(pilot, lambda: len(rows_text(pilot.app)) >= 9, "rows")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=settle)
