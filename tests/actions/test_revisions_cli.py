"""``triage rollback statefulset/NAME``: back to a ControllerRevision, as kubectl does."""

from __future__ import annotations

from typing import Any

from kubernetes import client, config

from tests.actions.conftest import Cli, Seen, writes
from tests.support.kube import Kube


def _ledger(kube: Kube) -> None:
    """A StatefulSet rolled from :1 to :2 through the API (the controller records revisions)."""
    api = config.new_client_from_config(config_file=str(kube.kubeconfig(namespace="shop")))
    kube.cluster.add_namespace("shop")
    apps = client.AppsV1Api(api)
    body: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "ledger", "labels": {"app": "ledger"}},
        "spec": {
            "replicas": 1,
            "serviceName": "ledger",
            "selector": {"matchLabels": {"app": "ledger"}},
            "template": {
                "metadata": {"labels": {"app": "ledger"}},
                "spec": {"containers": [{"name": "ledger", "image": "registry.local/ledger:1"}]},
            },
        },
    }
    apps.create_namespaced_stateful_set("shop", body)
    patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "ledger", "image": "registry.local/ledger:2"}]}
            }
        }
    }
    apps.patch_namespaced_stateful_set("ledger", "shop", patch)
    api.close()


def _image(kube: Kube) -> str:
    sts = kube.cluster.get("StatefulSet", "ledger", "shop")
    assert sts is not None
    return str(sts["spec"]["template"]["spec"]["containers"][0]["image"])


def test_statefulset_rollback_sends_the_revision_data(
    kube: Kube, cli: Cli, wire: list[Seen]
) -> None:
    _ledger(kube)
    assert _image(kube) == "registry.local/ledger:2"
    wire.clear()
    run = cli("rollback", "statefulset/ledger", "--confirm", "ledger", "--timeout", "10s")
    assert run.returncode == 0, run.stderr
    assert "roll back statefulset/ledger to revision 1" in run.stdout
    (real,) = [s for s in writes(wire) if "dryRun" not in s.query]
    assert real.content_type == "application/strategic-merge-patch+json"
    assert real.body["spec"]["template"]["$patch"] == "replace"
    assert "resourceVersion" in real.body["metadata"]
    assert _image(kube) == "registry.local/ledger:1"
    again = cli("rollback", "statefulset/ledger", "--to-revision", "3", "--confirm", "ledger")
    assert again.returncode == 0
    assert "skipped rollback (current template already matches revision 3)" in again.stdout
