"""On a terminal triage asks: the typed name for rollback, ``y`` for a low-risk action.

The CLI runs on a real pseudo-terminal (stdin and stdout are ttys), and the
test answers the prompt as a user would.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.actions.conftest import Seen, audit_records, writes
from tests.support.kube import Kube
from triage.kubeserver.scenarios import Shop


def _on_terminal(
    kube: Kube, args: list[str], prompt: str, answer: str, enter: bool = True
) -> tuple[int, str]:
    """Run triage on a pty, wait for ``prompt``, type ``answer``; (exit code, screen text)."""
    config = kube.kubeconfig(namespace="shop")
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]), TERM="dumb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", *args, "--kubeconfig", str(config)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    screen = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
            if not answered and prompt.encode() in screen:
                os.write(master, answer.encode() + (b"\r" if enter else b""))
                answered = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
    return code, screen.decode("utf-8", "replace")


def _image(kube: Kube) -> str:
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def test_rollback_asks_for_the_typed_name(kube: Kube, shop: Shop, wire: list[Seen]) -> None:
    code, screen = _on_terminal(
        kube, ["rollback", "deployment/checkout"], "Type checkout to rollback it", "checkout"
    )
    assert code == 0, screen
    assert "-        image: registry.local/checkout:v7" in screen  # the diff came first
    assert "successfully rolled out" in screen
    assert _image(kube) == "registry.local/checkout:v6"
    assert audit_records()[-1]["result"] == "done"


def test_a_wrong_name_changes_nothing(kube: Kube, shop: Shop, wire: list[Seen]) -> None:
    code, screen = _on_terminal(
        kube, ["rollback", "deployment/checkout"], "Type checkout to rollback it", "y"
    )
    assert code == 1, screen
    assert "not approved; nothing was changed" in screen
    assert [s for s in writes(wire) if "dryRun" not in s.query] == []
    assert _image(kube) == "registry.local/checkout:v7"


def test_a_low_risk_action_takes_one_key(kube: Kube, shop: Shop) -> None:
    code, screen = _on_terminal(kube, ["cordon", "node-2"], "[y/N]", "y", enter=False)
    assert code == 0, screen
    node = kube.cluster.get("Node", "node-2")
    assert node is not None
    assert node["spec"]["unschedulable"] is True
