"""The workspace opened on a pod or workload, headless: the crash from the previous
log, and live goroutines and probes through the project's API server's port-forward
to the real ``leaky`` Go target."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.cluster.seed import panic_log
from tests.support.kube import Kube
from tests.support.targets import Service, leaky
from tests.ui.conftest import first_screen
from tests.ui.test_attach import wait_for
from triage.config import load_config
from triage.kubeserver import Container, Revision, Termination
from triage.targets import KubeTarget
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.goroutines import GoroutinePane

pytestmark = pytest.mark.slow

PROBES = {
    "livenessProbe": {
        "httpGet": {"path": "/healthz", "port": "pprof"},
        "periodSeconds": 1,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    }
}


@pytest.fixture
def service() -> Iterator[Service]:
    with leaky("-spawn", "30") as svc:
        yield svc


def _backend(service: Service) -> tuple[str, int]:
    host, port = service.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def pod_app(target: KubeTarget, config_dir: Path) -> TriageApp:
    (config_dir / "config.toml").write_text("[refresh]\ngoroutines = 0.5\nmetrics = 0.5\n")
    config, warnings = load_config()
    assert not warnings
    return TriageApp(Launch(targets=[target]), config, load_keymap(), warnings)


def _app_container(**kw: object) -> Container:
    ports = [{"name": "pprof", "containerPort": 6060}]
    return Container("app", ports=ports, probes=PROBES, **kw)  # type: ignore[arg-type]


async def test_pod_shows_live_goroutines_and_its_probes(
    kube: Kube, service: Service, config_dir: Path
) -> None:
    kube.cluster.add_pod("default", "leaky-0", [_app_container()])
    kube.cluster.back_port("default", "leaky-0", 6060, _backend(service))
    target = KubeTarget("pod", "leaky-0", kubeconfig=str(kube.kubeconfig()))
    app = pod_app(target, config_dir)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        # no crash in its logs: the live goroutines are what the pane shows
        await wait_for(pilot, lambda: pane.item is not None, timeout=60)
        assert pane.item is not None and pane.item.dump.goroutine_count >= 30
        live = screen.live
        assert live is not None and live.label == "pod/leaky-0"
        await wait_for(pilot, lambda: all(s.last is not None for s in live.statuses()), timeout=60)
        assert [(s.path, s.last.ok) for s in live.statuses() if s.last] == [
            ("/healthz (liveness)", True)
        ]
        title = str(screen.query_one("#title", Static).render())
        assert "attached to pod/leaky-0" in title
        body = str(screen.query_one("#health-body", Static).render())
        assert "✓ OK /healthz (liveness)" in body and "goroutines" in body


async def test_workload_shows_the_crash_first_and_a_sibling_live(
    kube: Kube, service: Service, config_dir: Path
) -> None:
    crashing = _app_container(
        image="registry.local/app:v2",
        restarts=5,
        waiting="CrashLoopBackOff",
        last=Termination(exit_code=2, reason="Error"),
        previous_log=panic_log(),
    )
    seeded = kube.cluster.add_deployment(
        "default", "api", [Revision([_app_container()], 1), Revision([crashing], 2)]
    )
    healthy = seeded.pods[1][0]["metadata"]["name"]
    kube.cluster.back_port("default", healthy, 6060, _backend(service))
    target = KubeTarget("deployment", "api", kubeconfig=str(kube.kubeconfig()))
    app = pod_app(target, config_dir)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        await wait_for(
            pilot, lambda: pane.item is not None and pane.item.crash is not None, timeout=60
        )
        assert pane.item is not None and pane.item.crash is not None
        assert pane.item.crash.message.endswith("nil pointer dereference")
        title = str(screen.query_one("#title", Static).render())
        assert title.startswith("triage · deployment/api")
        # live data comes from the healthy sibling, and the crash stays in front
        await wait_for(
            pilot, lambda: screen.live is not None and screen.live.latest is not None, timeout=60
        )
        assert screen.live is not None and screen.live.label == f"pod/{healthy}"
        assert pane.item.crash is not None
        await pilot.press("d")  # the live snapshot, next to the crash
        await wait_for(pilot, lambda: pane.item is not None and pane.item.crash is None, timeout=60)
        assert pane.item is not None and pane.item.dump.goroutine_count >= 30


async def test_pod_without_a_debug_port_says_why_in_the_pane(kube: Kube, config_dir: Path) -> None:
    kube.cluster.add_pod("default", "plain", [Container("app", log="level=info msg=up\n")])
    app = pod_app(KubeTarget("pod", "plain", kubeconfig=str(kube.kubeconfig())), config_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        await wait_for(pilot, lambda: screen.live is not None, timeout=60)
        message = str(screen.query_one("#goroutines-empty", Static).render())
        assert "pod/plain declares no pprof, http or debug port" in " ".join(message.split())


async def test_viewer_sees_the_crash_and_which_permission_would_show_more(
    kube: Kube, config_dir: Path
) -> None:
    log = panic_log()
    crashing = _app_container(
        restarts=3,
        waiting="CrashLoopBackOff",
        last=Termination(exit_code=2, reason="Error", message=log[-4096:]),
        previous_log=log,
    )
    kube.cluster.add_pod("default", "api-0", [crashing])
    target = KubeTarget("pod", "api-0", kubeconfig=str(kube.kubeconfig(user="viewer")))
    app = pod_app(target, config_dir)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        await wait_for(
            pilot, lambda: pane.item is not None and pane.item.crash is not None, timeout=60
        )
        await wait_for(pilot, lambda: bool(app.screen.query("Toast")), timeout=60)
        toasts = " ".join(" ".join(str(t.render()).split()) for t in app.screen.query("Toast"))
        assert "no live data: pod/api-0: live pprof, health and metrics need" in toasts
        assert "on pods/portforward in namespace default" in toasts
        assert screen.live is None
