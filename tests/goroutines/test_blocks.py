"""Block content from real Go output: g0 system stacks, bad ids, throws on the
system stack, and signals sent from outside."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.goroutines.test_cli import check_contract, triage
from tests.support import gotool
from tests.support.targets import Run, crash, sigquit
from triage.goroutines import analyze
from triage.goroutines.origin import Origin


def _with_g0(traceback: str = "system") -> Run:
    """A SIGQUIT dump holding a ``goroutine 0`` block.

    The runtime prints the system stack of the thread the signal landed on when
    that thread was idle, which is almost always; retry the rare other case.
    """
    from tests.support import targets

    for _ in range(5):
        run = sigquit(traceback)
        if "\ngoroutine 0 gp=" in run.stderr:
            return run
        targets._RUNS.pop(("sigquit", traceback, ""), None)
    pytest.fail("the runtime never printed a goroutine 0 block in 5 SIGQUIT dumps")


def test_g0_is_a_thread_stack_not_a_goroutine() -> None:
    run = _with_g0()
    item = analyze(run.stderr).dumps[0]
    printed = run.stderr.count("\ngoroutine ")
    g0 = run.stderr.count("\ngoroutine 0 ")
    assert item.dump.goroutine_count == printed - g0
    assert 0 not in item.dump.ids
    assert sum(g.count for g in item.groups) == printed - g0
    assert "idle" not in {g.state for g in item.groups}
    [stack] = item.dump.system_stacks
    assert stack.m is not None and stack.m.isdigit() and stack.state == "idle"
    assert stack.frames and all(f.origin is Origin.RUNTIME for f in stack.frames)
    # Shown as crash context: the thread that took the signal and what it was doing.
    assert any(
        d.startswith(f"thread m={stack.m} system stack (idle") and stack.frames[0].func in d
        for d in item.findings[0].details
    )


def test_g0_is_counted_nowhere_in_the_cli(tmp_path: Path) -> None:
    run = _with_g0()
    path = tmp_path / "quit.log"
    path.write_text(run.stderr)
    printed = run.stderr.count("\ngoroutine ")
    proc = triage("analyze", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    check_contract(doc)
    assert doc["goroutines"] == printed - 1
    assert sum(g["count"] for g in doc["groups"]) == printed - 1
    assert not any(0 in g["sample_ids"] for g in doc["groups"])
    [system] = doc["crash"]["system_stacks"]
    assert system["m"].isdigit() and "runtime" in system["frames"][-1]["func"]
    text = triage("analyze", str(path), "--top", "0").stdout.decode()
    assert f"dump: {printed - 1} goroutines in " in text.splitlines()[0]
    assert "x idle" not in text


def test_a_header_without_a_number_after_a_valid_one_is_skipped(tmp_path: Path) -> None:
    """``goroutine x [running]:`` reused the cached header of ``[running]`` and hit int()."""
    text = crash("index").stderr
    head, _, rest = text.partition("\n\n")
    block = rest.split("\n\n")[0]  # goroutine 1 [running]: ...
    bad = block.replace("goroutine 1 [running]:", "goroutine x [running]:", 1)
    odd = block.replace("goroutine 1 [running]:", "goroutine ² [running]:", 1)
    huge = block.replace("goroutine 1 [running]:", f"goroutine {'9' * 5000} [running]:", 1)
    damaged = f"{head}\n\n{rest.rstrip()}\n\n{bad}\n\n{odd}\n\n{huge}\n"
    item = analyze(damaged).dumps[0]
    assert item.dump.ids == analyze(text).dumps[0].dump.ids
    assert any("3 unreadable goroutine headers" in w for w in item.dump.warnings)
    path = tmp_path / "bad.log"
    path.write_text(damaged)
    proc = triage("analyze", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert b"unreadable goroutine headers" in proc.stderr
    assert json.loads(proc.stdout)["crash"]["goroutine"] == 1


@pytest.mark.parametrize("traceback", ["all", "system"])
def test_a_throw_on_the_system_stack_is_not_blamed_on_goroutine_1(traceback: str) -> None:
    run = crash("holding-locks", traceback)
    assert run.returncode == 2, run.stderr[:400]
    assert "fatal error: schedule: holding locks\n\nruntime stack:" in run.stderr
    item = analyze(run.stderr).dumps[0]
    assert item.crash is not None and item.crash.goroutine is None
    top = item.findings[0]
    assert (top.rule, top.severity) == ("runtime-throw", "critical")
    assert "on the system stack in runtime.schedule (runtime/proc.go:" in top.summary
    assert "no goroutine running" in top.summary
    assert "main." not in top.summary
    assert top.details[0].startswith("runtime stack: runtime.throw <- runtime.schedule")


def test_a_throw_on_the_system_stack_in_json(tmp_path: Path) -> None:
    path = tmp_path / "locks.log"
    path.write_text(crash("holding-locks").stderr)
    doc = json.loads(triage("analyze", str(path), "--json").stdout)
    check_contract(doc)
    assert doc["crash"]["goroutine"] is None
    assert doc["crash"]["frame"]["func"] == "runtime.schedule"
    assert doc["crash"]["runtime_stack"][0]["func"] == "runtime.throw"


def test_a_deadlock_names_no_crashing_goroutine() -> None:
    item = analyze(crash("deadlock").stderr).dumps[0]
    assert item.crash is not None and item.crash.goroutine is None
    assert item.findings[0].rule == "deadlock"


def _signalled(sig: signal.Signals, traceback: str = "all") -> str:
    """``crashers sigquit`` killed with ``sig`` from this (another) process."""
    proc = subprocess.Popen(
        [str(gotool.build("crashers")), "sigquit"],
        env={"GOTRACEBACK": traceback, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    return err


def test_sigabrt_from_another_process_is_not_blamed_on_cgo() -> None:
    err = _signalled(signal.SIGABRT)
    assert err.startswith("SIGABRT: abort\nPC=") and " sigcode=0\n" in err
    item = analyze(err).dumps[0]
    top = item.findings[0]
    assert top.rule == "signal-from-outside"
    assert "sent by another process" in top.summary
    assert "cgo" not in top.next_step and "unsafe" not in top.next_step
    assert "kill -ABRT" in top.next_step


def test_sigquit_from_another_process_names_the_usual_senders() -> None:
    item = analyze(sigquit().stderr).dumps[0]
    top = item.findings[0]
    assert top.rule == "sigquit-dump"
    assert "sent by another process" in top.summary
    assert "go test" in top.next_step and "kill -QUIT" in top.next_step
    assert "liveness probe" not in top.next_step  # the kubelet kills with SIGKILL


@pytest.mark.parametrize("level", ["exact", "loose"])
def test_one_stack_started_by_two_go_statements_is_two_groups(level: str) -> None:
    run = crash("creators")
    assert run.stderr.count("created by main.startFromA") == 3
    item = analyze(run.stderr, level=level).dumps[0]  # type: ignore[arg-type]
    parked = [g for g in item.groups if g.top_frame and g.top_frame.func == "main.parkForever"]
    creators = {(g.created_by.func if g.created_by else None, g.count) for g in parked}
    assert creators == {("main.startFromA", 3), ("main.startFromB", 1)}
    for group in parked:  # every member was created where the group says
        assert group.created_by is not None
        assert {item.dump.goroutine(i).created_by for i in group.members} == {group.created_by}


def test_created_by_in_json_is_each_groups_own(tmp_path: Path) -> None:
    path = tmp_path / "creators.log"
    path.write_text(crash("creators").stderr)
    doc = json.loads(triage("analyze", str(path), "--json").stdout)
    check_contract(doc)
    parked = [g for g in doc["groups"] if g["top_frame"]["func"] == "main.parkForever"]
    assert sorted((g["created_by"]["func"], g["count"]) for g in parked) == [
        ("main.startFromA", 3),
        ("main.startFromB", 1),
    ]


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_sigquit_from_ctrl_backslash_at_a_terminal(tmp_path: Path) -> None:
    """Ctrl-\\ in the process's terminal (a tmux pane): the kernel sends SIGQUIT (SI_KERNEL)."""
    out = tmp_path / "quit.log"
    ready = tmp_path / "ready"
    socket = ["-L", f"triage-quit-{os.getpid()}-{time.monotonic_ns()}"]
    command = f"{gotool.build('crashers')} sigquit > {ready} 2> {out}"
    subprocess.run(["tmux", *socket, "new-session", "-d", "-s", "q", command], check=True)
    try:
        deadline = time.monotonic() + 20
        while not (ready.exists() and ready.read_text().strip() == "ready"):
            assert time.monotonic() < deadline, "crashers sigquit never got ready"
            time.sleep(0.05)
        subprocess.run(["tmux", *socket, "send-keys", "-t", "q", "C-\\"], check=True)
        while "goroutine " not in out.read_text() or not out.read_text().endswith("\n"):
            assert time.monotonic() < deadline, out.read_text()[:400]
            time.sleep(0.1)
        time.sleep(0.3)  # let the dump finish
    finally:
        subprocess.run(["tmux", *socket, "kill-server"], check=False, capture_output=True)
    text = out.read_text()
    assert text.split("\n\n")[0].endswith(" sigcode=128")  # 0x80, SI_KERNEL
    top = analyze(text).dumps[0].findings[0]
    assert top.rule == "sigquit-dump"
    assert "Ctrl-\\ at a terminal" in top.summary
    assert "kill -QUIT" not in top.next_step
