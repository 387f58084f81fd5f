"""Port-forward end to end: our loopback listener -> the API server's websocket ->
the real ``leaky`` Go target behind a pod, read by the project's ProbeClient."""

from __future__ import annotations

import httpx
import pytest

from tests.support import targets
from tests.support.kube import Kube
from triage.cluster.client import connect
from triage.cluster.forward import forward_pod
from triage.cluster.kubeconfig import ConnectOptions
from triage.errors import BadInput, Forbidden
from triage.kubeserver import Container
from triage.probes.client import ProbeClient

pytestmark = pytest.mark.slow

PROBE = {
    "livenessProbe": {
        "httpGet": {"path": "/healthz", "port": "pprof", "scheme": "HTTP"},
        "periodSeconds": 5,
        "timeoutSeconds": 1,
        "failureThreshold": 3,
    }
}


def _leaky_pod(kube: Kube, backend: tuple[str, int] | None) -> None:
    kube.cluster.add_pod(
        "default",
        "leaky-0",
        [Container("leaky", ports=[{"name": "pprof", "containerPort": 6060}], probes=PROBE)],
    )
    if backend is not None:
        kube.cluster.back_port("default", "leaky-0", 6060, backend)


def test_probe_client_reaches_real_pprof_and_health_through_the_api_server(kube: Kube) -> None:
    with targets.leaky() as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        _leaky_pod(kube, (host, int(port)))
        client = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig())))
        pod = client.get("pods", "default", "leaky-0")
        forward, endpoints = forward_pod(client, pod)
        try:
            assert endpoints.pprof_port == 6060
            (liveness,) = endpoints.http_probes
            assert (liveness.path, liveness.port, liveness.failure_threshold) == (
                "/healthz",
                6060,
                3,
            )
            probe = ProbeClient(forward.url)
            try:
                dump = probe.goroutines()
                assert b"goroutine " in dump and b"net/http.(*Server).Serve" in dump
                sample = probe.health(liveness.path or "/")
                assert sample.status == 200
            finally:
                probe.close()
            assert forward.connections >= 1 and forward.last_error is None
        finally:
            forward.close()
            client.close()


def test_unbacked_port_says_what_the_pod_side_answered(kube: Kube) -> None:
    _leaky_pod(kube, None)
    client = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig())))
    forward, _ = forward_pod(client, client.get("pods", "default", "leaky-0"))
    try:
        with pytest.raises(httpx.HTTPError):
            httpx.get(forward.url + "/healthz", timeout=5, trust_env=False)
        assert forward.last_error is not None
        assert "error forwarding port 6060 to pod leaky-0" in forward.last_error
    finally:
        forward.close()
        client.close()


def test_viewer_without_pods_portforward_gets_one_forbidden_line(kube: Kube) -> None:
    _leaky_pod(kube, None)
    client = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig(user="viewer"))))
    try:
        with pytest.raises(Forbidden) as err:
            client.open_port("default", "leaky-0", 6060)
        line = err.value.line()
        assert line.startswith("port-forwarding to leaky-0:6060 in namespace default: ")
        assert "\n" not in line
        assert 'cannot get resource "pods/portforward"' in line
    finally:
        client.close()


def test_pod_without_a_debug_port_is_bad_input(kube: Kube) -> None:
    kube.cluster.add_pod("default", "plain", [Container("app")])
    client = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig())))
    try:
        with pytest.raises(BadInput, match="declares no pprof, http or debug port"):
            forward_pod(client, client.get("pods", "default", "plain"))
    finally:
        client.close()
