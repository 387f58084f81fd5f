"""The loopback bridge of a port-forward, over real sockets.

Here the remote end is a plain TCP connection to a loopback HTTP server, so the
bridge (accept, one remote stream per connection, copy both ways, close) is tested
on its own; the end-to-end test through the API server's websocket is in
test_kube_forward.py.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.httpd import reply, serve
from triage.cluster.forward import PortForward
from triage.errors import Unreachable


def _opener(url: str, opened: list[int]) -> Callable[[], tuple[Any, Callable[[], str | None]]]:
    host, port = url.removeprefix("http://").split(":")

    def open_remote() -> tuple[Any, Callable[[], str | None]]:
        opened.append(1)
        return socket.create_connection((host, int(port))), lambda: None

    return open_remote


def test_http_through_the_bridge_one_remote_per_connection() -> None:
    body = b"goroutine 1 [running]:\nmain.main()\n\t/src/main.go:1 +0x1\n" * 2000
    with serve({"/debug/pprof/goroutine": reply(200, body)}) as url:
        opened: list[int] = []
        with PortForward(_opener(url, opened)) as fwd:
            assert fwd.url.startswith("http://127.0.0.1:")
            for _ in range(2):  # two separate connections
                with httpx.Client(trust_env=False) as client:
                    got = client.get(fwd.url + "/debug/pprof/goroutine?debug=2", timeout=10)
                assert got.status_code == 200 and got.content == body
            assert len(opened) == 2 and fwd.connections == 2
            assert fwd.last_error is None


def test_a_failing_remote_closes_the_client_and_says_why() -> None:
    def refuse() -> tuple[Any, Callable[[], str | None]]:
        raise Unreachable("port-forwarding to p:6060: cannot reach the API server")

    with PortForward(refuse) as fwd:
        with httpx.Client(trust_env=False) as client:
            try:
                client.get(fwd.url + "/healthz", timeout=5)
            except httpx.HTTPError as exc:
                assert isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError))
            else:
                raise AssertionError("the request should fail")
        assert fwd.last_error is not None and "cannot reach the API server" in fwd.last_error


def test_close_frees_the_port() -> None:
    fwd = PortForward(lambda: (socket.socket(), lambda: None)).start()
    port = fwd.port
    fwd.close()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
