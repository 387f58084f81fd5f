"""Endpoint rules, one place: what a typed address becomes, and one CPU-seconds default."""

from __future__ import annotations

import pytest

from triage.errors import BadInput
from triage.probes import endpoints
from triage.probes.endpoints import (
    DEFAULT_CPU_SECONDS,
    goroutine_url,
    profile_label,
    profile_path,
    profile_url,
)


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("http://h:6060", "http://h:6060/debug/pprof/goroutine?debug=2"),
        ("http://h:6060/debug/pprof/", "http://h:6060/debug/pprof/goroutine?debug=2"),
        ("http://h:6060/debug/pprof/goroutine?debug=1", "http://h:6060/debug/pprof/goroutine?debug=1"),
        ("http://h:6060/debug/pprof/goroutineleak", "http://h:6060/debug/pprof/goroutineleak?debug=2"),
        ("http://h:6060/dump.txt", "http://h:6060/dump.txt"),
    ],
)  # fmt: skip
def test_goroutine_url(url: str, want: str) -> None:
    assert goroutine_url(url) == want


def test_the_cpu_profile_waits_the_same_default_from_the_cli_and_the_live_session() -> None:
    _, from_cli = profile_url("http://h:6060")
    path, from_session = profile_path("profile")
    assert from_cli == from_session == DEFAULT_CPU_SECONDS == 30
    assert path == "/debug/pprof/profile"
    assert profile_path("heap") == ("/debug/pprof/heap", 0)
    assert profile_path("profile", 5) == ("/debug/pprof/profile?seconds=5", 5)


@pytest.mark.parametrize(
    ("kind", "seconds", "words"),
    [("threads", None, "not a pprof profile"), ("profile", 0, "must be positive")],
)
def test_bad_profile_requests(kind: str, seconds: int | None, words: str) -> None:
    with pytest.raises(BadInput, match=words):
        profile_path(kind, seconds)


def test_labels_and_capabilities() -> None:
    assert profile_label("http://h:6060") == "CPU"
    assert profile_label("http://h:6060/debug/pprof/heap?seconds=3") == "heap"
    assert {c.value for c in endpoints.Capability} == {
        "goroutines",
        "health",
        "metrics",
        "profiles",
    }
    with pytest.raises(BadInput, match="not a goroutine dump level"):
        endpoints.goroutine_path(3)
