"""Backoff schedule and the status line a polled endpoint shows, table-driven."""

from __future__ import annotations

import pytest

from triage.errors import TriageError, Unreachable
from triage.probes.poller import Backoff, Poller, one_line


@pytest.mark.parametrize(
    ("failures", "delay"),
    [
        (0, 0.0),
        (1, 1.0),
        (2, 2.0),
        (3, 4.0),
        (4, 8.0),
        (5, 16.0),
        (6, 32.0),
        (7, 60.0),
        (8, 60.0),
        (10_000, 60.0),
        (-1, 0.0),
    ],
)
def test_default_backoff_doubles_up_to_a_minute(failures: int, delay: float) -> None:
    assert Backoff().delay(failures) == delay


@pytest.mark.parametrize(
    ("backoff", "delays"),
    [
        (Backoff(base=0.5, maximum=3.0), [0.5, 1.0, 2.0, 3.0, 3.0]),
        (Backoff(base=5.0, factor=3.0, maximum=100.0), [5.0, 15.0, 45.0, 100.0, 100.0]),
        (Backoff(base=2.0, factor=1.0), [2.0, 2.0, 2.0, 2.0, 2.0]),
    ],
)
def test_backoff_is_configurable(backoff: Backoff, delays: list[float]) -> None:
    assert [backoff.delay(n) for n in range(1, 6)] == delays


REFUSED = Unreachable(
    "http://127.0.0.1:6060/healthz: cannot connect (connection refused)",
    "is the process running and the port forwarded?",
)


#: (event, now) steps -> (next attempt, consecutive failures, status line at the step's time)
POLL_CASES: dict[str, list[tuple[str, float, float, int, str]]] = {
    "failures back off and say why": [
        ("fail", 100.0, 101.0, 1, "healthz: cannot connect (connection refused), retry in 1s"),
        ("fail", 101.0, 103.0, 2, "healthz: cannot connect (connection refused), retry in 2s"),
        ("fail", 103.0, 107.0, 3, "healthz: cannot connect (connection refused), retry in 4s"),
        ("fail", 107.0, 115.0, 4, "healthz: cannot connect (connection refused), retry in 8s"),
    ],
    "a success resets to the interval": [
        ("fail", 100.0, 101.0, 1, "healthz: cannot connect (connection refused), retry in 1s"),
        ("fail", 101.0, 103.0, 2, "healthz: cannot connect (connection refused), retry in 2s"),
        ("ok", 103.0, 108.0, 0, "healthz ok"),
        ("fail", 108.0, 109.0, 1, "healthz: cannot connect (connection refused), retry in 1s"),
    ],
    "the countdown runs with the clock": [
        ("fail", 100.0, 101.0, 1, "healthz: cannot connect (connection refused), retry in 1s"),
        ("fail", 101.0, 103.0, 2, "healthz: cannot connect (connection refused), retry in 2s"),
        ("look", 102.2, 103.0, 2, "healthz: cannot connect (connection refused), retry in 1s"),
        ("look", 104.0, 103.0, 2, "healthz: cannot connect (connection refused), retrying"),
    ],
}


@pytest.mark.parametrize("steps", POLL_CASES.values(), ids=POLL_CASES.keys())
def test_poller_status_line(steps: list[tuple[str, float, float, int, str]]) -> None:
    poller = Poller("healthz", interval=5.0)
    assert poller.state(0.0).status_line == "healthz: waiting"
    for event, now, next_attempt, failures, line in steps:
        if event == "fail":
            poller.failed(REFUSED, now)
        elif event == "ok":
            poller.succeeded(now)
        state = poller.state(now)
        assert (state.next_attempt, state.consecutive_failures) == (next_attempt, failures)
        assert state.status_line == line
        assert poller.due(now) is (now >= next_attempt)


def test_last_success_survives_failures() -> None:
    poller = Poller("metrics", interval=10.0)
    poller.succeeded(50.0)
    poller.failed("HTTP 502 Bad Gateway", 60.0)
    state = poller.state(60.0)
    assert (state.ok, state.last_success, state.last_error) == (False, 50.0, "HTTP 502 Bad Gateway")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (REFUSED, "cannot connect (connection refused)"),
        (Unreachable("https://gw:443/x/metrics?a=b: HTTP 503"), "HTTP 503"),
        ("first line\nsecond line", "first line"),
        (ConnectionResetError(), "ConnectionResetError"),
        ("", "failed"),
    ],
)
def test_one_line_drops_the_url_and_the_rest(
    error: TriageError | BaseException | str, line: str
) -> None:
    assert one_line(error) == line
