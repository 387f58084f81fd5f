"""``triage rollback``: kubectl's requests on the wire, the dry run, approval, RBAC, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.actions.conftest import Cli, Seen, audit_records, writes
from tests.support.kube import Kube
from triage.kubeserver.scenarios import Shop

Events = Callable[[], list[dict[str, Any]]]


def _image(kube: Kube) -> str:
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])


def test_rollback_sends_kubectls_patch_and_verifies(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen], events: Events
) -> None:
    run = cli("rollback", "deployment/checkout", "--confirm", "checkout", "--reason", "v7 panics")
    assert run.returncode == 0, run.stderr
    assert 'deployment "checkout" successfully rolled out' in run.stdout
    assert "from revision 2 to 1" in run.stdout
    patches = [s for s in writes(wire) if s.method == "PATCH"]
    assert [p.query.get("dryRun") for p in patches] == ["All", None]  # preview, then the change
    real = patches[1]
    assert real.content_type == "application/json-patch+json"
    ops = real.body
    assert [(o["op"], o["path"]) for o in ops] == [
        ("replace", "/spec/template"),
        ("replace", "/metadata/annotations"),
        ("replace", "/metadata/resourceVersion"),  # our precondition: 409, not an overwrite
    ]
    assert "pod-template-hash" not in ops[0]["value"]["metadata"]["labels"]
    assert ops[0]["value"]["spec"]["containers"][0]["image"] == "registry.local/checkout:v6"
    assert ops[1]["value"] == {"deployment.kubernetes.io/revision": "2"}
    assert _image(kube) == "registry.local/checkout:v6"
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    assert dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    # the audit trail: one JSONL record and one Event naming the user, action and reason
    (record,) = audit_records()
    assert record["identity"] == "admin"
    assert record["context"] == "triage-test"
    assert record["action"] == "rollback"
    assert record["result"] == "done"
    assert record["reason"] == "v7 panics"
    assert record["objects"][0]["name"] == "checkout"
    assert record["requests"][0]["body"] == ops
    (event,) = events()
    assert event["involvedObject"]["name"] == "checkout"
    assert event["involvedObject"]["kind"] == "Deployment"
    assert "admin" in event["message"]
    assert "rollback" in event["message"]
    assert "v7 panics" in event["message"]


def test_dry_run_prints_plan_and_diff_and_changes_nothing(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    before = kube.cluster.get("Deployment", "checkout", "shop")
    run = cli("rollback", "deployment/checkout", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert "-        image: registry.local/checkout:v7" in run.stdout
    assert "+        image: registry.local/checkout:v6" in run.stdout
    assert "PATCH /apis/apps/v1/namespaces/shop/deployments/checkout" in run.stdout
    assert all(s.query.get("dryRun") == "All" for s in writes(wire))
    assert kube.cluster.get("Deployment", "checkout", "shop") == before
    assert audit_records() == []


def test_viewer_is_refused_before_anything_is_sent(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli("rollback", "deployment/checkout", "--confirm", "checkout", user="viewer")
    assert run.returncode == 4, run.stderr
    assert "`patch deployments (apps)` in namespace shop" in run.stderr
    assert "Traceback" not in run.stderr
    assert writes(wire) == []
    assert _image(kube) == "registry.local/checkout:v7"


def test_without_confirm_or_terminal_nothing_is_asked_or_sent(
    shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli("rollback", "deployment/checkout")
    assert run.returncode == 2
    assert "pass --confirm checkout" in run.stderr
    assert wire == []


def test_confirm_must_name_the_target(kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]) -> None:
    run = cli("rollback", "deployment/checkout", "--confirm", "catalog")
    assert run.returncode == 2
    assert "does not match" in run.stderr
    assert writes(wire) == []
    assert _image(kube) == "registry.local/checkout:v7"


def test_paused_deployment_is_refused(kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]) -> None:
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    dep["spec"]["paused"] = True
    kube.cluster.update("Deployment", dep)
    run = cli("rollback", "deployment/checkout", "--confirm", "checkout")
    assert run.returncode == 1
    assert "paused" in run.stderr
    assert "kubectl rollout resume deployment/checkout" in run.stderr
    assert writes(wire) == []


def test_rollback_to_the_current_template_is_skipped(
    shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli("rollback", "deployment/checkout", "--to-revision", "2", "--confirm", "checkout")
    assert run.returncode == 0
    assert "skipped rollback (current template already matches revision 2)" in run.stdout
    assert writes(wire) == []


def test_missing_revision_is_bad_input(shop: Shop, cli: Cli) -> None:
    run = cli("rollback", "deployment/checkout", "--to-revision", "9", "--confirm", "checkout")
    assert run.returncode == 2
    assert "unable to find specified revision 9" in run.stderr


def test_readonly_refuses(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen], tmp_path: Any
) -> None:
    run = cli("rollback", "deployment/checkout", "--confirm", "checkout", "--readonly")
    assert run.returncode == 4
    assert "read-only" in run.stderr
    import os
    from pathlib import Path

    config = Path(os.environ["TRIAGE_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[actions]\nreadonly_contexts = ["triage-test"]\n')
    run = cli("restart", "deployment/checkout", "--confirm", "checkout")
    assert run.returncode == 4
    assert "read-only" in run.stderr
    assert writes(wire) == []
