"""The two-person rule in the app: another identity's request approved with keys, one's own
refused (Pilot against the API server; the request is recorded by the CLI, as a teammate would)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from tests.support import targets
from tests.support.kube import Kube
from tests.ui.test_cluster_screen import cluster_app, open_shop, until
from triage.actions.requests import ANNOTATION
from triage.kubeserver.scenarios import seed_shop
from triage.ui.screens.approval import ApprovalScreen
from triage.ui.screens.approvals import ApprovalsScreen

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nil_panic() -> str:
    return targets.crash("nil").stderr


def _request(kube: Kube, user: str) -> str:
    """``triage restart deployment/catalog --two-person`` as ``user``; the request id."""
    config = kube.kubeconfig(user=user, namespace="shop")
    run = subprocess.run(
        [
            *(sys.executable, "-m", "triage", "restart", "deployment/catalog", "--two-person"),
            *("--reason", "stale cache", "--kubeconfig", str(config)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2])),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split("request ", 1)[1].split()[0]


def _annotation(kube: Kube) -> str | None:
    dep = kube.cluster.get("Deployment", "catalog", "shop")
    assert dep is not None
    return (dep["metadata"].get("annotations") or {}).get(ANNOTATION)


def _restarted(kube: Kube) -> bool:
    dep = kube.cluster.get("Deployment", "catalog", "shop")
    assert dep is not None
    notes = dep["spec"]["template"]["metadata"].get("annotations") or {}
    return "kubectl.kubernetes.io/restartedAt" in notes


def _line(app: object) -> str:
    return str(app.screen.query_one("#approvals-status", Static).render())  # type: ignore[attr-defined]


async def test_another_identity_approves_with_keys(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    rid = _request(kube, "admin2")
    app = cluster_app(kube.kubeconfig(namespace="shop"))  # admin
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await pilot.press("V")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen), "the list")
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count == 1, "the request")
        text = str(listing.get_option_at_index(0).prompt)
        assert rid in text and "restart deployment/catalog" in text and "admin2" in text
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, ApprovalScreen), "the plan")
        await pilot.press("y")  # a restart is low risk: one key
        await until(pilot, lambda: _annotation(kube) is None, "the request removed", 1500)
        assert _restarted(kube)


async def test_the_requester_cannot_approve_their_own(kube: Kube, nil_panic: str) -> None:
    seed_shop(kube.cluster, nil_panic)
    _request(kube, "admin2")
    app = cluster_app(kube.kubeconfig(user="admin2", namespace="shop"))
    async with app.run_test(size=(140, 44)) as pilot:
        await open_shop(pilot)
        await pilot.press("V")
        await until(pilot, lambda: isinstance(app.screen, ApprovalsScreen), "the list")
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count == 1, "the request")
        assert "yours" in str(listing.get_option_at_index(0).prompt)
        for key in ("y", "x"):
            await pilot.press(key)
            await pilot.pause(0.2)
            assert "the same identity cannot" in _line(app)
            assert isinstance(app.screen, ApprovalsScreen)
        assert _annotation(kube) is not None and not _restarted(kube)
