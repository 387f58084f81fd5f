"""The ``kube`` fixture: triage's own API server on loopback, with kubeconfigs.

    def test_x(kube):
        kube.cluster.add_namespace("shop")
        path = kube.kubeconfig(user="viewer")   # context "triage-test", namespace "default"

Outside pytest (the demo, benchmarks, a tmux session): ``with running_kube(dir) as kube: ...``.
The server starts with the ``default`` namespace and node ``node-1``, as a
fresh cluster would; everything else is seeded by the test.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sys
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
        self,
        user: str = "admin",
        namespace: str = "default",
        *,
        token: str | None = None,
        cert_groups: tuple[str, ...] | None = None,
        exec_plugin: bool = False,
        context: str = CONTEXT,
    ) -> Path:
        """Write a kubeconfig for ``user`` (context ``triage-test``) and return its path.

        By default the user authenticates with its bearer token; with
        ``cert_groups`` (TLS only) with a client certificate (CN = user, O = groups);
        with ``exec_plugin`` through an exec credential plugin that prints the token.
        """
        tls = self.server.tls
        client = None
        if cert_groups is not None:
            assert tls is not None, "client certificates need the TLS server"
            made = tls.client(user, cert_groups)
            client = (made.cert, made.key)
        secret = token if token is not None else (None if client else self.token(user))
        text = kubeconfig.render(
            self.url,
            user,
            secret,
            namespace=namespace,
            context=context,
            ca_cert=tls.ca if tls else None,
            client_cert=client,
            exec_python=sys.executable if exec_plugin else None,
        )
        kind = "cert" if client else "exec" if exec_plugin else "token"
        return kubeconfig.write(self._dir / f"kubeconfig-{context}-{user}-{namespace}-{kind}", text)


@functools.cache
def serving_cert() -> ServingCert:
    """One loopback CA and server certificate per test process, removed at exit."""
    directory = tempfile.mkdtemp(prefix="triage-kube-tls-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return make_cert(Path(directory))


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
