"""ProbeClient against the real Go service, and against a loopback server that misbehaves."""

from __future__ import annotations

import pytest

from tests.probes.fakes import FakeClock
from tests.support.httpd import Route, hang, refused_url, reply, serve
from tests.support.targets import Service, leaky
from triage.errors import EXIT_UNREACHABLE, BadInput, Forbidden, TriageError, Unreachable
from triage.pprof.decode import decode
from triage.probes.client import ProbeClient, is_loopback, normalize_base_url


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("127.0.0.1:6060", "http://127.0.0.1:6060"),
        ("  localhost:6060 ", "http://localhost:6060"),
        ("http://127.0.0.1:6060/", "http://127.0.0.1:6060"),
        ("https://api.internal:8443/debug/pprof/", "https://api.internal:8443"),
        ("http://gw:80/svc/checkout/debug/pprof", "http://gw:80/svc/checkout"),
        ("[::1]:6060", "http://[::1]:6060"),
    ],
)
def test_base_url_is_normalised(spec: str, expected: str) -> None:
    assert normalize_base_url(spec) == expected


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("", "no address"),
        ("ftp://host:21", "not an http(s) address"),
        ("http://", "no valid host:port"),
        ("127.0.0.1:port", "no valid host:port"),
        ("127.0.0.1:", "no valid host:port"),
    ],
)
def test_bad_base_url_is_bad_input(spec: str, words: str) -> None:
    with pytest.raises(BadInput) as err:
        normalize_base_url(spec)
    assert words in err.value.line()
    assert "\n" not in err.value.line()


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:1", True),
        ("http://127.9.9.9:1", True),
        ("http://localhost:1", True),
        ("http://[::1]:1", True),
        ("http://10.0.0.7:1", False),
        ("http://api.internal:1", False),
    ],
)
def test_loopback_detection(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


def test_health_samples_of_a_healthy_service(service: Service, clock: FakeClock) -> None:
    with ProbeClient(service.url.removeprefix("http://"), clock=clock) as client:
        samples = client.health_all()
        clock.advance(5)
        again = client.health("livez")
    assert [s.path for s in samples] == ["/healthz", "/readyz", "/livez"]
    for sample in samples:
        assert sample.ok and sample.status == 200 and sample.detail == "ok"
        assert sample.at == 1000.0
    assert again.path == "/livez" and again.ok and again.at == 1005.0


def test_readyz_503_is_a_failed_sample_with_the_reason() -> None:
    with leaky(env={"LEAKY_NOT_READY": "1"}) as svc, ProbeClient(svc.url) as client:
        ready = client.health("/readyz")
        alive = client.health("/healthz")
    assert not ready.ok
    assert ready.status == 503
    assert ready.detail == "HTTP 503: not ready: warming cache"
    assert alive.ok


def test_goroutine_dump_levels(service: Service) -> None:
    service.get("/leak?n=7")
    with ProbeClient(service.url) as client:
        full = client.goroutines().decode()
        counted = client.goroutines(debug=1).decode()
        proto = client.goroutines(debug=0)
        with pytest.raises(BadInput, match="debug=3"):
            client.goroutines(debug=3)
    assert full.startswith("goroutine ") and "main.leak.func1" in full
    assert counted.startswith("goroutine profile: total ")
    assert decode(proto).sample_types[0].type == "goroutine"


@pytest.mark.parametrize(
    ("kind", "sample_type"),
    [
        ("heap", "alloc_objects"),
        ("allocs", "alloc_objects"),
        ("mutex", "contentions"),
        ("block", "contentions"),
        ("goroutine", "goroutine"),
    ],
)
def test_profiles_are_real_pprof(service: Service, kind: str, sample_type: str) -> None:
    with ProbeClient(service.url) as client:
        data = client.profile(kind)
    assert data[:2] == b"\x1f\x8b"
    assert sample_type in [t.type for t in decode(data).sample_types]


def test_cpu_profile_extends_the_timeout_by_its_duration(service: Service) -> None:
    # The request takes a second by design; a 0.5 s timeout alone would cut it off.
    with ProbeClient(service.url, timeout=0.5) as client:
        data = client.profile("profile", seconds=1)
    profile = decode(data)
    assert profile.sample_types[-1].type == "cpu"
    assert profile.duration_nanos >= 1_000_000_000


@pytest.mark.parametrize(("kind", "seconds"), [("threads", None), ("cpu", None), ("heap", 0)])
def test_bad_profile_requests_are_bad_input(kind: str, seconds: int | None) -> None:
    with ProbeClient("127.0.0.1:1") as client, pytest.raises(BadInput):
        client.profile(kind, seconds)


def test_metrics_body(service: Service) -> None:
    with ProbeClient(service.url) as client:
        body = client.metrics().decode()
    assert "# TYPE go_goroutines gauge" in body


HTML = b"<!DOCTYPE html><html><body>Sign in to continue</body></html>"


@pytest.mark.parametrize(
    ("route", "error", "words"),
    [
        (reply(200, HTML, "text/html"), BadInput, "HTML page"),
        (reply(200, b""), BadInput, "empty answer"),
        (reply(404, b"404 page not found\n"), BadInput, "HTTP 404"),
        (reply(403, b"forbidden\n"), Forbidden, "HTTP 403"),
        (reply(502, b"bad gateway\n"), Unreachable, "HTTP 502"),
        (hang(3), Unreachable, "no answer within 0.3s"),
    ],
    ids=["html", "empty", "404", "403", "502", "timeout"],
)
def test_data_calls_raise_one_line_errors(
    route: Route, error: type[TriageError], words: str
) -> None:
    routes = {"/metrics": route, "/debug/pprof/goroutine": route, "/debug/pprof/heap": route}
    with serve(routes) as url, ProbeClient(url, timeout=0.3) as client:
        for call in (client.metrics, client.goroutines, lambda: client.profile("heap")):
            with pytest.raises(error) as err:
                call()
            assert words in err.value.line()
            assert "\n" not in err.value.line()


def test_refused_connection_is_unreachable() -> None:
    base = refused_url().split("/debug")[0]
    with ProbeClient(base) as client:
        for call in (client.metrics, client.goroutines, lambda: client.profile("heap")):
            with pytest.raises(Unreachable) as err:
                call()
            assert "cannot connect (connection refused)" in err.value.line()
            assert err.value.exit_code == EXIT_UNREACHABLE


def test_health_failures_are_samples_not_exceptions(clock: FakeClock) -> None:
    routes = {"/healthz": reply(500, b"db down\nmore\n"), "/readyz": hang(3)}
    with serve(routes) as url, ProbeClient(url, health_timeout=0.3, clock=clock) as client:
        broken = client.health("/healthz")
        slow = client.health("/readyz")
    with ProbeClient(refused_url().split("/debug")[0], clock=clock) as client:
        refused = client.health("/livez")
    assert (broken.ok, broken.status, broken.detail) == (False, 500, "HTTP 500: db down")
    assert (slow.ok, slow.status, slow.detail) == (False, None, "no answer within 0.3s")
    assert not refused.ok and refused.status is None
    assert refused.detail == "cannot connect (connection refused)"
