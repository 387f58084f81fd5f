"""A loopback listener that bridges each connection to a pod port (no kubernetes import).

``kubectl port-forward`` without kubectl: ``PortForward(open_remote).start()``
listens on ``127.0.0.1:<ephemeral>``; every accepted connection asks
``open_remote()`` for a fresh stream to the pod (one port-forward websocket per
TCP connection, as the API server's protocol carries one connection per
channel pair) and copies bytes both ways until either side closes. Any HTTP
client — our :class:`~triage.probes.client.ProbeClient` included — then uses
``http://127.0.0.1:PORT`` as if it were the pod.

``open_remote`` is :meth:`triage.cluster.client.KubeClient.open_port` bound to a
pod and port; it returns a connected socket-like object and a function giving
the error channel's text (the kubelet's "connection refused" on the pod side).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Callable
from typing import Any, Protocol

from triage.cluster.endpoints import PodEndpoints, pod_endpoints
from triage.errors import BadInput, TriageError

JSON = dict[str, Any]
OpenRemote = Callable[[], tuple[Any, Callable[[], str | None]]]
_CHUNK = 65536


class PortOpener(Protocol):
    """What :func:`forward_pod` needs of :class:`triage.cluster.client.KubeClient`."""

    def open_port(
        self, namespace: str, pod: str, port: int
    ) -> tuple[Any, Callable[[], str | None]]: ...


def forward_pod(
    client: PortOpener, pod: JSON, port: int | None = None, *, container: str | None = None
) -> tuple[PortForward, PodEndpoints]:
    """A started port-forward to ``port`` of ``pod`` (default: its pprof port, from the
    spec), and the pod's endpoints (probes, metrics port) to go with it."""
    endpoints = pod_endpoints(pod, container)
    chosen = port if port is not None else endpoints.pprof_port
    meta = pod.get("metadata") or {}
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
    if chosen is None:
        raise BadInput(
            f"pod {name} declares no pprof, http or debug port",
            "name the port (pod/NAME:PORT) or annotate the pod triage.dev/pprof-port=PORT",
        )
    forward = PortForward(lambda: client.open_port(namespace, name, chosen)).start()
    return forward, endpoints


class PortForward:
    """Local ``127.0.0.1`` port -> pod port, through the API server."""

    def __init__(self, open_remote: OpenRemote, *, port: int = 0) -> None:
        self._open_remote = open_remote
        self._wanted = port
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._live: set[Any] = set()
        #: the last failure, for the status line (None while all is well)
        self.last_error: str | None = None
        self.connections = 0

    @property
    def port(self) -> int:
        """The local port (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("port-forward not started")
        return int(self._server.getsockname()[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` for HTTP clients."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PortForward:
        """Bind, listen and accept in a daemon thread; returns self."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self._wanted))
        server.listen(16)
        self._server = server
        self._spawn(self._accept_loop, "triage port-forward accept")
        return self

    def close(self) -> None:
        """Stop listening and end every bridged connection."""
        self._closed.set()
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
        with self._lock:
            live = list(self._live)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> PortForward:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._spawn(self._bridge, "triage port-forward bridge", conn)

    def _bridge(self, local: socket.socket) -> None:
        try:
            remote, error_of = self._open_remote()
        except TriageError as exc:
            self.last_error = exc.line()
            local.close()
            return
        except Exception as exc:  # a websocket failure we did not foresee: report, go on
            self.last_error = f"port-forward failed: {exc}"
            local.close()
            return
        self.connections += 1
        with self._lock:
            self._live.update((local, remote))
        try:
            _pump(local, remote)
        finally:
            error = error_of()
            if error:
                self.last_error = f"port-forward: the pod side answered: {error.strip()}"
            for sock in (local, remote):
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._live.difference_update((local, remote))


def _pump(a: Any, b: Any) -> None:
    """Copy bytes both ways until either side ends."""
    peer = {a: b, b: a}
    with selectors.DefaultSelector() as sel:
        for sock in (a, b):
            sel.register(sock.fileno(), selectors.EVENT_READ, sock)
        while True:
            try:
                events = sel.select(timeout=1.0)
            except (OSError, ValueError):
                return
            for key, _ in events:
                sock = key.data
                try:
                    data = sock.recv(_CHUNK)
                    if not data:
                        return
                    peer[sock].sendall(data)
                except OSError:
                    return
