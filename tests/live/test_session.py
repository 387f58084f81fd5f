"""The live session without any UI: a real leaky Go service on loopback, a hand-moved clock.

The session's schedule, backoff, growth and capability handling are plain
state transitions, so each test runs the blocking fetches itself (as a UI's
workers would) and checks what the session decided.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.probes.fakes import FakeClock
from tests.support.httpd import refused_url
from tests.support.targets import Service, leaky
from triage.config import Config, Refresh
from triage.errors import TriageError
from triage.goroutines import Analysis
from triage.live.fetcher import Capability, http_fetcher
from triage.live.session import (
    FetchFailed,
    HealthFetched,
    LiveSession,
    MetricsFetched,
    SnapshotFetched,
)
from triage.probes.client import HealthSample, ProbeClient

G, H, M = Capability.GOROUTINES, Capability.HEALTH, Capability.METRICS


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with leaky("-spawn", "20") as svc:
        yield svc


def config(**refresh: float) -> Config:
    settings: dict[str, float] = {"goroutines": 10.0, "health": 2.0, "metrics": 5.0, **refresh}
    return Config(refresh=Refresh(**settings))  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(0.0)


def session_for(url: str, clock: FakeClock, **refresh: float) -> LiveSession:
    cfg = config(**refresh)
    return LiveSession(http_fetcher(url, cfg), cfg, clock=clock)


def run(session: LiveSession, polls: list[Capability]) -> None:
    """What the UI's workers and message handlers do, in one thread."""
    for poll in polls:
        session.apply(session.fetch(poll))


def test_everything_once_then_each_on_its_own_interval(service: Service, clock: FakeClock) -> None:
    session = session_for(service.url, clock)
    first = session.first_polls()
    assert first == [G, H, M]
    assert session.due() == []  # all three are running
    run(session, first)
    assert session.due() == []
    clock.advance(2)
    assert session.due() == [H]
    run(session, [H])
    clock.advance(1)
    assert session.due() == []  # health again at 4, metrics at 5
    clock.advance(2)
    assert session.due() == [H, M]
    run(session, [H, M])
    clock.advance(5)
    assert session.due() == [G, H, M]
    text, level = session.status_line()
    assert (text, level) == (f"attached to {service.url} · live", "info")
    session.close()


def test_results_land_in_the_trackers(service: Service, clock: FakeClock) -> None:
    session = session_for(service.url, clock)
    results = [session.fetch(p) for p in session.first_polls()]
    assert [type(r) for r in results] == [SnapshotFetched, HealthFetched, MetricsFetched]
    for result in results:
        session.apply(result)
    assert [s.path for s in session.statuses()] == ["/healthz", "/readyz", "/livez"]
    assert all(s.last is not None and s.last.ok for s in session.statuses())
    latest = session.report().latest
    assert latest is not None and latest.goroutines is not None and latest.goroutines >= 20
    assert session.latest is not None
    session.close()


def test_growth_comes_back_as_a_new_value(service: Service, clock: FakeClock) -> None:
    session = session_for(service.url, clock)
    fetched: list[SnapshotFetched] = []
    view = None
    for _ in range(4):
        assert session.request_snapshot()
        result = session.fetch(G)
        assert isinstance(result, SnapshotFetched)
        fetched.append(result)
        before = _findings(result.analysis)
        view = session.apply(result)
        assert _findings(result.analysis) == before  # the fetched analysis is left alone
        service.get("/leak?n=60")
        clock.advance(60)
    assert view is not None
    shown = view.analysis.dumps[-1]
    growth = next(f for f in shown.findings if f.rule == "goroutine-growth")
    leaking = next(g for g in shown.groups if g.id == growth.groups[0])
    assert leaking.top_frame is not None and leaking.top_frame.func == "main.leak.func1.1"
    assert view.growth[leaking.id] > 0
    assert all(f.rule != "goroutine-growth" for f in fetched[-1].analysis.dumps[-1].findings)
    assert session.latest is view.analysis
    session.close()


def _findings(analysis: Analysis) -> list[str]:
    return [f.rule for item in analysis.dumps for f in item.findings]


def test_a_dead_target_backs_off_and_says_when_it_retries(clock: FakeClock) -> None:
    session = session_for(refused_url().split("/debug")[0], clock)
    for poll in session.first_polls():
        result = session.fetch(poll)
        if poll is H:
            assert isinstance(result, HealthFetched) and not result.samples[0].ok
        else:
            assert isinstance(result, FetchFailed) and "connection refused" in result.error
        session.apply(result)
    text, level = session.status_line()
    assert level == "error"
    assert "goroutines: cannot connect" in text and "retry in 1s" in text
    assert session.due() == []  # backing off
    clock.advance(1)
    again = session.due()
    assert again == [G, H, M]
    run(session, again)
    clock.advance(1)
    assert session.due() == []  # the second failure waits 2 s
    clock.advance(1)
    assert session.due() == [G, H, M]
    session.close()


def test_a_worker_that_died_frees_its_poll(service: Service, clock: FakeClock) -> None:
    session = session_for(service.url, clock)
    assert session.request_snapshot()
    assert not session.request_snapshot()  # one snapshot at a time
    session.abandoned("goroutines")
    session.abandoned("profile")  # a profile worker is no poll
    assert session.request_snapshot()
    session.close()


def test_a_huge_dump_turns_live_refresh_off(service: Service, clock: FakeClock) -> None:
    cfg = config()
    cfg.refresh.max_live_goroutines = 5
    session = LiveSession(http_fetcher(service.url, cfg), cfg, clock=clock)
    assert session.request_snapshot()
    view = session.apply(session.fetch(G))
    assert view is not None and view.note.startswith("live refresh off: ")
    assert "r refreshes" in view.note
    clock.advance(3600)
    assert G not in session.due()
    assert session.status_line()[0].endswith("live refresh off (L)")
    assert session.toggle_live() is True
    assert G in session.due()
    session.close()


class GoroutinesOnly:
    """A target that gives goroutine dumps and nothing else (as a pod with only logs might).

    It reads a real service through ProbeClient; only its capabilities differ.
    """

    def __init__(self, url: str) -> None:
        self.client = ProbeClient(url)

    @property
    def label(self) -> str:
        return "pod/leaky-0"

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.GOROUTINES})

    def goroutines(self, debug: int = 2) -> bytes:
        return self.client.goroutines(debug)

    def health_all(self) -> list[HealthSample]:
        raise AssertionError("the session asked for health checks the target does not have")

    def metrics(self) -> bytes:
        raise AssertionError("the session asked for metrics the target does not have")

    def profile(self, kind: str, seconds: int | None = None) -> bytes:
        raise AssertionError("the session asked for a profile the target does not have")

    def close(self) -> None:
        self.client.close()


def test_only_what_the_target_can_give_is_polled(service: Service, clock: FakeClock) -> None:
    cfg = config()
    session = LiveSession(GoroutinesOnly(service.url), cfg, clock=clock)
    assert session.first_polls() == [G]
    view = session.apply(session.fetch(G))
    assert view is not None and view.analysis.dumps[-1].dump.goroutine_count >= 20
    assert session.statuses() == []
    clock.advance(3600)
    assert session.due() == [G]
    assert session.status_line() == ("attached to pod/leaky-0 · live", "info")
    with pytest.raises(TriageError, match="pod/leaky-0: this target gives no profiles"):
        session.fetch_profile("heap", None)
    session.close()


def test_a_profile_is_fetched_and_decoded(service: Service, clock: FakeClock) -> None:
    session = session_for(service.url, clock)
    profile = session.fetch_profile("heap", None)
    assert profile.name.startswith("heap profile · ")  # and the time it was taken
    assert "inuse_space" in profile.type_names()
    session.close()


@pytest.mark.parametrize("module", ["triage.live.session", "triage.live.fetcher"])
def test_the_live_package_has_no_ui(module: str) -> None:
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "print(','.join(m for m in ('textual', 'httpx', 'kubernetes') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""  # no UI, and the HTTP client loads only when a fetcher is made
