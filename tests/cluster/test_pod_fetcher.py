"""The pod Fetcher end to end: the project's API server, its port-forward websocket,
and the real ``leaky`` Go target behind the pod; the live session on top, unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support import targets
from tests.support.kube import Kube
from triage.cluster.endpoints import pod_endpoints
from triage.cluster.fetcher import health_checks, open_pod_fetcher
from triage.config import Config
from triage.errors import BadInput, Forbidden
from triage.kubeserver import Container, Revision, Termination
from triage.live.fetcher import Capability
from triage.live.session import HealthFetched, MetricsFetched, SnapshotFetched
from triage.ui.render_health import endpoint_lines
from triage.workspace import pod_session

pytestmark = pytest.mark.slow

PROBES = {
    "livenessProbe": {
        "httpGet": {"path": "/healthz", "port": "pprof", "scheme": "HTTP"},
        "periodSeconds": 5,
        "timeoutSeconds": 2,
        "failureThreshold": 3,
    },
    "readinessProbe": {
        "httpGet": {"path": "/readyz", "port": 6060, "scheme": "HTTP"},
        "periodSeconds": 1,
        "timeoutSeconds": 1,
        "failureThreshold": 1,
    },
}


@dataclass(frozen=True)
class Ref:
    """Shaped like triage.targets.KubeTarget."""

    resource: str
    name: str
    namespace: str | None = None
    context: str | None = None
    kubeconfig: str | None = None


@pytest.fixture
def backend() -> Iterator[tuple[str, int]]:
    with targets.leaky("-spawn", "20", env={"LEAKY_NOT_READY": "1"}) as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)


def _leaky(name: str = "leaky-0", **kw: object) -> Container:
    return Container(name, ports=[{"name": "pprof", "containerPort": 6060}], probes=PROBES, **kw)  # type: ignore[arg-type]


def test_probes_become_checks_judged_by_their_own_thresholds() -> None:
    pod = {"spec": {"containers": [_leaky().spec()]}, "metadata": {}}
    checks = health_checks(pod_endpoints(pod))
    assert [(c.key, c.port, c.timeout, c.failure_threshold, c.period) for c in checks] == [
        ("/healthz (liveness)", 6060, 2.0, 3, 5),
        ("/readyz (readiness)", 6060, 1.0, 1, 1),
    ]


def test_pod_fetcher_streams_goroutines_probes_and_metrics(
    kube: Kube, backend: tuple[str, int]
) -> None:
    kube.cluster.add_pod("default", "leaky-0", [_leaky("leaky")])
    kube.cluster.back_port("default", "leaky-0", 6060, backend)
    fetcher = open_pod_fetcher(Ref("pod", "leaky-0", kubeconfig=str(kube.kubeconfig())))
    try:
        assert fetcher.label == "pod/leaky-0" and fetcher.note == ""
        assert fetcher.capabilities == frozenset(Capability)
        session = pod_session(fetcher, Config())
        assert list(session.health) == ["/healthz (liveness)", "/readyz (readiness)"]
        assert session.config.refresh.health == 1.0  # the fastest probe's period
        results = {poll: session.fetch(poll) for poll in session.first_polls()}
        snapshot = results[Capability.GOROUTINES]
        assert isinstance(snapshot, SnapshotFetched), snapshot
        assert snapshot.analysis.dumps[-1].dump.goroutine_count >= 20
        health = results[Capability.HEALTH]
        assert isinstance(health, HealthFetched)
        assert [(s.path, s.status) for s in health.samples] == [
            ("/healthz (liveness)", 200),
            ("/readyz (readiness)", 503),
        ]
        assert isinstance(results[Capability.METRICS], MetricsFetched)
        for result in results.values():
            session.apply(result)
        status = {s.path: s for s in session.statuses()}
        # readiness fails after one failure (its failureThreshold); liveness is fine
        assert status["/readyz (readiness)"].failing
        assert status["/readyz (readiness)"].last.detail == "HTTP 503: not ready: warming cache"  # type: ignore[union-attr]
        assert not status["/healthz (liveness)"].failing
        thresholds = [(s.path, s.failure_threshold) for s in session.statuses()]
        assert thresholds == [("/healthz (liveness)", 3), ("/readyz (readiness)", 1)]
        (head, *_) = endpoint_lines(status["/readyz (readiness)"])
        assert "✗ FAILING /readyz (readiness)" in head.plain
        assert head.plain.endswith("1/1 failed in a row")
        assert session.report().latest is not None
    finally:
        fetcher.close()


def test_workload_attaches_to_its_healthiest_running_replica(
    kube: Kube, backend: tuple[str, int]
) -> None:
    crashing = _leaky(
        "app",
        image="registry.local/app:v2",
        restarts=4,
        waiting="CrashLoopBackOff",
        last=Termination(exit_code=2, reason="Error"),
    )
    seeded = kube.cluster.add_deployment(
        "default", "api", [Revision([_leaky("app")], 1), Revision([crashing], 2)]
    )
    healthy = seeded.pods[1][0]["metadata"]["name"]
    dying = {p["metadata"]["name"] for p in seeded.pods[2]}
    kube.cluster.back_port("default", healthy, 6060, backend)
    fetcher = open_pod_fetcher(Ref("deployment", "api", kubeconfig=str(kube.kubeconfig())))
    try:
        assert fetcher.label == f"pod/{healthy}"
        head = f"deployment/api: live data from pod/{healthy}, its healthiest running replica"
        assert fetcher.note.startswith(head + " (the crash is from pod/")
        assert fetcher.note.removeprefix(head + " (the crash is from pod/")[:-1] in dying
        assert b"goroutine " in fetcher.goroutines()
    finally:
        fetcher.close()


def test_viewer_without_port_forward_is_told_which_permission(kube: Kube) -> None:
    kube.cluster.add_pod("default", "leaky-0", [_leaky("leaky")])
    with pytest.raises(Forbidden) as err:
        open_pod_fetcher(Ref("pod", "leaky-0", kubeconfig=str(kube.kubeconfig(user="viewer"))))
    assert err.value.line().startswith(
        "pod/leaky-0: live pprof, health and metrics need `get` and `create` on "
        "pods/portforward in namespace default; "
    )


def test_pod_without_a_debug_port_says_why_it_has_no_goroutines(kube: Kube) -> None:
    kube.cluster.add_pod("default", "plain", [Container("app")])
    fetcher = open_pod_fetcher(Ref("pod", "plain", kubeconfig=str(kube.kubeconfig())))
    try:
        assert fetcher.capabilities == frozenset()
        assert fetcher.missing == (
            "pod/plain declares no pprof, http or debug port: no goroutines or profiles "
            "(annotate the pod triage.dev/pprof-port=PORT)"
        )
        with pytest.raises(BadInput, match="declares no pprof"):
            fetcher.goroutines()
    finally:
        fetcher.close()


def test_unbacked_port_names_the_pod_not_the_loopback_forward(kube: Kube) -> None:
    kube.cluster.add_pod("default", "leaky-0", [_leaky("leaky")])  # nothing behind 6060
    fetcher = open_pod_fetcher(Ref("pod", "leaky-0", kubeconfig=str(kube.kubeconfig())))
    try:
        with pytest.raises(Exception) as err:
            fetcher.goroutines()
        line = str(getattr(err.value, "line", lambda: err.value)())
        assert line.startswith("pod/leaky-0:6060: "), line
        assert "127.0.0.1" not in line
    finally:
        fetcher.close()


def test_direct_mode_reaches_the_pod_ip_without_port_forward(
    kube: Kube, backend: tuple[str, int]
) -> None:
    host, port = backend
    container = Container("app", ports=[{"name": "pprof", "containerPort": port}])
    pod = kube.cluster.add_pod("default", "direct-0", [container])
    pod["status"]["podIP"] = host  # a pod network the bastion can reach: loopback here
    kube.cluster.update("Pod", pod)
    ref = Ref("pod", "direct-0", kubeconfig=str(kube.kubeconfig(user="viewer")))
    fetcher = open_pod_fetcher(ref, direct=True)  # the viewer may not port-forward: no need
    try:
        assert b"goroutine " in fetcher.goroutines()
    finally:
        fetcher.close()
