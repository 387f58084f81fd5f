"""Kubeconfig files pointing at our API server, one user and context each.

The tests' ``kube`` fixture, ``python -m triage.kubeserver`` and the demo write
them; the official client and kubectl read them unchanged. With TLS the
server's self-signed certificate goes in as ``certificate-authority-data``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def render(
    url: str,
    user: str,
    token: str | None,
    *,
    namespace: str = "default",
    context: str = "triage-test",
    ca_cert: Path | None = None,
    client_cert: tuple[Path, Path] | None = None,
    exec_python: str | None = None,
) -> str:
    """The YAML text of a one-context kubeconfig: a bearer token, or a client certificate."""
    authority = ""
    if ca_cert is not None:
        authority = f"    certificate-authority-data: {_b64(ca_cert)}\n"
    if client_cert is not None:
        credentials = (
            f"    client-certificate-data: {_b64(client_cert[0])}\n"
            f"    client-key-data: {_b64(client_cert[1])}\n"
        )
    elif exec_python is not None:
        credentials = _exec_credentials(exec_python, token or "")
    else:
        credentials = f"    token: {token}\n"
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        f"current-context: {context}\n"
        "clusters:\n"
        f"- name: {context}\n"
        f"  cluster:\n    server: {url}\n{authority}"
        "contexts:\n"
        f"- name: {context}\n"
        f"  context:\n    cluster: {context}\n    user: {user}\n    namespace: {namespace}\n"
        "users:\n"
        f"- name: {user}\n"
        f"  user:\n{credentials}"
    )


def _exec_credentials(python: str, token: str) -> str:
    """An exec plugin user: ``python -c`` prints an ExecCredential holding the token."""
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"token": token},
    }
    code = f"import json; print(json.dumps({credential!r}))"
    return (
        "    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1\n"
        f"      command: {json.dumps(python)}\n"
        f"      args: {json.dumps(['-c', code])}\n"
        "      interactiveMode: Never\n"
    )


def write(path: Path, text: str) -> Path:
    """Write a kubeconfig readable by its owner only (it holds a token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path
