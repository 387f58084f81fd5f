"""Ports and probes from the pod spec: where pprof, metrics and health are."""

from __future__ import annotations

from tests.cluster.pods import pod
from triage.cluster.endpoints import PPROF_ANNOTATION, pod_endpoints


def _pod(containers: list[dict[str, object]], annotations: dict[str, str] | None = None) -> dict:
    return pod("p", containers=containers, annotations=annotations)


def test_transcript_checkout_container() -> None:
    """The transcript's checkout pod: port pprof 6060 and an httpGet liveness probe."""
    eps = pod_endpoints(
        _pod(
            [
                {
                    "name": "checkout",
                    "ports": [{"name": "pprof", "containerPort": 6060, "protocol": "TCP"}],
                    "livenessProbe": {
                        "httpGet": {"path": "/healthz", "port": 6060, "scheme": "HTTP"},
                        "timeoutSeconds": 1,
                        "periodSeconds": 5,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                    },
                }
            ]
        )
    )
    assert eps.pprof_port == 6060
    (probe,) = eps.http_probes
    assert (
        probe.kind,
        probe.path,
        probe.port,
        probe.period_seconds,
        probe.timeout_seconds,
        probe.failure_threshold,
    ) == ("liveness", "/healthz", 6060, 5, 1, 3)


def test_annotation_names_the_pprof_port_by_number_or_name() -> None:
    containers = [
        {
            "name": "app",
            "ports": [
                {"name": "http", "containerPort": 8080},
                {"name": "admin", "containerPort": 9090},
            ],
        }
    ]
    assert pod_endpoints(_pod(containers, {PPROF_ANNOTATION: "9090"})).pprof_port == 9090
    assert pod_endpoints(_pod(containers, {PPROF_ANNOTATION: "admin"})).pprof_port == 9090
    assert pod_endpoints(_pod(containers)).pprof_port == 8080  # http shares the mux


def test_named_probe_ports_resolve_and_defaults_apply() -> None:
    eps = pod_endpoints(
        _pod(
            [
                {
                    "name": "app",
                    "ports": [
                        {"name": "metrics", "containerPort": 9100},
                        {"name": "web", "containerPort": 80},
                    ],
                    "readinessProbe": {"httpGet": {"path": "/readyz", "port": "web"}},
                    "startupProbe": {"tcpSocket": {"port": 80}, "failureThreshold": 30},
                }
            ]
        )
    )
    ready, startup = eps.probes
    assert (ready.kind, ready.port, ready.period_seconds, ready.failure_threshold) == (
        "readiness",
        80,
        10,
        3,
    )
    assert startup.path is None and startup.failure_threshold == 30
    assert eps.http_probes == (ready,)
    assert eps.metrics_port == 9100


def test_no_ports_falls_back_to_the_probe_port() -> None:
    eps = pod_endpoints(
        _pod([{"name": "app", "livenessProbe": {"httpGet": {"path": "/healthz", "port": 6060}}}])
    )
    assert eps.pprof_port == 6060


def test_container_choice() -> None:
    containers = [
        {"name": "proxy", "ports": [{"name": "http", "containerPort": 15000}]},
        {"name": "app", "ports": [{"name": "pprof", "containerPort": 6060}]},
    ]
    assert pod_endpoints(_pod(containers), "proxy").pprof_port == 15000
    assert pod_endpoints(_pod(containers)).pprof_port == 6060


def test_health_paths_on_the_forwarded_port() -> None:
    http_get = {"path": "/healthz", "port": "pprof"}
    eps = pod_endpoints(
        _pod(
            [
                {
                    "name": "app",
                    "ports": [
                        {"name": "pprof", "containerPort": 6060},
                        {"name": "web", "containerPort": 80},
                    ],
                    "livenessProbe": {"httpGet": http_get},
                    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 6060}},
                    "startupProbe": {"httpGet": http_get},
                },
                {"name": "side", "readinessProbe": {"httpGet": {"path": "/ready", "port": 80}}},
            ]
        )
    )
    assert eps.health_paths() == ("/healthz", "/readyz")
    assert eps.health_paths(80) == ("/ready",)  # containers share the pod's ports
