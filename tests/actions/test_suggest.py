"""From a finding to a proposal: the crash report of the cluster, then the suggested command."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.actions.conftest import Cli
from tests.support.kube import Kube
from triage.actions import history, suggest
from triage.cluster.client import KubeClient, connect
from triage.cluster.crashes import gather
from triage.cluster.executor import ClientExecutor
from triage.cluster.kubeconfig import ConnectOptions
from triage.kubeserver.scenarios import Shop


@pytest.fixture
def client(kube: Kube, shop: Shop) -> Iterator[KubeClient]:
    made = connect(ConnectOptions(str(kube.kubeconfig(namespace="shop"))))
    yield made
    made.close()


def test_a_crash_that_began_with_the_newest_revision_proposes_the_rollback(
    kube: Kube, client: KubeClient, cli: Cli
) -> None:
    report = gather(client, "shop")
    (checkout,) = [w for w in report.workloads if w.ref.name == "checkout"]
    assert checkout.signature is not None
    table = history.read(ClientExecutor(client), "shop", "checkout", 600)
    proposal = suggest.rollback("deployment/checkout", checkout.signature.since_revision, table)
    assert proposal is not None
    assert proposal.args == ("--to-revision", "1")
    assert "began with revision 2" in proposal.why
    assert proposal.command == "triage rollback deployment/checkout --to-revision 1"
    # proposals are never automatic: nothing changed until the command is run and confirmed
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v7")
    run = cli(*proposal.command.split()[1:], "--confirm", "checkout")
    assert run.returncode == 0, run.stderr
    catalog = history.read(ClientExecutor(client), "shop", "catalog", 600)
    assert suggest.rollback("deployment/catalog", None, catalog) is None


@pytest.mark.parametrize(
    ("limit", "value"),
    [("1Gi", "921MiB"), ("512Mi", "460MiB"), ("1G", "858MiB"), ("lots", None), ("1.5Gi", None)],
)
def test_gomemlimit_is_ninety_percent_of_the_limit(limit: str, value: str | None) -> None:
    assert suggest.gomemlimit_for(limit) == value


def test_oom_proposes_gomemlimit_first() -> None:
    first, second = suggest.oom("deployment/api", "api", "1Gi")
    assert first.args[:4] == ("--template", "gomemlimit", "--set", "value=921MiB")
    assert second.args[1] == "memory-limit"
    (only,) = suggest.oom("deployment/api", "api", None)
    assert only.args[1] == "memory-limit"


def test_a_node_whose_pods_all_fail_proposes_cordon_then_drain() -> None:
    cordon, drain = suggest.node("node-1", 4, 4, healthy_elsewhere=True)
    assert (cordon.command, drain.command) == (
        "triage cordon node-1",
        "triage drain node-1 --ignore-daemonsets",
    )
    assert suggest.node("node-1", 4, 3, healthy_elsewhere=True) == []
    assert suggest.node("node-1", 4, 4, healthy_elsewhere=False) == []
