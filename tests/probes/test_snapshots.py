"""Growth of goroutine groups across real debug=2 dumps, with injected timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.probes.fakes import FakeClock
from tests.support.targets import Service
from triage.goroutines import Analysis, analyze
from triage.goroutines.grouping import Group
from triage.probes.client import ProbeClient
from triage.probes.snapshots import (
    RULE_ID,
    GrowthThresholds,
    SnapshotHistory,
    format_rate,
    group_key,
    growth_findings,
    refresh_policy,
)

LEAK_FUNC = "main.leak.func1.1"
PER_REFRESH = 40


@dataclass
class Live:
    """A history of four refreshes one (fake) minute apart, 40 goroutines leaked between."""

    service: Service
    client: ProbeClient
    clock: FakeClock
    history: SnapshotHistory
    analyses: list[Analysis]

    @property
    def last(self) -> Analysis:
        return self.analyses[-1]

    def refresh(self, minutes: float = 1.0) -> Analysis:
        self.clock.advance(60 * minutes)
        self.analyses.append(analyze(self.client.goroutines()))
        self.history.add(self.last)
        return self.last


def _group(analysis: Analysis, func: str) -> Group:
    primary = analysis.primary
    assert primary is not None
    return next(g for g in primary.groups if g.top_frame and g.top_frame.func == func)


@pytest.fixture
def live(service: Service) -> Iterator[Live]:
    """Each test gets a fresh history; the service (and its leaks) lives for the module."""
    service.get("/spawn?n=200")  # stable piles: handlers, lock waiters, sleepers...
    clock = FakeClock(0.0)
    client = ProbeClient(service.url)
    first = analyze(client.goroutines())
    history = SnapshotHistory(clock=clock)
    history.add(first)
    state = Live(service, client, clock, history, [first])
    for _ in range(3):
        service.get(f"/leak?n={PER_REFRESH}")
        state.refresh()
    yield state
    client.close()


def test_the_leaking_group_is_flagged_and_the_stable_ones_are_not(live: Live) -> None:
    leak = _group(live.last, LEAK_FUNC)
    findings = growth_findings(live.history)
    assert [f.rule for f in findings] == [RULE_ID]
    finding = findings[0]
    assert finding.groups == [leak.id]
    assert finding.goroutines == leak.count
    assert finding.severity == "warning"
    assert LEAK_FUNC in finding.summary and "+40/min" in finding.summary
    assert "started by main.leak" in finding.next_step
    # the stable piles are there, and are seen not to move
    sleeper = _group(live.last, "main.sleeper")
    assert sleeper.count >= 20
    assert live.history.rate_of(sleeper) == pytest.approx(0.0)
    assert live.history.rate_of(leak) == pytest.approx(PER_REFRESH, abs=1)


def test_counts_are_keyed_by_state_and_stack_not_by_group_id(live: Live) -> None:
    leak = _group(live.last, LEAK_FUNC)
    growth = live.history.growth()[group_key(leak)]
    assert growth.counts[0] < growth.counts[1] < growth.counts[2] < growth.counts[3]
    assert growth.counts[3] - growth.counts[0] == 3 * PER_REFRESH
    assert growth.span == 180.0
    assert growth.info.id == leak.id


@pytest.mark.parametrize(
    ("thresholds", "severities"),
    [
        (GrowthThresholds(critical_per_minute=30), ["critical"]),
        (GrowthThresholds(rate_per_minute=50), []),
        (GrowthThresholds(min_snapshots=5), []),
        (GrowthThresholds(window=60), []),  # two snapshots are not "sustained"
    ],
)
def test_thresholds(live: Live, thresholds: GrowthThresholds, severities: list[str]) -> None:
    assert [f.severity for f in growth_findings(live.history, thresholds)] == severities


def test_a_leak_that_stopped_leaves_the_window(live: Live) -> None:
    for _ in range(3):
        live.refresh()
    assert growth_findings(live.history, GrowthThresholds(window=150)) == []
    # over the whole five minutes it still looks like growth, and is still at its peak
    assert [f.rule for f in growth_findings(live.history)] == [RULE_ID]


def test_a_pile_that_shrank_is_not_a_leak_in_progress(live: Live) -> None:
    """Real dumps replayed out of order: 0, 120, 120, then 80 goroutines in the pile."""
    replay = SnapshotHistory(clock=live.clock)
    for at, index in enumerate([0, 3, 3, 2]):
        replay.add(live.analyses[index], at=60.0 * at)
    leak = _group(live.last, LEAK_FUNC)
    rate = replay.rate_of(leak)
    assert rate is not None and rate > GrowthThresholds().rate_per_minute  # rising on average
    assert growth_findings(replay) == []  # but no longer at its peak


def test_slower_refreshes_mean_a_slower_rate(live: Live) -> None:
    live.service.get(f"/leak?n={PER_REFRESH}")
    live.refresh(minutes=4)
    leak = _group(live.last, LEAK_FUNC)
    rate = live.history.rate_of(leak)
    assert rate is not None and 10 < rate < PER_REFRESH


def test_switching_to_debug1_starts_over(live: Live) -> None:
    live.history.add(analyze(live.client.goroutines(debug=1)))
    assert len(live.history.snapshots) == 1
    assert live.history.snapshots[0].format == "debug1"
    assert live.history.growth() == {}
    assert growth_findings(live.history) == []


def test_history_is_bounded(live: Live) -> None:
    small = SnapshotHistory(capacity=3, clock=live.clock)
    for at in range(5):
        small.add(live.last, at=float(at))
    assert [s.at for s in small.snapshots] == [2.0, 3.0, 4.0]
    with pytest.raises(ValueError):
        SnapshotHistory(capacity=1)


def test_an_empty_analysis_is_an_empty_snapshot() -> None:
    history = SnapshotHistory(clock=FakeClock(5.0))
    snap = history.add(Analysis())
    assert (snap.at, snap.total, snap.groups) == (5.0, 0, {})


@pytest.mark.parametrize(
    ("rate", "text"),
    [(None, ""), (0.2, "±0/min"), (-0.4, "±0/min"), (119.6, "+120/min"), (-3.2, "-3/min")],
)
def test_format_rate(rate: float | None, text: str) -> None:
    assert format_rate(rate) == text


@pytest.mark.parametrize(
    ("goroutines", "limit", "auto", "debug", "words"),
    [
        (150, 20_000, True, 2, ""),
        (20_000, 20_000, True, 2, ""),
        (20_001, 20_000, False, 1, "20,001 goroutines: live refresh is off above 20,000"),
        (6_000, 5_000, False, 1, "off above 5,000"),
    ],
)
def test_refresh_policy(goroutines: int, limit: int, auto: bool, debug: int, words: str) -> None:
    policy = refresh_policy(goroutines, limit=limit)
    assert (policy.auto, policy.debug) == (auto, debug)
    assert (words in policy.reason) if words else policy.reason == ""
