"""Fixtures for action tests: the seeded shop, a server-side request log, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import targets
from tests.support.kube import Kube
from triage.kubeserver.dispatch import Dispatcher
from triage.kubeserver.scenarios import Shop, seed_shop
from triage.kubeserver.wire import Reply, Request


@dataclass
class Seen:
    """One request as the API server received it, and its answer's status."""

    method: str
    path: str
    query: dict[str, str]
    content_type: str
    body: Any
    user: str
    status: int


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[Seen]:
    """Every request the API server receives (recorded in the server, after HTTP parsing)."""
    seen: list[Seen] = []
    original = Dispatcher.handle

    def handle(self: Dispatcher, req: Request) -> Reply:
        try:
            body: Any = json.loads(req.body) if req.body else None
        except ValueError:
            body = req.body
        entry = Seen(
            req.method,
            req.path,
            dict(req.query),
            req.header("Content-Type"),
            body,
            req.user.name,
            0,
        )
        seen.append(entry)
        try:
            reply = original(self, req)
        except Exception as exc:
            entry.status = int(getattr(exc, "code", 500))
            raise
        entry.status = reply.code
        return reply

    monkeypatch.setattr(Dispatcher, "handle", handle)
    return seen


def writes(seen: list[Seen]) -> list[Seen]:
    """The requests that are not reads or permission reviews."""
    return [
        s
        for s in seen
        if s.method != "GET" and "selfsubject" not in s.path and not s.path.endswith("/events")
    ]


@pytest.fixture(scope="session")
def nil_panic() -> str:
    """What a real Go program prints when it dies of a nil pointer dereference."""
    run = targets.crash("nil")
    assert run.returncode == 2
    return run.stderr


@pytest.fixture
def shop(kube: Kube, nil_panic: str) -> Shop:
    """checkout (revision 2 crash-looping, revision 1 clean) and PDB-guarded catalog on
    node-1; node-2 empty and schedulable, so evicted pods have somewhere to go."""
    made = seed_shop(kube.cluster, nil_panic)
    kube.cluster.add_node("node-2")
    return made


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(kube: Kube) -> Cli:
    """``cli("rollback", "deployment/checkout", user="admin")``: run triage, namespace shop."""

    def run(
        *args: str, user: str = "admin", timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        config = kube.kubeconfig(user=user, namespace="shop")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
        return subprocess.run(
            [sys.executable, "-m", "triage", *args, "--kubeconfig", str(config)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    return run


def audit_records() -> list[dict[str, Any]]:
    """The audit log the CLI wrote (TRIAGE_STATE_DIR points at the test's directory)."""
    path = Path(os.environ["TRIAGE_STATE_DIR"]) / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def events(kube: Kube) -> Callable[[], list[dict[str, Any]]]:
    """The TriageAction Events in the cluster."""

    def read() -> list[dict[str, Any]]:
        return [
            e for e in kube.cluster.store.objects("events") if e.get("reason") == "TriageAction"
        ]

    return read
