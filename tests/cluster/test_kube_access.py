"""SelfSubjectAccessReviews decide what is offered, against the project's API server."""

from __future__ import annotations

from tests.support.kube import Kube
from triage.cluster.access import permissions
from triage.cluster.client import connect
from triage.cluster.kubeconfig import ConnectOptions


def test_admin_may_do_everything(kube: Kube) -> None:
    client = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig())))
    try:
        perms = permissions(client, "default")
    finally:
        client.close()
    assert perms.logs and perms.port_forward
    assert perms.missing() == []


def test_viewer_is_told_which_permission_would_show_more(kube: Kube) -> None:
    client = connect(ConnectOptions(kubeconfig=str(kube.kubeconfig(user="viewer"))))
    try:
        perms = permissions(client, "shop")
    finally:
        client.close()
    assert not perms.logs and not perms.port_forward
    assert perms.allowed["list pods"] and perms.allowed["events"]
    assert perms.missing() == [
        "full logs and tracebacks need `get pods/log` in namespace shop",
        "live pprof, health and metrics need `get` and `create` on pods/portforward "
        "in namespace shop",
    ]
