"""A pod or workload reference as a source: crash log, fleet signature, port-forward."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.cluster.seed import seed_shop
from tests.support import targets
from tests.support.kube import Kube
from triage.cluster import source
from triage.errors import BadInput
from triage.goroutines import analyze
from triage.kubeserver import Container
from triage.probes.client import ProbeClient

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Ref:
    """Shaped like triage.targets.KubeTarget."""

    resource: str
    name: str
    namespace: str | None = None
    context: str | None = None
    kubeconfig: str | None = None


def test_pod_reference_reads_the_previous_log(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    ref = Ref("pod", shop.checkout_crashing[0], "shop", kubeconfig=str(kube.kubeconfig()))
    got = source.read_crash_log(ref)
    assert (got.which, got.pod, got.namespace, got.container) == (
        "previous",
        shop.checkout_crashing[0],
        "shop",
        "checkout",
    )
    assert got.label == f"pod/{shop.checkout_crashing[0]} (previous log)"
    crash = analyze(got.data).primary
    assert crash is not None and crash.crash is not None
    assert crash.crash.message.endswith("nil pointer dereference")


def test_deployment_reference_reads_its_worst_pod(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    ref = Ref("deployment", "checkout", "shop", kubeconfig=str(kube.kubeconfig()))
    got = source.read_crash_log(ref)
    assert got.pod in shop.checkout_crashing  # not one of the healthy revision-1 pods
    assert got.which == "previous"


def test_viewer_gets_the_termination_message(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    ref = Ref("deployment", "checkout", "shop", kubeconfig=str(kube.kubeconfig(user="viewer")))
    got = source.read_crash_log(ref)
    assert got.which == "termination-message"
    assert got.data.decode() == shop.panic_log[-4096:]


def test_workload_report_gives_the_fleet_signature(kube: Kube) -> None:
    seed_shop(kube.cluster)
    ref = Ref("deployment", "checkout", "shop", kubeconfig=str(kube.kubeconfig()))
    report = source.workload_report(ref)
    assert report is not None and report.signature is not None
    assert report.total == 5
    assert report.signature.summary.startswith("3/5 pods: nil pointer dereference at ")
    healthy = Ref("deployment", "catalog", "shop", kubeconfig=str(kube.kubeconfig()))
    assert source.workload_report(healthy) is None


def test_missing_pod_is_one_line_bad_input(kube: Kube) -> None:
    ref = Ref("pod", "no-such-pod", kubeconfig=str(kube.kubeconfig()))
    with pytest.raises(BadInput) as err:
        source.read_crash_log(ref)
    assert err.value.line() == (
        'reading pod no-such-pod in namespace default: pods "no-such-pod" not found; '
        "check the name and the namespace (-n/-A)"
    )


def test_forward_a_pod_reference_to_its_pprof(kube: Kube) -> None:
    with targets.leaky() as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        kube.cluster.add_pod(
            "default",
            "leaky-0",
            [Container("leaky", ports=[{"name": "pprof", "containerPort": 6060}])],
        )
        kube.cluster.back_port("default", "leaky-0", 6060, (host, int(port)))
        fwd, endpoints, client = source.forward(
            Ref("pod", "leaky-0", kubeconfig=str(kube.kubeconfig()))
        )
        try:
            assert endpoints.pprof_port == 6060
            probe = ProbeClient(fwd.url)
            try:
                assert b"goroutine " in probe.goroutines()
            finally:
                probe.close()
        finally:
            fwd.close()
            client.close()
