"""The ``kube`` fixture: triage's own API server on loopback, with kubeconfigs.

    def test_x(kube):
        kube.cluster.add_namespace("shop")
        path = kube.kubeconfig(user="viewer")   # context "triage-test", namespace "default"

Outside pytest (the demo, benchmarks, a tmux session): ``with running_kube(dir) as kube: ...``.
The server starts with the ``default`` namespace and node ``node-1``, as a
fresh cluster would; everything else is seeded by the test.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from triage.kubeserver import Cluster, KubeServer, kubeconfig
from triage.kubeserver.tlscert import ServingCert, make_cert

CONTEXT = "triage-test"


class Kube:
    """A running API server: its cluster state, URL and kubeconfig files."""

    def __init__(self, server: KubeServer, directory: Path) -> None:
        self.server = server
        self.cluster: Cluster = server.cluster
        self.url = server.url
        self._dir = directory

    def token(self, user: str = "admin") -> str:
        """The bearer token of ``admin``, ``admin2`` or ``viewer``."""
        return self.server.token(user)

    def kubeconfig(
        self, user: str = "admin", namespace: str = "default", token: str | None = None
    ) -> Path:
        """Write a kubeconfig for ``user`` (context ``triage-test``) and return its path."""
        secret = token if token is not None else self.token(user)
        tls = self.server.tls
        text = kubeconfig.render(
            self.url,
            user,
            secret,
            namespace=namespace,
            context=CONTEXT,
            ca_cert=tls.cert if tls else None,
        )
        return kubeconfig.write(self._dir / f"kubeconfig-{user}-{namespace}", text)


@functools.cache
def serving_cert() -> ServingCert:
    """One self-signed loopback certificate per test process."""
    return make_cert(Path(tempfile.mkdtemp(prefix="triage-kube-tls-")))


@contextmanager
def running_kube(
    directory: Path | None = None,
    bookmark_interval: float = 60.0,
    tls: bool = True,
    cluster: Cluster | None = None,
) -> Iterator[Kube]:
    """Start a server (HTTPS by default, as kubectl sends tokens only over TLS).

    Stops it and joins its threads on exit.
    """
    with tempfile.TemporaryDirectory(prefix="triage-kube-") as tmp:
        cert = serving_cert() if tls else None
        server = KubeServer(cluster, bookmark_interval=bookmark_interval, tls=cert).start()
        try:
            server.cluster.add_namespace("default")
            server.cluster.add_node("node-1")
            where = directory or Path(tmp)
            where.mkdir(parents=True, exist_ok=True)
            yield Kube(server, where)
        finally:
            server.stop()


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[Kube]:
    """A fresh API server per test (namespace ``default``, node ``node-1``)."""
    with running_kube(tmp_path / "kube") as running:
        yield running
