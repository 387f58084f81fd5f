"""Kubeconfig files pointing at our API server, one user and context each.

The tests' ``kube`` fixture, ``python -m triage.kubeserver`` and the demo write
them; the official client and kubectl read them unchanged. With TLS the
server's self-signed certificate goes in as ``certificate-authority-data``.
"""

from __future__ import annotations

import base64
from pathlib import Path


def render(
    url: str,
    user: str,
    token: str,
    *,
    namespace: str = "default",
    context: str = "triage-test",
    ca_cert: Path | None = None,
) -> str:
    """The YAML text of a one-context kubeconfig with a bearer token."""
    authority = ""
    if ca_cert is not None:
        data = base64.b64encode(ca_cert.read_bytes()).decode()
        authority = f"    certificate-authority-data: {data}\n"
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
        f"  user:\n    token: {token}\n"
    )


def write(path: Path, text: str) -> Path:
    """Write a kubeconfig readable by its owner only (it holds a token)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path
