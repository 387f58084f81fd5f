"""``triage patch --template``: shipped and user templates, bodies on the wire, template errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.actions.conftest import Cli, Seen, writes
from tests.support.kube import Kube
from triage.actions import templates
from triage.errors import BadInput
from triage.kubeserver.scenarios import Shop


def _user_templates() -> Path:
    folder = Path(os.environ["TRIAGE_CONFIG_DIR"]) / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_gomemlimit_is_a_preconditioned_strategic_patch(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    before = kube.cluster.get("Deployment", "catalog", "shop")
    assert before is not None
    run = cli(
        "patch",
        "deployment/catalog",
        "--template",
        "gomemlimit",
        "--set",
        "value=900MiB",
        "--confirm",
        "catalog",
    )
    assert run.returncode == 0, run.stderr
    assert "+        - name: GOMEMLIMIT" in run.stdout  # the dry run's diff, before approval
    (real,) = [s for s in writes(wire) if "dryRun" not in s.query]
    assert real.content_type == "application/strategic-merge-patch+json"
    assert real.body == {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "catalog", "env": [{"name": "GOMEMLIMIT", "value": "900MiB"}]}
                    ]
                }
            }
        },
        "metadata": {"resourceVersion": before["metadata"]["resourceVersion"]},
    }
    after = kube.cluster.get("Deployment", "catalog", "shop")
    assert after is not None
    (container,) = after["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [{"name": "GOMEMLIMIT", "value": "900MiB"}]
    assert container["image"] == "registry.local/catalog:v3"


def test_raw_json_patch_gets_the_resource_version_op(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    ops = '[{"op":"add","path":"/metadata/labels/incident","value":"inc-42"}]'
    run = cli(
        "patch",
        "deployment/catalog",
        "--template",
        "json-patch",
        "--set",
        f"ops={ops}",
        "--confirm",
        "catalog",
    )
    assert run.returncode == 0, run.stderr
    (real,) = [s for s in writes(wire) if "dryRun" not in s.query]
    assert real.content_type == "application/json-patch+json"
    assert real.body[0] == {"op": "add", "path": "/metadata/labels/incident", "value": "inc-42"}
    assert real.body[1]["path"] == "/metadata/resourceVersion"
    dep = kube.cluster.get("Deployment", "catalog", "shop")
    assert dep is not None
    assert dep["metadata"]["labels"]["incident"] == "inc-42"


def test_a_user_template_error_names_the_file_and_line(shop: Shop, cli: Cli) -> None:
    path = _user_templates() / "broken.yaml"
    path.write_text("description: x\ntype: merge\npatch:\n  spec: {replicas: [1\n")
    run = cli("patch", "deployment/catalog", "--template", "broken", "--confirm", "catalog")
    assert run.returncode == 2
    assert str(path) in run.stderr
    assert "line 4" in run.stderr or "line 5" in run.stderr
    (_user_templates() / "badtype.yaml").write_text("description: x\n\ntype: xml\npatch: {}\n")
    with pytest.raises(BadInput, match=r"badtype.yaml line 3: type 'xml'"):
        templates.load("badtype")


def test_a_user_template_overrides_and_adds(shop: Shop) -> None:
    (_user_templates() / "team.yaml").write_text(
        "kinds: [deployments]\ntype: merge\nparams: {n: {type: int}}\n"
        "patch: {spec: {replicas: '{n}'}, metadata: {labels: {size: 'n{n}'}}}\n"
    )
    assert "team" in templates.names()
    body = templates.render(templates.load("team"), {"n": "4"}, {})
    assert body == {"spec": {"replicas": 4}, "metadata": {"labels": {"size": "n4"}}}
    with pytest.raises(BadInput, match="no parameter 'm'"):
        templates.render(templates.load("team"), {"m": "4"}, {})
    with pytest.raises(BadInput, match="not a whole number"):
        templates.render(templates.load("team"), {"n": "four"}, {})


def test_every_shipped_template_parses() -> None:
    for name in ("annotation", "go-env", "gomemlimit", "json-patch", "memory-limit", "replicas"):
        assert templates.load(name).source.startswith("shipped")
