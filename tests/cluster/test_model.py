"""The crash model read from pod JSON: reasons, exit codes, restarts, worst first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.cluster.pods import CHECKOUT_MESSAGE, container_status, pod, rs_pod, terminated
from triage.cluster.model import exit_meaning, pod_crash

NOW = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)


def crashloop(suffix: str = "l5lls", restarts: int = 7, **kw: object) -> dict[str, object]:
    return rs_pod(
        "checkout",
        "68c66446d8",
        suffix,
        statuses=[
            container_status(
                "checkout",
                waiting="CrashLoopBackOff",
                last=terminated(2, message=CHECKOUT_MESSAGE),
                restarts=restarts,
            )
        ],
        **kw,  # type: ignore[arg-type]
    )


def test_crashloop_pod_as_the_transcript_shows_it() -> None:
    crash = pod_crash(crashloop(), NOW)
    assert crash.reason == "CrashLoopBackOff"
    assert crash.restarts == 7
    assert crash.ready_text == "0/1" and not crash.ready
    assert crash.crashing and crash.rank == 0
    term = crash.last_termination
    assert term is not None
    assert (term.reason, term.exit_code, term.signal) == ("Error", 2, None)
    assert term.meaning == "Go panic or fatal error"
    assert term.message.startswith("panic: runtime error")
    assert term.as_json()["finished_at"] == "2026-12-05T10:16:12Z"
    assert crash.owner_kind == "ReplicaSet" and crash.template_hash == "68c66446d8"
    assert crash.node == "tx1-node"


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        (2, "Go panic or fatal error"),
        (134, "abort (SIGABRT, e.g. GOTRACEBACK=crash)"),
        (137, "killed by SIGKILL (OOM killer or kill -9)"),
        (66, "data race found (a -race build exits 66)"),
        (143, "terminated by SIGTERM (asked to stop)"),
        (130, "killed by SIGINT"),
        (3, "error exit"),
        (None, ""),
    ],
)
def test_exit_code_meanings(code: int | None, meaning: str) -> None:
    assert exit_meaning(code) == meaning


def test_oom_killed_names_the_kernel_and_the_signal() -> None:
    p = rs_pod(
        "api",
        "abc",
        "x1",
        statuses=[
            container_status(
                waiting="CrashLoopBackOff", last=terminated(137, "OOMKilled"), restarts=3
            )
        ],
    )
    term = pod_crash(p, NOW).last_termination
    assert term is not None
    assert term.signal == "SIGKILL"
    assert "OOM killer" in term.meaning


def test_explicit_signal_field_wins() -> None:
    p = pod("a", statuses=[container_status(term=terminated(0, "Error", signal=6))])
    term = pod_crash(p, NOW).last_termination
    assert term is not None and term.signal == "SIGABRT"


@pytest.mark.parametrize(
    ("status", "reason", "rank", "crashing"),
    [
        (
            container_status(waiting="CrashLoopBackOff", restarts=4, last=terminated(2)),
            "CrashLoopBackOff",
            0,
            True,
        ),
        (container_status(term=terminated(2), restarts=1), "Error", 0, True),
        (container_status(waiting="ImagePullBackOff"), "ImagePullBackOff", 1, True),
        (
            container_status(waiting="CreateContainerConfigError"),
            "CreateContainerConfigError",
            1,
            True,
        ),
        (container_status(waiting="ContainerCreating"), "ContainerCreating", 4, False),
        (container_status(running=True), "", 4, False),
        # restarted 20 minutes ago, running again: crashed within the hour
        (
            container_status(
                running=True, restarts=2, last=terminated(2, finished="2026-12-05T10:10:00Z")
            ),
            "",
            2,
            True,
        ),
        # restarted yesterday, fine since
        (
            container_status(
                running=True, restarts=2, last=terminated(2, finished="2026-12-04T10:10:00Z")
            ),
            "",
            4,
            False,
        ),
    ],
)
def test_reason_and_rank(status: dict[str, object], reason: str, rank: int, crashing: bool) -> None:
    crash = pod_crash(pod("p", statuses=[status], created="2026-12-01T00:00:00Z"), NOW)
    assert (crash.reason, crash.rank, crash.crashing) == (reason, rank, crashing)


def test_worst_container_of_several_explains_the_pod() -> None:
    p = pod(
        "two",
        statuses=[
            container_status("sidecar", running=True),
            container_status("app", waiting="CrashLoopBackOff", restarts=5, last=terminated(2)),
        ],
    )
    crash = pod_crash(p, NOW)
    assert crash.worst is not None and crash.worst.name == "app"
    assert crash.ready_text == "1/2"
    assert crash.restarts == 5


def test_init_container_crash_loop_counts() -> None:
    p = pod("init", statuses=[container_status("app", waiting="PodInitializing")])
    p["status"]["initContainerStatuses"] = [
        container_status("migrate", waiting="CrashLoopBackOff", restarts=3, last=terminated(1))
    ]
    crash = pod_crash(p, NOW)
    assert crash.reason == "CrashLoopBackOff" and crash.worst is not None
    assert crash.worst.name == "migrate" and crash.worst.init
    assert crash.ready_text == "0/1"  # init containers are not in READY


@pytest.mark.parametrize(
    ("created", "finished", "restarts", "expected", "exact"),
    [
        ("2026-12-05T10:00:00Z", "2026-12-05T10:25:00Z", 6, 6, True),  # young pod: all
        ("2026-12-01T00:00:00Z", "2026-12-04T10:00:00Z", 6, 0, True),  # last death long ago
        ("2026-12-01T00:00:00Z", "2026-12-05T10:25:00Z", 6, 1, False),  # at least the last
    ],
)
def test_restarts_in_the_last_hour(
    created: str, finished: str, restarts: int, expected: int, exact: bool
) -> None:
    p = pod(
        "p",
        created=created,
        statuses=[
            container_status(running=True, restarts=restarts, last=terminated(2, finished=finished))
        ],
    )
    recent = pod_crash(p, NOW).recent
    assert (recent.count, recent.exact) == (expected, exact)
    assert str(recent) == (str(expected) if exact else f">={expected}")


def test_worst_first_ordering() -> None:
    pods = [
        pod("fine", statuses=[container_status(running=True)]),
        pod("pull", statuses=[container_status(waiting="ImagePullBackOff")]),
        crashloop("few", restarts=2),
        crashloop("many", restarts=40),
    ]
    ordered = sorted((pod_crash(p, NOW) for p in pods), key=lambda c: c.sort_key())
    assert [c.name.rsplit("-", 1)[-1] for c in ordered] == ["many", "few", "pull", "fine"]


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"metadata": None, "status": None},
        {"status": {"containerStatuses": [{"state": None, "lastState": None}]}},
        {
            "status": {
                "containerStatuses": [
                    {"lastState": {"terminated": {"exitCode": "x", "finishedAt": "not a time"}}}
                ]
            }
        },
    ],
)
def test_malformed_pods_read_as_empty_not_errors(raw: dict[str, object]) -> None:
    crash = pod_crash(raw, NOW)
    assert crash.name == ""
    assert crash.rank == 4 and not crash.crashing
