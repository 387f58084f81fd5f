"""Throwaway certificates for serving HTTPS on loopback, and client certificates.

kubectl (client-go) sends bearer tokens only over TLS, so the server speaks
HTTPS when asked. Keys and certificates come from the ``openssl`` command (the
stdlib cannot make certificates): a CA, a server certificate it signs for
127.0.0.1 and localhost, and on demand client certificates (CN = user name,
O = groups) for kubeconfig users that authenticate by certificate, as
kube-apiserver's x509 authenticator reads them. The CA goes into kubeconfigs
as ``certificate-authority-data``.
"""

from __future__ import annotations

import hashlib
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


class TLSUnavailable(RuntimeError):
    """No ``openssl`` command to make a certificate with."""


def _openssl(*args: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise TLSUnavailable("openssl not found; install it or run the API server without TLS")
    subprocess.run([openssl, *args], check=True, capture_output=True)


@dataclass(frozen=True)
class ClientCert:
    """A client certificate and key (PEM files)."""

    cert: Path
    key: Path


@dataclass(frozen=True)
class ServingCert:
    """The CA and the server certificate it signed (PEM files)."""

    ca: Path
    ca_key: Path
    cert: Path
    key: Path

    def context(self) -> ssl.SSLContext:
        """A server-side TLS context; client certificates signed by the CA are optional."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        ctx.load_verify_locations(cafile=str(self.ca))
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def _signed(
        self, directory: Path, name: str, subject: str, extensions: str
    ) -> tuple[Path, Path]:
        key, csr = directory / f"{name}.key", directory / f"{name}.csr"
        cert, ext = directory / f"{name}.crt", directory / f"{name}.ext"
        ext.write_text(extensions)
        _openssl("req", *_EC, "-subj", subject, "-keyout", str(key), "-out", str(csr))
        _openssl(
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(self.ca),
            "-CAkey",
            str(self.ca_key),
            "-CAcreateserial",
            "-days",
            "3650",
            "-out",
            str(cert),
            "-extfile",
            str(ext),
        )
        return cert, key

    def client(self, user: str, groups: tuple[str, ...] = ()) -> ClientCert:
        """A client certificate for ``user`` in ``groups`` (made once per directory)."""
        label = "-".join((user, *groups))
        name = "client-" + "".join(c if c.isalnum() else "_" for c in label)
        name += "-" + hashlib.sha256(label.encode()).hexdigest()[:8]
        cert, key = self.ca.parent / f"{name}.crt", self.ca.parent / f"{name}.key"
        if not (cert.exists() and key.exists()):
            subject = f"/CN={user}" + "".join(f"/O={g}" for g in groups)
            extensions = "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n"
            cert, key = self._signed(self.ca.parent, name, subject, extensions)
        return ClientCert(cert, key)


def make_cert(directory: Path) -> ServingCert:
    """Create (or reuse) a CA and a server certificate in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.crt", directory / "ca.key"
    serving = ServingCert(ca, ca_key, directory / "server.crt", directory / "server.key")
    if serving.cert.exists() and serving.key.exists() and ca.exists():
        return serving
    _openssl(
        "req",
        "-x509",
        *_EC,
        "-days",
        "3650",
        "-subj",
        "/CN=triage-kubeserver-ca",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
    )
    extensions = (
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
    )
    serving._signed(directory, "server", "/CN=triage-kubeserver", extensions)
    return serving
