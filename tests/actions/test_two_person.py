"""The two-person rule with two tokens: request, self-approval refused, approve, reject, expiry."""

from __future__ import annotations

import json
import time

from tests.actions.conftest import Cli, Seen, audit_records, writes
from tests.support.kube import Kube
from triage.actions.requests import ANNOTATION
from triage.kubeserver.scenarios import Shop


def _annotations(kube: Kube, name: str) -> dict[str, str]:
    dep = kube.cluster.get("Deployment", name, "shop")
    assert dep is not None
    return dict(dep["metadata"].get("annotations") or {})


def _image(kube: Kube) -> str:
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def _request(cli: Cli, *args: str) -> str:
    run = cli(*args, "--two-person", "--reason", "v7 panics", "--json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout[run.stdout.index('{\n  "action"') :])
    assert doc["result"] == "requested"
    return str(doc["request_id"])


def test_request_then_a_different_identity_approves(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    rid = _request(cli, "rollback", "deployment/checkout")
    assert _image(kube).endswith(":v7")  # recorded, not executed
    recorded = json.loads(_annotations(kube, "checkout")[ANNOTATION])
    assert (recorded["id"], recorded["requester"], recorded["reason"]) == (
        rid,
        "admin",
        "v7 panics",
    )
    # the requester cannot approve their own request
    own = cli("approve", rid)
    assert own.returncode == 4
    assert "same identity" in own.stderr
    assert _image(kube).endswith(":v7")
    listed = cli("approvals", "--json", user="admin2")
    assert [r["id"] for r in json.loads(listed.stdout)] == [rid]
    approved = cli("approve", rid, user="admin2")
    assert approved.returncode == 0, approved.stderr
    assert "successfully rolled out" in approved.stdout
    assert _image(kube).endswith(":v6")
    assert ANNOTATION not in _annotations(kube, "checkout")
    record = audit_records()[-1]
    assert (record["identity"], record["requester"], record["approver"]) == (
        "admin2",
        "admin",
        "admin2",
    )
    assert record["result"] == "done"
    assert json.loads(cli("approvals", "--json").stdout) == []


def test_expired_request_exits_1_and_is_not_listed(kube: Kube, shop: Shop, cli: Cli) -> None:
    rid = _request(cli, "restart", "deployment/catalog", "--expires", "1s")
    time.sleep(1.5)
    assert json.loads(cli("approvals", "--json", user="admin2").stdout) == []
    run = cli("approve", rid, user="admin2")
    assert run.returncode == 1
    assert "expired" in run.stderr
    annotations = _annotations(kube, "catalog")
    assert "kubectl.kubernetes.io/restartedAt" not in json.dumps(
        kube.cluster.get("Deployment", "catalog", "shop")
    )
    assert ANNOTATION in annotations


def test_reject_discards_without_executing(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    rid = _request(cli, "scale", "deployment/catalog", "--replicas", "7")
    assert cli("reject", rid).returncode == 4  # not by the requester either
    run = cli("reject", rid, user="admin2")
    assert run.returncode == 0, run.stderr
    assert ANNOTATION not in _annotations(kube, "catalog")
    dep = kube.cluster.get("Deployment", "catalog", "shop")
    assert dep is not None
    assert dep["spec"]["replicas"] == 3
    assert not [s for s in writes(wire) if s.path.endswith("/scale") and "dryRun" not in s.query]


def test_two_person_needs_a_reason(shop: Shop, cli: Cli) -> None:
    run = cli("rollback", "deployment/checkout", "--two-person")
    assert run.returncode == 2
    assert "--reason" in run.stderr
