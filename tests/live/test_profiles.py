"""A live profile's countdown, title and empty reason, on profiles from the real Go service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.support.targets import Service, leaky
from triage.live.profiles import Collection, empty_reason, is_empty, profile_title
from triage.pprof.decode import decode
from triage.probes.client import ProbeClient


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with leaky() as svc:
        yield svc


def test_countdown_counts_whole_seconds_then_downloads() -> None:
    cpu = Collection("profile", 10, started=100.0)
    assert cpu.line(100.0) == "collecting a 10s CPU profile: 10s left · p cancels"
    assert cpu.line(102.5) == "collecting a 10s CPU profile: 8s left · p cancels"
    assert cpu.line(109.9).endswith(": 1s left · p cancels")
    assert cpu.line(110.0) == "downloading the 10s CPU profile… · p cancels"
    assert cpu.line(140.0) == "downloading the 10s CPU profile… · p cancels"
    assert Collection("heap", None, 0.0).line(5.0) == "fetching the heap profile… · p cancels"


def test_title_says_type_duration_and_time(service: Service) -> None:
    fetched = datetime(2026, 1, 2, 3, 4, 5).astimezone()
    with ProbeClient(service.url) as client:
        cpu = decode(client.profile("profile", seconds=1))
        heap = decode(client.profile("heap"))
    cpu_title = profile_title("profile", cpu, 1, fetched)
    assert cpu_title.startswith("CPU profile · 1s · ")
    # the profile's own start time (now-ish), not the fetch time passed in
    assert cpu_title.endswith(datetime.fromtimestamp(cpu.time_nanos / 1e9).strftime("%H:%M:%S"))
    assert "profile profile" not in cpu_title
    heap_title = profile_title("heap", heap, None, fetched)
    assert heap_title.startswith("heap profile · ")
    assert heap_title.count(" · ") == 1  # a heap profile has no duration


def test_empty_profile_has_a_reason(service: Service) -> None:
    # The leaky service never turns mutex profiling on: Go answers with no samples.
    with ProbeClient(service.url) as client:
        mutex = decode(client.profile("mutex"))
        heap = decode(client.profile("allocs"))
    assert is_empty(mutex)
    assert not is_empty(heap)
    assert "SetMutexProfileFraction" in empty_reason("mutex")
    assert empty_reason("profile") == "no samples: the process was idle"
