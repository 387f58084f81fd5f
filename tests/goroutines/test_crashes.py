"""Every crash variant, from what the real Go 1.27 runtime printed."""

from __future__ import annotations

import signal

import pytest

from tests.support.targets import crash, sigquit
from triage.goroutines import analyze
from triage.goroutines.text import render
from triage.textout import Painter

# mode, crash kind, rule id, message (start), top user frame
# ruff: noqa: E501
CASES = [
    ("nil", "panic", "nil-dereference",
     "runtime error: invalid memory address or nil pointer dereference", "main.(*Server).Name"),
    ("nil-func", "panic", "nil-dereference", "runtime error: invalid memory address", "main.init.func12"),
    ("closure", "panic", "nil-dereference", "runtime error: invalid memory", "main.crashClosure.func1.func1"),
    ("index", "panic", "index-out-of-range",
     "runtime error: index out of range [5] with length 3", "main.(*Server).handle"),
    ("slice", "panic", "slice-bounds", "runtime error: slice bounds out of range [:7]", "main.crashSlice"),
    ("makeslice", "panic", "invalid-size", "runtime error: makeslice: len out of range",
     "main.crashMakeslice"),
    ("divide", "panic", "divide-by-zero", "runtime error: integer divide by zero", "main.crashDivide"),
    ("error", "panic", "crash", "db: connection refused", "main.init.func1"),
    ("wrapped-error", "panic", "crash", "load config: file does not exist", "main.init.func2"),
    ("stringer", "panic", "crash", "451.0°C", "main.init.func3"),
    ("typed-int", "panic", "crash", "main.Code(7)", "main.init.func4"),
    ("typed-struct", "panic", "crash", "(main.Pt) 0x", "main.init.func5"),
    ("conversion", "panic", "type-conversion",
     "interface conversion: interface {} is string, not int", "main.crashConversion"),
    ("close-closed", "panic", "closed-channel", "close of closed channel", "main.init.func7"),
    ("send-closed", "panic", "closed-channel", "send on closed channel", "main.init.func8"),
    ("nil-map", "panic", "nil-map", "assignment to entry in nil map", "main.init.func9"),
    ("negative-wg", "panic", "sync-misuse", "sync: negative WaitGroup counter", "main.init.func11"),
    ("generic", "panic", "crash", "in generic", "main.init.func13.1"),
    ("concurrent-map", "fatal", "concurrent-map", "concurrent map writes", "main.write"),
    ("map-read-write", "fatal", "concurrent-map", "concurrent map read and map write", None),
    ("deadlock", "fatal", "deadlock", "all goroutines are asleep - deadlock!", None),
    ("unlock", "fatal", "sync-misuse", "sync: unlock of unlocked mutex", "main.init.func10"),
    ("runtime-throw", "fatal", "sync-misuse", "sync: RUnlock of unlocked RWMutex",
     "main.crashRuntimeThrow"),
    ("stack-overflow", "fatal", "stack-overflow", "stack overflow", "main.(*middleware).ServeHTTP"),
    ("oom", "fatal", "out-of-memory", "out of memory", "main.crashOOM"),
    ("fault", "fatal", "invalid-memory", "fault", "main.crashFault"),
]  # fmt: skip


@pytest.mark.parametrize(("mode", "kind", "rule", "message", "frame"), CASES)
def test_crash_is_read_and_diagnosed(
    mode: str, kind: str, rule: str, message: str, frame: str | None
) -> None:
    run = crash(mode)
    assert run.returncode == 2, run.stderr[:400]
    result = analyze(run.stderr)
    assert len(result.dumps) == 1
    item = result.dumps[0]
    assert item.crash is not None
    assert item.crash.kind == kind
    assert item.crash.message.startswith(message)
    top = item.findings[0]
    assert (top.rule, top.severity) == (rule, "critical")
    if frame is not None:
        assert f" in {frame} (crashers/main.go:" in top.summary
    # Every goroutine the runtime printed is parsed.
    assert len(item.dump.ids) == run.stderr.count("\ngoroutine ") + run.stderr.startswith(
        "goroutine"
    )
    assert not item.dump.warnings


def test_signal_line_of_a_nil_dereference() -> None:
    item = analyze(crash("nil").stderr).dumps[0]
    sig = item.crash.signal if item.crash else None
    assert sig is not None
    assert (sig.name, sig.code, sig.addr) == ("SIGSEGV", "0x1", "0x0")
    assert sig.pc is not None and sig.pc.startswith("0x")


def test_fault_address_is_not_called_a_nil_dereference() -> None:
    item = analyze(crash("fault").stderr).dumps[0]
    assert item.crash is not None and item.crash.signal is not None
    assert item.crash.signal.addr == "0xdeadbeef"
    assert item.crash.runtime_lines == ["unexpected fault address 0xdeadbeef"]
    assert all(f.rule != "nil-dereference" for f in item.findings)


def test_multiline_panic_value_keeps_its_lines() -> None:
    item = analyze(crash("multiline").stderr).dumps[0]
    assert item.crash is not None
    assert item.crash.message == "invariant broken:\n  want 3 replicas\n  got 0"


def test_recovered_and_repanicked() -> None:
    panics = analyze(crash("repanic").stderr).dumps[0].dump.crash.panics  # type: ignore[union-attr]
    assert [(p.message, p.recovered, p.repanicked) for p in panics] == [
        ("payment gateway timeout", True, True)
    ]


def test_recovered_then_new_panic_is_a_chain() -> None:
    crash_ = analyze(crash("recovered-new").stderr).dumps[0].dump.crash
    assert crash_ is not None
    assert [(p.message, p.recovered) for p in crash_.panics] == [
        ("first failure", True),
        ("while handling first failure: cleanup failed", False),
    ]


def test_panics_inside_defers_are_nested() -> None:
    crash_ = analyze(crash("nested").stderr).dumps[0].dump.crash
    assert crash_ is not None
    assert [p.message for p in crash_.panics] == ["first", "second", "third"]
    assert analyze(crash("defer-panic").stderr).dumps[0].findings[0].details == [
        "then panicked again: panic in defer"
    ]


def test_stack_overflow_names_the_recursive_cycle() -> None:
    run = crash("stack-overflow")
    item = analyze(run.stderr).dumps[0]
    crash_ = item.dump.crash
    assert crash_ is not None
    assert crash_.runtime_lines[0] == "goroutine stack exceeds 33554432-byte limit"
    assert crash_.runtime_stack and crash_.runtime_stack[0].func == "runtime.throw"
    first = item.group_of(crash_.goroutine)
    assert first is not None and first.stack.elided > 0
    cycle = [d for d in item.findings[0].details if d.startswith("repeating cycle: ")]
    assert cycle == [
        "repeating cycle: main.(*middleware).ServeHTTP -> net/http.HandlerFunc.ServeHTTP"
        " -> main.authorize.func1"
    ]


def test_out_of_memory_keeps_the_allocation_size() -> None:
    item = analyze(crash("oom").stderr).dumps[0]
    assert item.crash is not None
    assert item.crash.runtime_lines[0].startswith("out of memory: cannot allocate ")
    assert "-byte block" in item.findings[0].details[0]


def test_deadlock_lists_every_blocked_group() -> None:
    item = analyze(crash("deadlock").stderr).dumps[0]
    finding = item.findings[0]
    assert finding.rule == "deadlock"
    states = {g.state for g in item.groups}
    assert {"sync.WaitGroup.Wait", "sync.Mutex.Lock", "chan receive"} <= states
    assert finding.goroutines == sum(g.count for g in item.groups) == 5


def test_goexit_deadlock() -> None:
    item = analyze(crash("goexit").stderr).dumps[0]
    assert item.findings[0].rule == "deadlock"


def test_concurrent_map_read_shows_unavailable_stack() -> None:
    item = analyze(crash("map-read-write").stderr).dumps[0]
    unavailable = [g for g in item.dump.goroutines if g.unavailable]
    assert len(unavailable) <= 1
    assert item.findings[0].rule == "concurrent-map"


@pytest.mark.parametrize("traceback", ["all", "system"])
def test_sigquit_dump_with_registers(traceback: str) -> None:
    run = sigquit(traceback)
    item = analyze(run.stderr).dumps[0]
    crash_ = item.dump.crash
    assert crash_ is not None
    assert crash_.kind == "signal" and crash_.message == "SIGQUIT: quit"
    assert crash_.signal is not None and crash_.signal.pc is not None
    assert {"rip", "rsp", "rax"} <= set(crash_.registers)
    assert item.findings[0].rule == "sigquit-dump"
    # gp=/m= headers of system level; g0 ("goroutine 0 ... [idle]") is a thread's
    # system stack, not a goroutine
    gs = item.dump.goroutines
    g0 = run.stderr.count("\ngoroutine 0 ")
    assert gs[0].id != 0 and gs[0].gp is not None and gs[0].m is not None
    assert len(item.dump.system_stacks) == g0
    assert len(gs) == run.stderr.count("\ngoroutine ") - g0
    assert not item.dump.warnings
    labelled = [g for g in gs if g.labels]
    assert len(labelled) == 6
    assert any(g.locked for g in gs)


def test_sigquit_with_gotraceback_crash_is_one_dump() -> None:
    # GOTRACEBACK=crash: the runtime relays SIGQUIT to every thread, each prints a
    # "-----" / "SIGQUIT: quit" / "PC=" section with its stack and registers, then aborts.
    run = sigquit("crash")
    assert run.returncode == -signal.SIGABRT  # exit 134 from a shell
    sections = run.stderr.count("SIGQUIT: quit\n")
    # the process may abort before the last thread prints after its "-----"
    assert sections >= 2 and run.stderr.count("\n-----\n") in (sections - 1, sections)
    result = analyze(run.stderr)
    assert len(result.dumps) == 1
    item = result.dumps[0]
    crash_ = item.dump.crash
    assert crash_ is not None and crash_.message == "SIGQUIT: quit"
    printed = {int(h.split()[1]) for h in run.stderr.splitlines() if h.startswith("goroutine ")}
    assert {g for g in item.dump.ids if g} == printed - {0}
    assert len(crash_.threads) == sections
    assert [t.m for t in crash_.threads] == [
        line.split(" m=")[1].split()[0]
        for line in run.stderr.splitlines()
        if line.startswith("PC=")
    ]
    complete = crash_.threads[:-1]  # the last thread may be cut short by the abort
    assert all(t.signal is not None and t.signal.pc and "rip" in t.registers for t in complete)
    assert item.findings[0].rule == "sigquit-dump"
    report = render(result, "quit.log", paint=Painter(enabled=False))
    assert f"{sections} threads dumped (GOTRACEBACK=crash): m=" in report
    assert report.count("SIGNAL  SIGQUIT: quit") == 1


def test_gotraceback_crash_dump_with_timestamps_is_one_dump() -> None:
    run = sigquit("crash")
    plain = analyze(run.stderr).dumps[0]
    log = "".join(
        f"2026-11-22T03:14:07.{i:06d}Z {line}\n" for i, line in enumerate(run.stderr.splitlines())
    )
    result = analyze(log)
    assert len(result.dumps) == 1
    dump = result.dumps[0].dump
    assert dump.ids == plain.dump.ids
    assert dump.crash is not None and plain.crash is not None
    assert [t.m for t in dump.crash.threads] == [t.m for t in plain.crash.threads]


def test_ancestors_from_tracebackancestors() -> None:
    run = crash("ancestors", godebug="tracebackancestors=5")
    item = analyze(run.stderr).dumps[0]
    g = item.dump.goroutines[0]
    assert [a.goroutine for a in g.stack.ancestors] == [
        int(x) for x in _originating(run.stderr.split("\n\n")[1])
    ]
    assert g.stack.ancestors[0].frames[0].func.startswith("main.crashAncestors")
    assert g.creator is not None


def _originating(block: str) -> list[str]:
    return [
        line.split()[-1].rstrip("]:")
        for line in block.splitlines()
        if line.startswith("[originating")
    ]
