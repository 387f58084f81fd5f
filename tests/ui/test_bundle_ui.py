"""Incident bundles in the app, headless: a bundle reopened offline with every pane
(the crash, the live dump, the profiles in the flame graph, probes and metrics and
the manifest in the health pane), and B capturing one from an attached pod."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.bundle.test_bundle_cli import seed_pod
from tests.cluster.seed import panic_log
from tests.support.kube import Kube, running_kube
from tests.support.targets import Service, leaky
from tests.ui.conftest import first_screen
from tests.ui.test_attach import wait_for
from triage.bundle.archive import write_bundle
from triage.bundle.collect import Options, collect
from triage.config import load_config
from triage.targets import BundleTarget, KubeTarget
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.flamepane import FlamePane
from triage.ui.widgets.goroutines import GoroutinePane

pytestmark = pytest.mark.slow


@pytest.fixture
def service() -> Iterator[Service]:
    with leaky("-spawn", "30") as svc:
        yield svc


def _backend(service: Service) -> tuple[str, int]:
    host, port = service.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _bundle(tmp_path: Path, service: Service | None) -> Path:
    """A bundle taken from a cluster that is gone by the time it is opened."""
    path = tmp_path / "incident.tar.gz"
    with running_kube(tmp_path / "kube") as kube:
        seed_pod(kube, panic_log())
        if service is not None:
            kube.cluster.back_port("default", "api-0", 6060, _backend(service))
        ref = KubeTarget("pod", "api-0", kubeconfig=str(kube.kubeconfig()))
        write_bundle(path, collect(ref, Options(cpu_seconds=1)))
    return path


def _text(screen: WorkspaceScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_a_bundle_opens_offline_with_every_pane(tmp_path: Path, service: Service) -> None:
    path = _bundle(tmp_path, service)
    config, warnings = load_config()
    app = TriageApp(Launch(targets=[BundleTarget(str(path))]), config, load_keymap(), warnings)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        await wait_for(pilot, lambda: len(screen.model.profiles) == 2, timeout=60)
        assert pane.item is not None and pane.item.crash is not None  # the crash in front
        assert pane.item.crash.message.endswith("nil pointer dereference")
        assert len(screen.model.every_dump()) == 2  # and the goroutine dump beside it
        await pilot.press("d")
        await wait_for(pilot, lambda: pane.item is not None and pane.item.crash is None)
        assert pane.item is not None and pane.item.dump.goroutine_count >= 30
        await pilot.press("2")
        flame = screen.query_one(FlamePane)
        await wait_for(pilot, lambda: flame.current is not None)
        names = [p.name for p in screen.model.profiles]
        assert names[0].startswith("pod/api-0 cpu profile")
        assert names[1].startswith("pod/api-0 heap profile")
        health = _text(screen, "#health-message")
        assert health.startswith("bundle of pod/api-0 in default on context triage-test")
        assert "live data (dump, profiles, metrics) from pod/api-0" in health
        assert "✓ ok      /healthz" in health
        assert "go_goroutines " in health


async def test_a_bundle_with_missing_parts_opens_with_what_it_has(tmp_path: Path) -> None:
    path = _bundle(tmp_path, None)  # nothing behind the pprof port
    config, warnings = load_config()
    app = TriageApp(Launch(targets=[BundleTarget(str(path))]), config, load_keymap(), warnings)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await first_screen(pilot)
        pane = screen.query_one(GoroutinePane)
        await wait_for(pilot, lambda: pane.item is not None)
        assert pane.item is not None and pane.item.crash is not None
        assert screen.model.profiles == []
        health = _text(screen, "#health-message")
        assert "not collected: goroutines: pod/api-0:6060: " in health
        assert "not collected: cpu: " in health and "not collected: heap: " in health


async def test_b_captures_a_bundle_of_the_attached_pod(
    kube: Kube, service: Service, config_dir: Path, tmp_path: Path
) -> None:
    seed_pod(kube, panic_log())
    kube.cluster.back_port("default", "api-0", 6060, _backend(service))
    save = tmp_path / "saved"
    (config_dir / "config.toml").write_text(f'[attach]\nsave_dir = "{save}"\n')
    config, warnings = load_config()
    assert not warnings
    target = KubeTarget("pod", "api-0", kubeconfig=str(kube.kubeconfig()))
    app = TriageApp(Launch(targets=[target]), config, load_keymap(), warnings)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        await pilot.press("B")
        status = _text(screen, "#status")  # progress, step by step
        assert status.startswith(("capturing a bundle of pod/api-0", "bundle: ")), status
        await wait_for(pilot, lambda: "bundle written to" in _text(screen, "#status"), 90)
        (written,) = save.glob("*.tar.gz")  # save_dir also keeps the live snapshots
        assert written.name.startswith("triage-bundle-api-0-")
        assert str(written) in _text(screen, "#status")
    with tarfile.open(written) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["target"] == "pod/api-0" and manifest["failed"] == []


async def test_b_in_the_pod_view_captures_that_pod(kube: Kube) -> None:
    from tests.cluster.seed import seed_shop
    from tests.ui.test_cluster_screen import cluster_app, open_shop, until
    from triage.locations import data_dir
    from triage.ui.screens.pod import PodScreen

    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_shop(pilot)
        await pilot.press("down", "enter")  # the worst pod of checkout
        await until(pilot, lambda: isinstance(app.screen, PodScreen), "pod view")
        screen = app.screen
        assert isinstance(screen, PodScreen)
        await pilot.press("B")
        folder = data_dir() / "bundles"
        await until(pilot, lambda: list(folder.glob("*.tar.gz")), "the bundle written", 1200)
    (written,) = folder.glob("*.tar.gz")
    assert written.name.startswith(f"triage-bundle-{screen.crash.name}-")
    with tarfile.open(written) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = tar.getnames()
    assert manifest["target"] == f"pod/{screen.crash.name}" and manifest["namespace"] == "shop"
    assert "logs/checkout.previous.log" in names and "findings.json" in names
    assert "goroutines" in {f["part"] for f in manifest["failed"]}  # nothing behind pprof
