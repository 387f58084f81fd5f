"""The cluster screen's pure parts: the model (batches -> workloads) and the row texts.

Pod JSON is shaped like a real API server's (tests/cluster/pods.py); the clock is
fixed, so every age and "last hour" figure is exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cluster.pods import (
    CHECKOUT_MESSAGE,
    container_status,
    replicaset,
    rs_pod,
    terminated,
)
from triage.cluster.crashes import engine_crash
from triage.cluster.model import Termination, pod_crash
from triage.cluster.watch import Batch, key_of
from triage.ui.cluster_model import ClusterModel, PodView
from triage.ui.render_cluster import age, build_rows, pod_spans, termination_text
from triage.ui.render_pod import LogChoice, event_lines, log_bar

NOW = datetime(2026, 12, 5, 10, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "?"),
        (0, "0s"),
        (59, "59s"),
        (60, "1m"),
        (3599, "59m"),
        (7200, "2h"),
        (3 * 86400, "3d"),
    ],
)
def test_age_is_kubectls(seconds: int | None, text: str) -> None:
    assert age(None if seconds is None else timedelta(seconds=seconds)) == text


FINISHED = datetime(2026, 12, 5, 10, 16, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (None, ""),
        (
            Termination("Error", 2, None, FINISHED, ""),
            "Error exit 2 (Go panic or fatal error) 3m ago",
        ),
        (
            Termination("OOMKilled", 137, "SIGKILL", None, ""),
            "OOMKilled exit 137 (out of memory: killed by the kernel's OOM killer) SIGKILL",
        ),
        (
            Termination("Error", 137, "SIGKILL", None, ""),
            "Error exit 137 (killed by SIGKILL (OOM killer or kill -9))",
        ),
        (
            Termination("", 66, None, None, ""),
            "Terminated exit 66 (data race found (a -race build exits 66))",
        ),
    ],
)
def test_termination_text(term: Termination | None, text: str) -> None:
    assert termination_text(term, NOW) == text


def crashing_pod(name: str, restarts: int = 7, message: str = CHECKOUT_MESSAGE) -> dict:
    return rs_pod(
        "checkout",
        "7d9f",
        name,
        statuses=[
            container_status(
                "checkout",
                waiting="CrashLoopBackOff",
                last=terminated(2, message=message),
                restarts=restarts,
            )
        ],
    )


def healthy_pod(name: str, deployment: str = "catalog") -> dict:
    return rs_pod(deployment, "5c6b", name, statuses=[container_status("app", running=True)])


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            crashing_pod("a1"),
            [
                "✖ checkout-7d9f-a1",
                "0/1",
                "↻7 (>=1/h)",
                "CrashLoopBackOff",
                "Error exit 2 (Go panic or fatal error) 3m ago",
                "age 1h",
                "tx1-node",
                "rev 3",
            ],
        ),
        (healthy_pod("b1"), ["✓ catalog-5c6b-b1", "1/1", "↻0 (0/h)", "Running", "age 1h"]),
    ],
)
def test_pod_row_names_every_crash_signal(raw: dict, words: list[str]) -> None:
    view = PodView(pod_crash(raw, NOW), 3, raw)
    text = "".join(t for t, _ in pod_spans(view, NOW))
    for word in words:
        assert word in text, (word, text)
    for start in words[1:]:
        assert text.index(words[0]) < text.index(start)  # name first


def model_with(*pods: dict) -> ClusterModel:
    model = ClusterModel(lambda: NOW, engine_crash)
    model.set_revisions([replicaset("checkout", "7d9f", 3), replicaset("catalog", "5c6b", 1)], [])
    model.apply(Batch(snapshot={key_of(p): p for p in pods}))
    return model


def test_worst_workload_first_with_the_signature_from_termination_messages() -> None:
    model = model_with(
        healthy_pod("b1"), crashing_pod("a1"), crashing_pod("a2", 2), healthy_pod("a3", "checkout")
    )
    workloads = model.workloads()
    assert [w.ref.label for w in workloads] == ["deployment/checkout", "deployment/catalog"]
    rows = build_rows(workloads, NOW)
    texts = [r.text for r in rows]
    assert texts[0].startswith("▾ ✖ deployment/checkout") and "2/3 crashing" in texts[0]
    assert texts[1] == (
        "    ≡ 2/3 pods: nil pointer dereference at main.ownerEmail (checkout/main.go:49),"
        " since revision 3"
    )
    assert [r.pod.crash.name for r in rows if r.pod] == [  # type: ignore[union-attr]
        "checkout-7d9f-a1",
        "checkout-7d9f-a2",
        "checkout-5c6b-a3",
    ]
    assert texts[-1].startswith("▸ ✓ deployment/catalog") and "1/1 ready" in texts[-1]


def test_events_update_only_what_they_name() -> None:
    model = model_with(healthy_pod("b1"), crashing_pod("a1"))
    fixed = healthy_pod("a1", "checkout")
    fixed["metadata"]["name"] = "checkout-7d9f-a1"
    fixed["metadata"]["labels"]["pod-template-hash"] = "7d9f"
    fixed["metadata"]["ownerReferences"][0]["name"] = "checkout-7d9f"
    model.apply(Batch(events=[("MODIFIED", fixed)]))
    assert all(w.signature is None for w in model.workloads())
    model.apply(Batch(events=[("DELETED", fixed)]))
    assert [w.ref.label for w in model.workloads()] == ["deployment/catalog"]


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", ["deployment/checkout", "deployment/catalog"]),
        ("catalog", ["deployment/catalog"]),
        ("ctlg", []),  # short queries are substrings, not fuzzy
        ("catalgo", ["deployment/catalog"]),  # fuzzy: a typo still finds it
        ("b1", ["deployment/catalog"]),  # a pod's name
        ("crashloop", ["deployment/checkout"]),  # a pod's reason
    ],
)
def test_filter(query: str, shown: list[str]) -> None:
    rows = build_rows(
        model_with(healthy_pod("b1"), crashing_pod("a1")).workloads(), NOW, query=query
    )
    assert [r.workload.ref.label for r in rows if r.kind == "workload"] == shown


def test_folds() -> None:
    workloads = model_with(healthy_pod("b1"), crashing_pod("a1")).workloads()
    keys = {w.ref.name: (w.ref.namespace, w.ref.kind, w.ref.name) for w in workloads}
    rows = build_rows(
        workloads,
        NOW,
        collapsed=frozenset({keys["checkout"]}),
        expanded=frozenset({keys["catalog"]}),
    )
    assert [r.kind for r in rows] == ["workload", "signature", "workload", "pod"]


def test_log_bar_and_events_newest_first() -> None:
    bar = log_bar(LogChoice("app", previous=True, tail=None, follow=True), ["side", "app"])
    assert (
        bar
        == "log: previous · container app (2/2) · tail all · follow on · timestamps off · wrap off"
    )
    events = [
        {
            "type": "Normal",
            "reason": "Pulled",
            "message": "pulled",
            "lastTimestamp": "2026-12-05T10:00:00Z",
        },
        {
            "type": "Warning",
            "reason": "BackOff",
            "message": "Back-off  restarting",
            "count": 9,
            "lastTimestamp": "2026-12-05T10:19:00Z",
        },
    ]
    assert event_lines(events, NOW) == [
        "  1m  Warning  BackOff (x9)  Back-off restarting",
        " 20m  Normal   Pulled  pulled",
    ]


def test_a_workload_without_pods_still_shows_and_ranks_as_cannot_start() -> None:
    model = model_with(healthy_pod("b1"))
    stuck = {"metadata": {"namespace": "tx1", "name": "ledger"}, "spec": {"replicas": 2}}
    idle = {"metadata": {"namespace": "tx1", "name": "batch"}, "spec": {"replicas": 0}}
    ds = {
        "metadata": {"namespace": "tx1", "name": "agent"},
        "status": {"desiredNumberScheduled": 0},
    }
    model.set_workloads([("Deployment", stuck), ("Deployment", idle), ("DaemonSet", ds)])
    texts = [r.text for r in build_rows(model.workloads(), NOW)]
    assert texts[0] == (
        "▸ ✖ deployment/ledger  ns tx1  0/2 ready · no pods (see the workload's events)"
    )
    assert texts[1:] == [
        "▸ ✓ daemonset/agent  ns tx1  0/0 ready",
        "▸ ✓ deployment/batch  ns tx1  0/0 ready",
        "▸ ✓ deployment/catalog  ns tx1  1/1 ready",
    ]
