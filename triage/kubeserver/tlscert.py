"""A throwaway self-signed certificate for serving HTTPS on loopback.

kubectl (client-go) sends bearer tokens only over TLS, so the server speaks
HTTPS when asked. The key and certificate come from the ``openssl`` command
(the stdlib cannot make certificates); the certificate is its own trust
anchor, named for 127.0.0.1 and localhost, and goes into kubeconfigs as
``certificate-authority-data``.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


class TLSUnavailable(RuntimeError):
    """No ``openssl`` command to make a certificate with."""


@dataclass(frozen=True)
class ServingCert:
    """Paths of a PEM certificate and its private key."""

    cert: Path
    key: Path

    def context(self) -> ssl.SSLContext:
        """A server-side TLS context for this certificate."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx


def make_cert(directory: Path) -> ServingCert:
    """Create (or reuse) ``server.crt``/``server.key`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "server.crt", directory / "server.key"
    if cert.exists() and key.exists():
        return ServingCert(cert, key)
    openssl = shutil.which("openssl")
    if openssl is None:
        raise TLSUnavailable("openssl not found; install it or run the API server without TLS")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-nodes",
            "-days",
            "3650",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-subj",
            "/CN=triage-kubeserver",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return ServingCert(cert, key)
