"""Port-forward through our API server with the official client, to a real Go pprof server."""

from __future__ import annotations

import socket

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.stream import portforward

from tests.kube.conftest import ClientFor
from tests.support import targets
from tests.support.kube import Kube
from triage.kubeserver import Container


def _http_get(sock: socket.socket, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n".encode())
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def _pprof_pod(kube: Kube, address: tuple[str, int]) -> None:
    kube.cluster.add_pod(
        "default", "leaky-0", [Container("leaky", ports=[{"name": "pprof", "containerPort": 6060}])]
    )
    kube.cluster.back_port("default", "leaky-0", 6060, address)


def test_portforward_reaches_real_pprof(kube: Kube, api_for: ClientFor) -> None:
    with targets.leaky() as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        _pprof_pod(kube, (host, int(port)))
        core = client.CoreV1Api(api_for())
        pf = portforward(
            core.connect_get_namespaced_pod_portforward, "leaky-0", "default", ports="6060"
        )
        answer = _http_get(pf.socket(6060), "/debug/pprof/goroutine?debug=2")
        assert answer.startswith(b"HTTP/1.1 200 OK")
        body = answer.split(b"\r\n\r\n", 1)[1]
        assert b"goroutine " in body and b"net/http.(*Server).Serve" in body
        assert pf.error(6060) is None


def test_image_backed_port_reaches_controller_made_pods(kube: Kube, api_for: ClientFor) -> None:
    with targets.leaky() as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        kube.cluster.back_image_port("registry.local/leaky:v1", 6060, (host, int(port)))
        apps = client.AppsV1Api(api_for())
        apps.create_namespaced_deployment(
            "default",
            {
                "metadata": {"name": "leaky"},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": "leaky"}},
                    "template": {
                        "metadata": {"labels": {"app": "leaky"}},
                        "spec": {
                            "containers": [{"name": "leaky", "image": "registry.local/leaky:v1"}]
                        },
                    },
                },
            },
        )
        core = client.CoreV1Api(api_for())
        (pod,) = core.list_namespaced_pod("default", label_selector="app=leaky").items
        pf = portforward(
            core.connect_get_namespaced_pod_portforward, pod.metadata.name, "default", ports="6060"
        )
        assert _http_get(pf.socket(6060), "/debug/pprof/").startswith(b"HTTP/1.1 200 OK")


def test_unbacked_port_reports_on_error_channel(kube: Kube, api_for: ClientFor) -> None:
    kube.cluster.add_pod("default", "lonely", [Container("app")])
    pf = portforward(
        client.CoreV1Api(api_for()).connect_get_namespaced_pod_portforward,
        "lonely",
        "default",
        ports="8080",
    )
    assert pf.socket(8080).recv(10) == b""
    assert "error forwarding port 8080 to pod lonely" in (pf.error(8080) or "")


def test_viewer_may_not_portforward(kube: Kube, api_for: ClientFor) -> None:
    kube.cluster.add_pod("default", "lonely", [Container("app")])
    core = client.CoreV1Api(api_for("viewer"))
    with pytest.raises(ApiException) as err:
        portforward(core.connect_get_namespaced_pod_portforward, "lonely", "default", ports="8080")
    assert "403" in str(err.value.reason)


def test_accept_key_matches_rfc_and_recorded_server() -> None:
    from triage.kubeserver.portforward import accept_key

    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    # From the recorded real exchange (portforward.python-websocket).
    assert accept_key("42B1FgTyXIZhNVkMV0GjnA==") == "x7dGM+AVBxggkcuEkRNqk+dTLSk="
