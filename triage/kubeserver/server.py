"""Start and stop the API server in-process, on a loopback ephemeral port.

    with KubeServer() as server:
        server.cluster.add_namespace("shop")
        ... server.url, server.token("viewer") ...

Stopping ends every watch and log follow, closes idle keep-alive connections
and joins all handler threads, so no thread outlives the server.
"""

from __future__ import annotations

import threading
from types import TracebackType

from triage.kubeserver.cluster import Cluster
from triage.kubeserver.dispatch import Dispatcher
from triage.kubeserver.http import ApiHTTPServer
from triage.kubeserver.tlscert import ServingCert


class KubeServer:
    """An API server for one :class:`Cluster` on 127.0.0.1 (HTTPS when given a certificate)."""

    def __init__(
        self,
        cluster: Cluster | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bookmark_interval: float = 60.0,
        tls: ServingCert | None = None,
    ) -> None:
        self.cluster = cluster or Cluster()
        self._address = (host, port)
        self.bookmark_interval = bookmark_interval
        self.tls = tls
        self._httpd: ApiHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def httpd(self) -> ApiHTTPServer:
        """The running HTTP server (RuntimeError before start)."""
        if self._httpd is None:
            raise RuntimeError("KubeServer is not started")
        return self._httpd

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self.httpd.server_address[:2]
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host!s}:{port}"

    def token(self, user: str) -> str:
        """The bearer token of a user (``admin``, ``admin2``, ``viewer``)."""
        return self.cluster.authz.token_for(user)

    def start(self) -> KubeServer:
        """Bind and serve in a background thread (again after :meth:`stop`: same state)."""
        self.cluster.store.closed = False
        self.cluster.logs.closed = False

        def factory(address: str) -> Dispatcher:
            return Dispatcher(self.cluster, address, self.bookmark_interval)

        context = self.tls.context() if self.tls else None
        self._httpd = ApiHTTPServer(self._address, factory, context)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="kubeserver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """End streams, close connections, join every thread."""
        if self._httpd is None:
            return
        self.cluster.store.close()
        self.cluster.logs.close()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._address = (self._address[0], int(self._httpd.server_address[1]))  # restart: same port
        self._httpd = None

    def __enter__(self) -> KubeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
