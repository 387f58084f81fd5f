"""The HTTP/1.1 front: keep-alive, bearer authentication, chunked streaming.

``ThreadingHTTPServer`` with one thread per connection. Replies with a body
carry Content-Length; watches and logs are chunked, one chunk per event or
write, flushed at once. The server tracks its connections so that stopping
it can close idle keep-alive sockets and join every handler thread.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import ssl
import threading
import traceback
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from triage.kubeserver.authz import User
from triage.kubeserver.dispatch import ANONYMOUS, Dispatcher, error_reply
from triage.kubeserver.status import ApiError, unauthorized
from triage.kubeserver.wire import Reply, Request

log = logging.getLogger(__name__)


class ApiHTTPServer(ThreadingHTTPServer):
    """Threading server that knows its dispatcher and open connections."""

    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        dispatcher_factory: Any,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, Handler)
        self.tls = tls
        self.dispatcher: Dispatcher = dispatcher_factory(f"{address[0]}:{self.server_address[1]}")
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        self.access_log: deque[tuple[str, str, int]] = deque(maxlen=10_000)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that breaks its connection (or TLS handshake) is not our error."""
        log.debug("kubeserver connection error from %s", client_address, exc_info=True)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept; with TLS, wrap the socket (the handshake runs in the handler thread)."""
        conn, addr = self.socket.accept()
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, addr

    def close_connections(self) -> None:
        """Shut every open connection so idle keep-alive handlers return."""
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """One connection: parse requests, authenticate, dispatch, write replies."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle on, the body waits for
    # the client's delayed ACK (~40 ms per request on loopback).
    disable_nagle_algorithm = True
    server: ApiHTTPServer

    def setup(self) -> None:
        # No Nagle: chunked replies end in small writes that would otherwise wait
        # for the client's delayed ACK (40 ms per log read).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.conn_lock:
            self.server.connections.add(self.request)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(30)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError):
                with self.server.conn_lock:
                    self.server.connections.discard(self.request)
                raise
            self.request.settimeout(None)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.conn_lock:
                self.server.connections.discard(self.request)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's stderr access log; we keep our own."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    # -- helpers ---------------------------------------------------------------

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def alive(self) -> bool:
        """False once the client has closed its side of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if readable:
                # Peek at the TCP stream itself (SSLSocket refuses recv flags).
                return bool(socket.socket.recv(self.connection, 1, socket.MSG_PEEK))
        except (OSError, ValueError):
            return False
        return not self.server.dispatcher.cluster.store.closed

    def _certificate_user(self) -> User | None:
        """The x509 authenticator: a verified client certificate's CN and O."""
        if not isinstance(self.request, ssl.SSLSocket):
            return None
        peer = self.request.getpeercert()
        if not peer:
            return None
        subject = cast("tuple[tuple[tuple[str, str], ...], ...]", peer.get("subject", ()))
        names = [pair for rdn in subject for pair in rdn]
        common = [v for k, v in names if k == "commonName"]
        groups = tuple(v for k, v in names if k == "organizationName")
        if not common:
            return None
        return self.server.dispatcher.cluster.authz.from_certificate(common[0], groups)

    def _request(self) -> Request:
        split = urlsplit(self.path)
        query = parse_qsl(split.query, keep_blank_values=True)
        params = dict(query)
        auth = self.headers.get("Authorization", "")
        user = self._certificate_user() or ANONYMOUS
        if auth and user is ANONYMOUS:
            scheme, _, token = auth.partition(" ")
            found = self.server.dispatcher.cluster.authz.authenticate(token.strip())
            if scheme.lower() != "bearer" or found is None:
                raise unauthorized()
            user = found
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self._body()
        return Request(self.command, split.path, params, headers, body, user, self.alive, query)

    def _serve(self) -> None:
        try:
            reply = self.server.dispatcher.handle(self._request())
        except ApiError as err:
            reply = error_reply(err)
        except Exception as exc:  # a bug must answer 500, never kill the connection silently
            log.error("kubeserver internal error: %s", traceback.format_exc())
            reply = error_reply(
                ApiError(500, "InternalError", f"Internal error occurred: {exc}", {})
            )
        self.server.access_log.append((self.command, self.path, reply.code))
        self._write(reply)

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.code)
        if reply.upgrade is not None:
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.flush()
            self.close_connection = True
            reply.upgrade(self.rfile, self.wfile)  # type: ignore[arg-type]
            return
        self.send_header("Cache-Control", reply.headers.pop("Cache-Control", "no-cache, private"))
        self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is None:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for chunk in reply.stream:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except ApiError:
            # An error after the headers went out cannot become a Status any more.
            self.close_connection = True
