"""The cluster screen and pod view against the project's API server (Pilot, real HTTP).

The ``kube`` fixture serves a seeded shop: ``checkout`` crash-looping on a real
Go nil-pointer panic since revision 2, ``cache`` OOMKilled, ``catalog`` healthy.
The app talks to it through the official client, as it would to a real cluster.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RichLog, Static

from tests.cluster.seed import seed_shop
from tests.support.kube import Kube
from triage.cluster.kubeconfig import ConnectOptions
from triage.config import load_config
from triage.kubeserver.authz import User
from triage.kubeserver.resources import by_kind
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap
from triage.ui.launch import usable_kubeconfig
from triage.ui.screens.cluster import ClusterScreen
from triage.ui.screens.pod import PodScreen
from triage.ui.screens.start import StartScreen
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.cluster_list import ClusterList

pytestmark = pytest.mark.slow


def cluster_app(kubeconfig: Path, namespace: str | None = "shop", **kw: Any) -> TriageApp:
    config, warnings = load_config()
    options = ConnectOptions(kubeconfig=str(kubeconfig), namespace=namespace)
    return TriageApp(Launch(cluster=options, **kw), config, load_keymap("default"), warnings)


async def until(pilot: Any, check: Callable[[], object], what: str, tries: int = 500) -> None:
    """Let the app run until ``check()`` is true (the watch runs in a thread)."""
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def rows_text(app: TriageApp) -> list[str]:
    return [r.text for r in app.screen.query_one(ClusterList).rows]


def status(app: TriageApp) -> str:
    return str(app.screen.query_one("#cluster-status", Static).render())


async def open_shop(pilot: Any) -> ClusterScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, ClusterScreen), "cluster screen")
    await until(pilot, lambda: len(rows_text(pilot.app)) > 3, "rows")
    screen = pilot.app.screen
    assert isinstance(screen, ClusterScreen)
    return screen


async def test_worst_workload_first_with_its_signature(kube: Kube) -> None:
    shop = seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_shop(pilot)
        rows = rows_text(app)
        assert "deployment/checkout" in rows[0] and "3/5 crashing" in rows[0]
        assert rows[1].strip().startswith("≡ 3/5 pods: nil pointer dereference at main.")
        assert rows[1].endswith(", since revision 2")
        pods = [r for r in rows[2:5]]
        assert all(
            "CrashLoopBackOff" in r and "exit 2 (Go panic or fatal error)" in r for r in pods
        )
        assert sorted(r.split()[1] for r in pods) == sorted(shop.checkout_crashing)
        workloads = [r.split()[2] for r in rows if r[0] in "▾▸"]
        # the panic first, then the OOM kill; healthy catalog last, folded
        assert workloads == ["deployment/checkout", "deployment/cache", "deployment/catalog"]
        assert "OOMKilled exit 137" in "".join(rows)
        assert rows[-1].startswith("▸ ✓ deployment/catalog") and "3/3 ready" in rows[-1]
        assert "● live" in status(app)


async def test_filter_keeps_what_matches(kube: Kube) -> None:
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shop(pilot)
        await pilot.press("slash", *"catalog", "enter")
        await pilot.pause()
        rows = rows_text(app)
        assert "deployment/catalog" in rows[0]
        assert not any("checkout" in r for r in rows)


async def test_watch_shows_a_new_crash_live(kube: Kube) -> None:
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_shop(pilot)
        pods = kube.cluster.store.objects(by_kind("Pod").store_key)
        pod = next(p for p in pods if p["metadata"]["name"].startswith("catalog"))
        status_ = pod["status"]["containerStatuses"][0]
        status_["ready"] = False
        status_["restartCount"] = 4
        status_["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
        kube.cluster.update("Pod", pod)
        await until(
            pilot,
            lambda: any("catalog" in r and "crashing" in r for r in rows_text(app)),
            "catalog crashing",
        )


async def test_pod_view_logs_previous_and_current_and_the_crash_key(kube: Kube) -> None:
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_shop(pilot)
        await pilot.press("down", "enter")  # the signature line opens the worst pod
        await until(pilot, lambda: isinstance(app.screen, PodScreen), "pod view")
        screen = app.screen
        assert isinstance(screen, PodScreen)
        assert screen.crash.reason == "CrashLoopBackOff"
        await until(pilot, lambda: screen.log_crash is not None, "the previous log read")
        assert b"panic: runtime error: invalid memory address" in screen.log_data
        crash = str(screen.query_one("#pod-crash", Static).render())
        assert "Go panic in the previous log" in crash and "x opens it" in crash
        await pilot.press("p")  # the current container's log
        await until(pilot, lambda: screen.log_data == b"level=info msg=starting\n", "current log")
        assert screen.log_crash is None
        await pilot.press("p")
        await until(pilot, lambda: screen.log_crash is not None, "previous log again")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen), "workspace")


async def test_viewer_sees_the_termination_message_and_the_permission_hint(kube: Kube) -> None:
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig(user="viewer"))
    async with app.run_test(size=(160, 48)) as pilot:
        await open_shop(pilot)
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, PodScreen), "pod view")
        screen = app.screen

        def access() -> str:
            return str(screen.query_one("#pod-access", Static).render())

        await until(pilot, lambda: "pods/log" in access(), "the permission hint")
        assert "full logs and tracebacks need `get pods/log` in namespace shop" in access()
        assert "pods/portforward" in access()
        crash = str(screen.query_one("#pod-termination", Static).render())
        assert crash.startswith(
            "Go panic in the termination message: runtime error: invalid memory"
        )
        events = str(screen.query_one("#pod-events", Static).render())
        assert events.startswith("events (newest first):")
        log = screen.query_one(RichLog)
        await until(pilot, lambda: any("forbidden" in line.text for line in log.lines), "log 403")
        await until(pilot, lambda: screen.termination_crash != b"", "the message's crash")
        await pilot.press("x")  # all a viewer can read, opened in the goroutine engine
        await until(pilot, lambda: isinstance(app.screen, WorkspaceScreen), "workspace")


async def test_unreachable_cluster_says_so_and_files_still_open(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        f"clusters:\n- name: gone\n  cluster:\n    server: http://127.0.0.1:{port}\n"
        "contexts:\n- name: gone\n  context:\n    cluster: gone\n    user: u\n"
        "users:\n- name: u\n  user:\n    token: t\n"
    )
    app = cluster_app(config, namespace=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "cluster screen")
        await until(pilot, lambda: "unreachable" in status(app), "the status line")
        assert "r retries" in status(app)
        await pilot.press("r")
        await until(pilot, lambda: "unreachable" in status(app), "the status line again")
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, StartScreen), "start screen")
        await pilot.press("ctrl+k")
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "back to the cluster")


def test_bare_triage_opens_the_cluster_only_with_a_usable_kubeconfig(
    kube: Kube, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    assert usable_kubeconfig() is None
    monkeypatch.setenv("KUBECONFIG", str(kube.kubeconfig()))
    assert usable_kubeconfig() == ConnectOptions()
    broken = tmp_path / "broken"
    broken.write_text("apiVersion: v1\nkind: Config\n")  # no current-context
    monkeypatch.setenv("KUBECONFIG", str(broken))
    assert usable_kubeconfig() is None


def test_triage_cluster_with_a_missing_kubeconfig_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "cluster", "--kubeconfig", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"triage: kubeconfig {tmp_path / 'nope'} does not exist")
    assert len(proc.stderr.splitlines()) == 1


async def test_palette_switches_namespace(kube: Kube) -> None:
    seed_shop(kube.cluster)
    kube.cluster.add_namespace("other")
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_shop(pilot)
        await until(pilot, lambda: screen._feed is not None and screen._feed.namespaces, "ns")
        labels = [label for label, _, _ in screen.palette_commands()]
        assert "Context: triage-test" in labels and "Namespace: other" in labels
        switch = dict((label, run) for label, _, run in screen.palette_commands())
        switch["Namespace: other"]()
        await until(pilot, lambda: "namespace other" in str(screen._title()), "title")
        try:
            await until(pilot, lambda: "live" in status(app), "the new watch", tries=100)
        except AssertionError:
            raise AssertionError(status(app) + " / " + screen.status) from None
        assert rows_text(app) == []  # nothing runs in namespace other


async def test_a_burst_of_500_updates_arrives_coalesced(
    kube: Kube, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Operation count, not a time budget: 500 watch events reach the screen as a few
    snapshots (the watch coalesces every 0.1 s), never one message per event."""
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_shop(pilot)
        seen: list[int] = []
        original = ClusterScreen.on_cluster_snapshot

        def counting(self: ClusterScreen, event: Any) -> None:
            seen.append(sum(w.restarts for w in event.workloads))
            original(self, event)

        monkeypatch.setattr(ClusterScreen, "on_cluster_snapshot", counting)
        before = sum(w.restarts for w in screen.workloads)
        pods = kube.cluster.store.objects(by_kind("Pod").store_key)
        for i in range(500):
            pod = pods[i % len(pods)]
            pod["status"]["containerStatuses"][0]["restartCount"] += 1
            kube.cluster.update("Pod", pod)
        await until(pilot, lambda: seen and seen[-1] == before + 500, "every update")
        assert len(seen) < 50


async def test_pod_view_timestamps_follow_and_save(
    kube: Kube, monkeypatch: pytest.MonkeyPatch
) -> None:
    import triage.ui.screens.pod as pod_module

    monkeypatch.setattr(pod_module, "FOLLOW_EVERY", 0.1)
    seed_shop(kube.cluster)
    app = cluster_app(kube.kubeconfig())
    async with app.run_test(size=(160, 48)) as pilot:
        await open_shop(pilot)
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, PodScreen), "pod view")
        screen = app.screen
        assert isinstance(screen, PodScreen)
        await until(pilot, lambda: screen.log_crash is not None, "the previous log")
        await pilot.press("t")  # kubectl logs --timestamps: RFC 3339 first
        stamped = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z level=info")
        await until(pilot, lambda: stamped.match(screen.log_data), "timestamps")
        await pilot.press("t", "f")  # follow reads the current container's log again
        await until(pilot, lambda: screen.log_data == b"level=info msg=starting\n", "current")
        key = ("shop", screen.crash.name, "checkout")
        kube.cluster.logs.write(key, "level=info msg=still-here\n")
        await until(pilot, lambda: b"still-here" in screen.log_data, "the followed line")
        bar = str(screen.query_one("#pod-logbar", Static).render())
        assert bar.startswith("log: current · container checkout (1/1)") and "follow on" in bar
        await pilot.press("s")
        saved = list((Path(os.environ["TRIAGE_DATA_DIR"]) / "pod-logs").iterdir())
        assert len(saved) == 1 and saved[0].read_bytes() == screen.log_data
        assert saved[0].name.startswith(screen.crash.name + "-checkout-current-")


@pytest.mark.parametrize(
    ("token", "words"),
    [
        ("expired-token", "credentials expired or rejected: listing pods in namespace shop"),
        (None, "not allowed: listing pods in namespace shop: pods is forbidden"),
    ],
)
async def test_refused_credentials_say_which(kube: Kube, token: str | None, words: str) -> None:
    seed_shop(kube.cluster)
    if token is None:  # a known user with no permission at all
        kube.cluster.authz.users["nobody-token"] = User(
            "nobody", "uid-nobody", ("system:authenticated",), (), "RoleBinding nobody"
        )
        token = "nobody-token"
    app = cluster_app(kube.kubeconfig(user="nobody", token=token))
    async with app.run_test(size=(160, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ClusterScreen), "cluster screen")
        await until(pilot, lambda: "✖" in status(app), "the status line")
        assert words in status(app) and "r retries" in status(app)
        assert rows_text(app) == []
