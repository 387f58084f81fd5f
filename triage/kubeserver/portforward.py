"""``pods/{name}/portforward`` over websocket, as the kubelet speaks it (``v4.channel.k8s.io``).

The official Python client offers ``v5.channel.k8s.io,v4.channel.k8s.io``;
the kubelet picks v4. Port *i* of the request uses data channel ``2i`` and
error channel ``2i+1``; the first frame on each channel carries the port as 2
little-endian bytes. Frames are binary, channel byte first; client frames are
masked. When every pod connection has ended the websocket is closed with 1000.

A pod's container port is "backed" by a loopback address where a real process
listens (a Go test target with net/http/pprof), registered on the cluster.
kubectl's SPDY port-forward is not spoken here.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import struct
import threading
from collections.abc import Callable
from typing import BinaryIO

from triage.kubeserver.status import bad_request

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
PROTOCOL = "v4.channel.k8s.io"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

Backend = tuple[str, int]
Resolve = Callable[[int], Backend | None]


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client key (RFC 6455)."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def choose_protocol(offered: str) -> str:
    """v4 from the client's offer; 400 when it offers nothing we speak."""
    protocols = [p.strip() for p in offered.split(",") if p.strip()]
    if PROTOCOL not in protocols:
        raise bad_request(f"unable to upgrade: no supported subprotocol in {protocols}")
    return PROTOCOL


def parse_ports(values: list[str]) -> list[int]:
    """Ports from ``ports=6060,8080`` (possibly repeated); 400 on anything else."""
    ports: list[int] = []
    for value in values:
        for part in value.split(","):
            if not part.strip().isdigit() or not 0 < int(part) < 65536:
                raise bad_request(f"invalid port {part!r}")
            ports.append(int(part))
    if not ports:
        raise bad_request('query parameter "port" is required')
    return ports


def frame(payload: bytes, opcode: int = OP_BINARY) -> bytes:
    """One unmasked server frame."""
    head = bytes([0x80 | opcode])
    size = len(payload)
    if size < 126:
        head += bytes([size])
    elif size < 1 << 16:
        head += bytes([126]) + struct.pack("!H", size)
    else:
        head += bytes([127]) + struct.pack("!Q", size)
    return head + payload


def read_frame(rfile: BinaryIO) -> tuple[int, bytes] | None:
    """One client frame (unmasked payload); None at end of stream."""
    head = rfile.read(2)
    if len(head) < 2:
        return None
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    if size == 126:
        size = struct.unpack("!H", rfile.read(2))[0]
    elif size == 127:
        size = struct.unpack("!Q", rfile.read(8))[0]
    mask = rfile.read(4) if head[1] & 0x80 else b""
    data = rfile.read(size)
    if len(data) < size:
        return None
    if mask:
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    return opcode, data


class Tunnel:
    """One websocket port-forward session between a client and pod backends."""

    def __init__(
        self, rfile: BinaryIO, wfile: BinaryIO, ports: list[int], resolve: Resolve, pod: str
    ) -> None:
        self.rfile, self.wfile = rfile, wfile
        self.ports, self.resolve, self.pod = ports, resolve, pod
        self.lock = threading.Lock()
        self.conns: dict[int, socket.socket] = {}
        self.open_count = 0
        self.closed = threading.Event()

    def send(self, payload: bytes, opcode: int = OP_BINARY) -> None:
        """Write a frame (from any thread); ignore a client that has gone."""
        with self.lock:
            if self.closed.is_set() and opcode != OP_CLOSE:
                return
            with contextlib.suppress(OSError):
                self.wfile.write(frame(payload, opcode))
                self.wfile.flush()

    def _connect(self, index: int, port: int) -> None:
        backend = self.resolve(port)
        error = f"error forwarding port {port} to pod {self.pod}: "
        if backend is None:
            self.send(bytes([2 * index + 1]) + (error + "connection refused").encode())
            return
        try:
            conn = socket.create_connection(backend, timeout=10)
        except OSError as exc:
            self.send(bytes([2 * index + 1]) + (error + str(exc)).encode())
            return
        conn.settimeout(None)
        self.conns[index] = conn
        self.open_count += 1

    def _pump(self, index: int, conn: socket.socket) -> None:
        """Pod -> client on data channel 2i, until the pod side ends."""
        while True:
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            self.send(bytes([2 * index]) + data)
        with self.lock:
            self.open_count -= 1
            last = self.open_count == 0
        if last:
            self.finish()

    def finish(self) -> None:
        """Close the websocket with 1000 and every pod connection."""
        if self.closed.is_set():
            return
        self.send(struct.pack("!H", 1000), OP_CLOSE)
        self.closed.set()
        for conn in self.conns.values():
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def run(self) -> None:
        """Announce the channels, connect, then relay until either side ends."""
        for index, port in enumerate(self.ports):
            prefix = struct.pack("<H", port)
            self.send(bytes([2 * index]) + prefix)
            self.send(bytes([2 * index + 1]) + prefix)
            self._connect(index, port)
        pumps = [
            threading.Thread(target=self._pump, args=(i, c), daemon=True)
            for i, c in self.conns.items()
        ]
        for pump in pumps:
            pump.start()
        if not self.conns:
            self.finish()
        self._client_loop()
        self.finish()
        for pump in pumps:
            pump.join(timeout=10)
        for conn in self.conns.values():
            conn.close()

    def _client_loop(self) -> None:
        """Client -> pod: data channels to connections; answer pings; stop on close."""
        while not self.closed.is_set():
            try:
                got = read_frame(self.rfile)
            except (OSError, struct.error):
                return
            if got is None:
                return
            opcode, data = got
            if opcode == OP_CLOSE:
                return
            if opcode == OP_PING:
                self.send(data, OP_PONG)
            elif opcode in (OP_BINARY, OP_TEXT, OP_CONT) and data:
                channel, payload = data[0], data[1:]
                conn = self.conns.get(channel // 2)
                if conn is not None and channel % 2 == 0 and payload:
                    with contextlib.suppress(OSError):
                        conn.sendall(payload)
