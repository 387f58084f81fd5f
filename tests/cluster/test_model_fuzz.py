"""Bad input is normal input: any JSON shape where a pod is expected reads without error."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.cluster.endpoints import pod_endpoints
from triage.cluster.model import pod_crash
from triage.cluster.signature import Sample, fleet_signature, message_shape
from triage.cluster.workloads import build_revisions, revision_of, workload_of

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
KEYS = st.sampled_from(
    [
        "metadata",
        "spec",
        "status",
        "containerStatuses",
        "initContainerStatuses",
        "state",
        "lastState",
        "waiting",
        "terminated",
        "reason",
        "exitCode",
        "signal",
        "finishedAt",
        "message",
        "restartCount",
        "ready",
        "name",
        "namespace",
        "labels",
        "ownerReferences",
        "controller",
        "kind",
        "containers",
        "ports",
        "containerPort",
        "livenessProbe",
        "httpGet",
        "port",
        "path",
        "annotations",
        "creationTimestamp",
        "pod-template-hash",
        "revision",
    ]
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, json_values, max_size=6))
def test_any_shape_reads_as_a_pod(raw: dict[str, Any]) -> None:
    crash = pod_crash(raw)
    assert crash.rank in range(5)
    _ = (crash.reason, crash.ready_text, crash.last_termination, crash.sort_key())
    revisions = build_revisions([raw], [raw])
    workload_of(crash, revisions)
    revision_of(crash, revisions)
    pod_endpoints(raw)
    fleet_signature([Sample(None, crash.last_termination, None)], 1)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_message_shape_of_any_text(text: str) -> None:
    shape = message_shape(text)
    assert "\n" not in shape and len(shape) <= 120


def test_message_shape_is_linear() -> None:
    """A complexity check, not a budget: 10x the input may cost at most ~40x the time
    (best of five each), which a quadratic regex would exceed by far."""
    import time

    def cost(n: int) -> float:
        text = '"' + "\\x 0x1f " * n + " 12.5 " * n  # an unterminated quote, numbers
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            message_shape(text)
            best = min(best, time.process_time() - start)
        return best

    small, large = cost(2_000), cost(20_000)
    assert large < 40 * small + 0.01
