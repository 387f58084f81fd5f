"""Health answers judged as the kubelet judges them, with HTML pages flagged as suspicious."""

from __future__ import annotations

import pytest

from tests.probes.fakes import FakeClock
from tests.support.httpd import Route, reply, serve
from triage.probes.client import ProbeClient
from triage.probes.health import HealthTracker
from triage.ui.render_health import endpoint_lines, sparkline

LOGIN = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>SSO</body></html>"


@pytest.mark.parametrize(
    ("route", "ok", "suspicious"),
    [
        (reply(200, b"ok\n"), True, False),
        (reply(204, b""), True, False),
        (reply(302, b""), True, False),  # no Location: nothing to follow, still a pass
        (reply(399, b"odd but fine\n"), True, False),
        (reply(400, b"bad\n"), False, False),
        (reply(200, LOGIN, "text/html; charset=utf-8"), True, True),
        (reply(200, b"<html><body>proxy</body></html>", "text/plain"), True, True),
        (reply(200, b"ok\n", "text/html"), True, True),
        (reply(500, LOGIN, "text/html"), False, False),
    ],
    ids=["200", "204", "302", "399", "400", "login", "html-body", "html-type", "500-html"],
)
def test_kubelet_verdict_and_html_doubt(route: Route, ok: bool, suspicious: bool) -> None:
    with serve({"/healthz": route}) as url, ProbeClient(url, clock=FakeClock()) as client:
        sample = client.health("/healthz")
    assert sample.ok is ok
    assert bool(sample.suspicious) is suspicious
    if suspicious:
        assert "HTML page" in sample.detail


def test_html_healthz_is_shown_as_suspect_with_a_word_and_a_mark() -> None:
    clock = FakeClock()
    tracker = HealthTracker("/healthz", clock=clock)
    page = reply(200, LOGIN, "text/html")
    with serve({"/healthz": page}) as url, ProbeClient(url, clock=clock) as client:
        for _ in range(3):
            tracker.record(client.health("/healthz"))
            clock.advance(1)
    status = tracker.status()
    head, _spark, _ = endpoint_lines(status)
    assert head.plain.startswith("? SUSPECT /healthz")
    assert "HTML page" in head.plain
    assert "OK" not in head.plain.split()[:2]
    assert sparkline(status.history).plain == "???"
    assert not status.failing and status.one_minute.failures == 0  # the kubelet passes it


def test_plain_ok_stays_ok() -> None:
    clock = FakeClock()
    tracker = HealthTracker("/healthz", clock=clock)
    with serve({"/healthz": reply(200, b"ok\n")}) as url, ProbeClient(url, clock=clock) as c:
        tracker.record(c.health("/healthz"))
    head, spark, _ = endpoint_lines(tracker.status())
    assert head.plain.startswith("✓ OK /healthz  ok")
    assert "?" not in spark.plain


def test_redirect_to_a_login_page_is_suspect() -> None:
    """The usual misroute: /healthz redirects to an SSO login, which answers 200 HTML."""
    from http.server import BaseHTTPRequestHandler

    def to_login(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", "/login?next=/healthz")
        h.send_header("Content-Length", "0")
        h.end_headers()

    routes = {"/healthz": to_login, "/login": reply(200, LOGIN, "text/html")}
    with serve(routes) as url, ProbeClient(url, clock=FakeClock()) as client:
        sample = client.health("/healthz")
    assert sample.ok and sample.status == 200  # the kubelet follows it and passes
    assert sample.suspicious and "HTML page" in sample.detail
