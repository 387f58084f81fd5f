"""Fleet signatures: the same crash counted across pods and revisions."""

from __future__ import annotations

import pytest

from tests.cluster.pods import CHECKOUT_MESSAGE
from triage.cluster.crashes import engine_crash
from triage.cluster.model import Termination
from triage.cluster.signature import Sample, fleet_signature, message_shape


@pytest.mark.parametrize(
    ("message", "shape"),
    [
        (
            "runtime error: invalid memory address or nil pointer dereference",
            "nil pointer dereference",
        ),
        (
            "runtime error: index out of range [5] with length 3",
            "index out of range [N] with length N",
        ),
        (
            "runtime error: index out of range [17] with length 2",
            "index out of range [N] with length N",
        ),
        ('order "A-1234" not found at 0xc000123450', 'order "?" not found at 0x?'),
        ("assignment to entry in nil map", "assignment to entry in nil map"),
        ("first line\n\tsecond line", "first line"),
    ],
)
def test_message_shape(message: str, shape: str) -> None:
    assert message_shape(message) == shape


def _panic(func: str, message: str, line: int = 42) -> dict[str, object]:
    return {
        "kind": "panic",
        "message": message,
        "frame": {"func": func, "file": "/src/checkout/handler.go", "line": line},
    }


def test_the_issue_example() -> None:
    nil = "runtime error: invalid memory address or nil pointer dereference"
    samples = [
        Sample(_panic("main.ownerEmail", nil), None, rev) for rev in (7, 7, 8, 8, 8, 9, 9, 9, 9)
    ]
    samples.append(
        Sample(_panic("main.other", "runtime error: index out of range [1] with length 0"), None, 6)
    )
    sig = fleet_signature(samples, total=12)
    assert sig is not None
    assert sig.summary == (
        "9/12 pods: nil pointer dereference at main.ownerEmail (checkout/handler.go:42), "
        "since revision 7"
    )
    assert (sig.pods, sig.total, sig.since_revision) == (9, 12, 7)
    assert sig.as_json()["summary"] == sig.summary


def test_lines_moved_by_a_new_revision_still_match() -> None:
    msg = "runtime error: index out of range [3] with length 3"
    sig = fleet_signature(
        [
            Sample(_panic("main.f", msg, 10), None, 1),
            Sample(_panic("main.f", msg.replace("3", "9"), 12), None, 2),
        ],
        2,
    )
    assert sig is not None and sig.pods == 2


def test_oom_fleet_without_logs_is_named_by_its_termination() -> None:
    oom = Termination("OOMKilled", 137, "SIGKILL", None, "")
    sig = fleet_signature([Sample(None, oom, None), Sample(None, oom, None)], 5)
    assert sig is not None
    assert sig.summary.startswith("2/5 pods: OOMKilled (exit 137: out of memory")
    assert sig.since_revision is None


def test_nothing_known_gives_no_signature() -> None:
    assert fleet_signature([Sample(None, None, 3)], 3) is None


def test_engine_names_the_crash_in_a_partial_termination_message() -> None:
    """The transcript's 4 KiB-capped message: the engine still names crash and frame."""
    crash = engine_crash(CHECKOUT_MESSAGE.encode())
    assert crash is not None
    assert crash["kind"] == "panic"
    assert crash["frame"]["func"] == "main.ownerEmail"
    sig = fleet_signature([Sample(crash, None, 2)] * 3, 6)
    assert sig is not None
    assert sig.summary == (
        "3/6 pods: nil pointer dereference at main.ownerEmail (checkout/main.go:49), "
        "since revision 2"
    )


def test_engine_on_a_message_cut_mid_stack() -> None:
    """The panic line survives, the stack is cut in the middle of a frame."""
    cut = CHECKOUT_MESSAGE[: CHECKOUT_MESSAGE.index("main.processJob") + 9]
    crash = engine_crash(cut.encode())
    assert crash is not None and crash["message"].endswith("nil pointer dereference")


def test_engine_on_text_without_a_crash() -> None:
    assert engine_crash(b"starting server on :8080\nlistening\n") is None
