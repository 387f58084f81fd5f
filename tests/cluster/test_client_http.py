"""The client against a misbehaving HTTP server: retries with backoff, timeouts, TLS.

A loopback server answers as an overloaded or broken API server would (503,
429 with Retry-After, no answer at all); the official client inside
``triage.cluster.client`` talks to it over real HTTP. Counting requests (not
timing them) shows the retries.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.cluster.pods import CHECKOUT_MESSAGE, container_status, rs_pod, terminated
from tests.support.httpd import hang, reply, serve
from tests.support.kube import Kube
from triage.cluster.client import connect
from triage.cluster.kubeconfig import ConnectOptions
from triage.errors import Unreachable

Route = Callable[[BaseHTTPRequestHandler], None]

EMPTY = json.dumps(
    {"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": "7"}, "items": []}
).encode()
STATUS_503 = json.dumps(
    {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "etcd leader changed",
        "reason": "ServiceUnavailable",
        "code": 503,
    }
).encode()


def _pods() -> bytes:
    pod = rs_pod(
        "checkout",
        "68c66446d8",
        "l5lls",
        statuses=[
            container_status(
                "checkout",
                waiting="CrashLoopBackOff",
                restarts=7,
                last=terminated(2, message=CHECKOUT_MESSAGE),
            )
        ],
    )
    return json.dumps(
        {
            "kind": "PodList",
            "apiVersion": "v1",
            "metadata": {"resourceVersion": "9"},
            "items": [pod],
        }
    ).encode()


def _sequence(*routes: Route) -> tuple[Route, list[int]]:
    """A route answering with ``routes`` in turn (the last one repeats); counts calls."""
    calls: list[int] = []

    def handle(h: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        routes[min(len(calls), len(routes)) - 1](h)

    return handle, calls


def _throttled(h: BaseHTTPRequestHandler) -> None:
    h.send_response(429)
    h.send_header("Retry-After", "1")
    h.send_header("Content-Type", "application/json")
    body = json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "reason": "TooManyRequests",
            "code": 429,
        }
    ).encode()
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _kubeconfig(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: flaky\n"
        f"clusters:\n- name: flaky\n  cluster: {{server: '{url}'}}\n"
        "contexts:\n- name: flaky\n  context: {cluster: flaky, user: u, namespace: tx1}\n"
        "users:\n- name: u\n  user: {token: t0k3n}\n"
    )
    return path


def _routes(pods: Route) -> dict[str, Route]:
    return {
        "/api/v1/namespaces/tx1/pods": pods,
        "/apis/apps/v1/namespaces/tx1/replicasets": reply(200, EMPTY, "application/json"),
        "/apis/apps/v1/namespaces/tx1/controllerrevisions": reply(200, EMPTY, "application/json"),
    }


@pytest.mark.parametrize("first", [reply(503, STATUS_503, "application/json"), _throttled])
def test_safe_reads_retry_after_503_and_429(tmp_path: Path, first: Route) -> None:
    pods, calls = _sequence(first, reply(200, _pods(), "application/json"))
    with serve(_routes(pods)) as url:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "triage",
                "crashes",
                "--no-logs",
                "--json",
                "--kubeconfig",
                str(_kubeconfig(tmp_path, url)),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    assert len(calls) == 2  # the failure, then the retry that worked
    doc = json.loads(proc.stdout)
    assert doc["workloads"][0]["pods"][0]["reason"] == "CrashLoopBackOff"


def test_persistent_503_gives_up_after_four_attempts(tmp_path: Path) -> None:
    pods, calls = _sequence(reply(503, STATUS_503, "application/json"))
    with serve(_routes(pods)) as url:
        client = connect(ConnectOptions(kubeconfig=str(_kubeconfig(tmp_path, url))))
        with pytest.raises(Unreachable) as err:
            client.list("pods", "tx1")
        client.close()
    assert len(calls) == 4
    assert err.value.line().startswith(
        "listing pods in namespace tx1: the API server failed (503 etcd leader changed)"
    )


def test_an_api_server_that_never_answers_times_out(tmp_path: Path) -> None:
    with serve(_routes(hang(20))) as url:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "triage",
                "crashes",
                "--request-timeout",
                "1s",
                "--kubeconfig",
                str(_kubeconfig(tmp_path, url)),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 3
    assert "did not answer in time" in proc.stderr and proc.stderr.count("\n") == 1


def test_bad_request_timeout_is_bad_input() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--request-timeout", "soon"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2 and "is not a duration" in proc.stderr


def test_unknown_certificate_authority_is_a_tls_error(kube: Kube, tmp_path: Path) -> None:
    """The server's certificate is not the kubeconfig's CA: exit 3 naming TLS."""
    text = kube.kubeconfig().read_text()
    assert kube.url.startswith("https://")
    lines = [ln for ln in text.splitlines() if "certificate-authority-data" not in ln]
    (tmp_path / "kc").write_text("\n".join(lines) + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--kubeconfig", str(tmp_path / "kc")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "TLS with the API server" in proc.stderr and "certificate" in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
