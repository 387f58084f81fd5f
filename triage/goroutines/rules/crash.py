"""What killed the process: one finding per crash, with the most specific rule id.

Classification uses the runtime's exact message formats (``index out of range
[5] with length 3``) and the ``[signal`` line, never the ``runtime error:``
prefix alone: any error value may carry that text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from triage.goroutines.diagnose import Context, Finding, rule
from triage.goroutines.grouping import top_user_frame
from triage.goroutines.model import Crash, Dump, Frame
from triage.goroutines.origin import Origin, classify


@dataclass(frozen=True, slots=True)
class _Kind:
    rule: str
    pattern: re.Pattern[str]
    title: str
    next_step: str


_PANIC_KINDS = (
    _Kind(
        "nil-dereference",
        re.compile(r"invalid memory address or nil pointer dereference"),
        "nil pointer dereference",
        "check which pointer or interface is nil at {where}: an unchecked error, "
        "a missing map entry or an uninitialised field",
    ),
    _Kind(
        "index-out-of-range",
        re.compile(r"index out of range \[-?\d+\] with length \d+"),
        "index out of range",
        "guard the index at {where} against the slice length (empty input, off-by-one)",
    ),
    _Kind(
        "slice-bounds",
        re.compile(r"slice bounds out of range \[[^\]]*\](?: with (?:length|capacity) \d+)?"),
        "slice bounds out of range",
        "check the slice expression at {where} against the length and capacity",
    ),
    _Kind(
        "invalid-size",
        re.compile(r"makeslice: (?:len|cap) out of range|makechan: size out of range"),
        "negative or huge size in make()",
        "validate the size computed before make() at {where}",
    ),
    _Kind(
        "divide-by-zero",
        re.compile(r"integer divide by zero"),
        "integer division by zero",
        "guard the divisor at {where}",
    ),
    _Kind(
        "type-conversion",
        re.compile(r"^interface conversion: "),
        "failed type assertion",
        "use the two-value form v, ok := x.(T) at {where}",
    ),
    _Kind(
        "closed-channel",
        re.compile(r"^(?:close of closed channel|send on closed channel|close of nil channel)$"),
        "closed-channel misuse",
        "make one owner close the channel, once, after all senders stop ({where})",
    ),
    _Kind(
        "nil-map",
        re.compile(r"^assignment to entry in nil map$"),
        "write to a nil map",
        "initialise the map with make() before writing to it at {where}",
    ),
    _Kind(
        "sync-misuse",
        re.compile(r"^sync: (?:negative WaitGroup counter|WaitGroup is reused|unlock of unlocked)"),
        "sync primitive misuse",
        "pair every Add/Lock with exactly one Done/Unlock; check {where}",
    ),
)

_FATAL_KINDS = (
    _Kind(
        "concurrent-map",
        re.compile(r"^concurrent map (?:writes|read and map write|iteration and map write)$"),
        "concurrent map access",
        "guard the map at {where} with a sync.Mutex/RWMutex or use sync.Map; "
        "confirm with a -race build",
    ),
    _Kind(
        "deadlock",
        re.compile(r"deadlock!$"),
        "deadlock: every goroutine is blocked",
        "look at what each blocked group waits for; the listed groups wait on each other",
    ),
    _Kind(
        "stack-overflow",
        re.compile(r"^stack overflow$"),
        "stack overflow (unbounded recursion)",
        "break the recursion cycle named below (middleware or handler wrapping itself?)",
    ),
    _Kind(
        "out-of-memory",
        re.compile(r"^out of memory"),
        "out of memory",
        "check the heap profile (triage flame URL/debug/pprof/heap) and the allocation "
        "size in the runtime line; raise the memory limit only after",
    ),
    _Kind(
        "sync-misuse",
        re.compile(r"^sync: "),
        "sync primitive misuse",
        "pair every Lock with exactly one Unlock; check {where}",
    ),
    _Kind(
        "invalid-memory",
        re.compile(r"^(?:fault|unexpected signal during runtime execution)$"),
        "invalid memory access",
        "look for unsafe, cgo or a corrupted pointer near {where}",
    ),
)


@rule("crash")
def crash_rule(ctx: Context) -> Iterator[Finding]:
    """One finding naming the crash, its kind and its top user frame."""
    crash = ctx.dump.crash
    if crash is None or crash.kind == "race":
        return
    group = ctx.group_of(crash.goroutine)
    frames = group.frames if group is not None else ()
    frame = crash_frame(crash, frames)
    where = _where(frame)
    kind = _classify(crash)
    if crash.kind == "signal" and kind is None:
        finding = _signal_finding(crash, where)
        finding.details.extend(system_stack_details(ctx.dump))
        yield finding
        return
    if kind is None and group is None and on_system_stack(crash):
        yield _system_stack_finding(crash)
        return
    rule_id = kind.rule if kind else "crash"
    title = kind.title if kind else ("panic" if crash.kind == "panic" else "fatal error")
    said = ("panic: " if crash.kind == "panic" else "fatal error: ") + _first_line(crash.message)
    if kind is not None and kind.rule == "deadlock":
        summary = f"{title} ({len(ctx.groups)} groups): {said}"
    elif frame is not None:
        summary = f"{title} in {frame.brief} - {said}"
    else:
        summary = f"{title} - {said}"
    finding = Finding(
        rule=rule_id,
        severity="critical",
        summary=summary,
        groups=[group.id] if group is not None else [],
        goroutines=1,
        next_step=(
            kind.next_step if kind else "read the stack of the crashing goroutine at {where}"
        ).replace("{where}", where),
    )
    if kind is not None and kind.rule == "stack-overflow":
        finding.details.extend(_cycle_details(frames))
    if kind is not None and kind.rule == "deadlock":
        finding.groups = [g.id for g in ctx.groups]
        finding.goroutines = sum(g.count for g in ctx.groups)
    if crash.runtime_lines:
        finding.details.extend(f"runtime: {line}" for line in crash.runtime_lines[:3])
    for extra in crash.panics[1:]:
        finding.details.append(f"then panicked again: {_first_line(extra.message)}")
    if crash.panics and crash.panics[0].recovered:
        finding.details.append("the first panic was recovered, then re-panicked")
    finding.details.extend(system_stack_details(ctx.dump))
    yield finding


#: runtime functions that only report a throw: the crash site is their caller
_THROWERS = frozenset(
    (
        "runtime.throw",
        "runtime.fatal",
        "runtime.fatalthrow",
        "runtime.fatalpanic",
        "runtime.systemstack",
    )
)


def on_system_stack(crash: Crash) -> bool:
    """A fatal error thrown on the system stack while no goroutine was running."""
    return crash.kind == "fatal" and crash.goroutine is None and bool(crash.runtime_stack)


def system_stack_site(crash: Crash) -> Frame | None:
    """The runtime function that threw, from the ``runtime stack:`` block."""
    frames = crash.runtime_stack
    return next((f for f in frames if f.func not in _THROWERS), frames[0] if frames else None)


def _system_stack_finding(crash: Crash) -> Finding:
    site = system_stack_site(crash)
    at = f" in {site.brief}" if site is not None else ""
    said = "fatal error: " + _first_line(crash.message)
    finding = Finding(
        rule="runtime-throw",
        severity="critical",
        summary=f"runtime fatal error on the system stack{at}, no goroutine running - {said}",
        goroutines=0,
        next_step="the crash site is the runtime stack, not a goroutine: a runtime invariant "
        "broke; look for code that pins or locks the thread (go:linkname into the runtime, "
        "cgo, unsafe) and check the Go version's known runtime bugs",
        details=[
            "runtime stack: " + _chain(crash.runtime_stack),
            "the thread that threw had no current goroutine: none of the goroutines listed "
            "was running on it, whichever is printed first",
        ],
    )
    finding.details.extend(f"runtime: {line}" for line in crash.runtime_lines[:3])
    return finding


def _chain(frames: tuple[Frame, ...], keep: int = 4) -> str:
    """``a <- b <- c ... <- z``: the innermost functions and the outermost one."""
    funcs = [f.func for f in frames]
    if len(funcs) > keep + 1:
        funcs = [*funcs[:keep], "...", funcs[-1]]
    return " <- ".join(funcs) if funcs else "(no frames)"


#: system stacks named in a finding's details; the rest are counted
_SYSTEM_STACKS_SHOWN = 4


def system_stack_details(dump: Dump) -> list[str]:
    """One line per thread whose system stack (``goroutine 0``) the runtime printed."""
    lines = [
        f"{s.thread} system stack ({s.state}; goroutine 0, not a goroutine): {_chain(s.frames)}"
        for s in dump.system_stacks[:_SYSTEM_STACKS_SHOWN]
    ]
    more = len(dump.system_stacks) - _SYSTEM_STACKS_SHOWN
    if more > 0:
        lines.append(f"... and {more} more threads' system stacks")
    return lines


def crash_frame(crash: Crash, frames: tuple[Frame, ...]) -> Frame | None:
    """The crash's top user frame (skipping runtime and standard library)."""
    return top_user_frame(frames) or next(
        (f for f in frames if classify(f.func, f.file) is not Origin.RUNTIME), None
    )


def _classify(crash: Crash) -> _Kind | None:
    if crash.kind == "panic":
        message = crash.panics[0].message if crash.panics else crash.message
        for kind in _PANIC_KINDS:
            if kind.pattern.search(message):
                if kind.rule == "nil-dereference" and not _nil_signal(crash):
                    continue
                return kind
        return None
    if crash.fatal is not None:
        for kind in _FATAL_KINDS:
            if kind.pattern.search(crash.fatal):
                return kind
    return None


def _nil_signal(crash: Crash) -> bool:
    """A real nil dereference comes with a SIGSEGV/SIGBUS at a small address."""
    sig = crash.signal
    if sig is None or sig.addr is None:
        return sig is None  # no signal line (wasm, or GOTRACEBACK=none): trust the text
    try:
        return int(sig.addr, 16) < 0x10000
    except ValueError:
        return True


def _signal_finding(crash: Crash, where: str) -> Finding:
    sig = crash.signal
    name = sig.name if sig else "signal"
    sender = signal_sender(crash)
    if name == "SIGQUIT":
        who = f", {sender}" if sender else ""
        senders = "go test's -timeout, kill -QUIT by hand or from a script"
        if sender is None:
            senders += ", Ctrl-\\ in its terminal"
        return Finding(
            rule="sigquit-dump",
            severity="info",
            summary=f"SIGQUIT dump{who}: the runtime printed every goroutine and exited",
            next_step="the process was probably stuck: look at the piles below"
            + (f"; find who sent SIGQUIT ({senders})" if sender != _CTRL_BACKSLASH else "")
            + "; the kubelet's liveness kill is SIGKILL and prints nothing",
        )
    if sender == _FROM_OUTSIDE:
        return Finding(
            rule="signal-from-outside",
            severity="warning",
            summary=f"killed by {crash.message}, {sender}: not a fault in this process's code",
            next_step=f"find who sent {name} ({_SENDERS.get(name, f'kill -{name[3:]}')}); "
            "the goroutines below show what the process was doing when it came",
        )
    return Finding(
        rule="signal",
        severity="critical",
        summary=f"killed by {crash.message}",
        next_step=f"look for cgo or unsafe code near {where}",
    )


#: what usually sends a signal from outside, as the next step names it
_SENDERS = {
    "SIGABRT": "kill -ABRT by hand or from a script, a supervisor asking for a core dump",
    "SIGSEGV": "kill -SEGV by hand or from a script",
    "SIGBUS": "kill -BUS by hand or from a script",
    "SIGILL": "kill -ILL by hand or from a script",
    "SIGFPE": "kill -FPE by hand or from a script",
    "SIGTRAP": "a debugger, or kill -TRAP",
}
#: si_code values (Linux): SI_USER is kill(2) from a process, SI_KERNEL a terminal key
_SI_USER = 0
_FROM_OUTSIDE = "sent by another process"
_CTRL_BACKSLASH = "Ctrl-\\ at a terminal"
_SI_KERNEL = 0x80


def signal_sender(crash: Crash) -> str | None:
    """Who sent the signal, from its ``sigcode``/``code`` (None when it was a real fault)."""
    sig = crash.signal
    if sig is None or sig.code is None:
        return None
    try:
        code = int(sig.code, 0)
    except ValueError:
        return None
    if code == _SI_USER:
        return _FROM_OUTSIDE
    if code == _SI_KERNEL and sig.name == "SIGQUIT":
        return _CTRL_BACKSLASH
    return None


def _cycle_details(frames: tuple[Frame, ...]) -> list[str]:
    """Name the repeating cycle of functions in an overflowing stack."""
    cycle = repeating_cycle([f.func for f in frames])
    if not cycle:
        return []
    return ["repeating cycle: " + " -> ".join(cycle)]


def repeating_cycle(funcs: list[str], min_repeats: int = 3) -> list[str]:
    """The shortest sequence of functions that repeats back to back, callers first.

    ``funcs`` is innermost first. The cycle is named from the function the
    recursion was entered through: the outermost frame that belongs to it.
    """
    for start in range(min(len(funcs), 20)):
        window = funcs[start:]
        for period in range(1, len(window) // min_repeats + 1):
            if all(window[i] == window[i + period] for i in range((min_repeats - 1) * period)):
                members = set(window[:period])
                entry = next(f for f in reversed(funcs) if f in members)
                ordered = list(reversed(window[:period]))
                k = ordered.index(entry)
                return ordered[k:] + ordered[:k]
    return []


def _where(frame: Frame | None) -> str:
    return frame.short_location if frame is not None else "the crashing frame"


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


@rule("data-race")
def race_rule(ctx: Context) -> Iterator[Finding]:
    """A ``-race`` build reported a data race."""
    crash = ctx.dump.crash
    if crash is None or crash.kind != "race":
        return
    for report in crash.races:
        if not report.accesses:
            continue
        sides = []
        for access in report.accesses[:2]:
            frame = top_user_frame(access.frames) or (access.frames[0] if access.frames else None)
            at = frame.brief if frame else "?"
            who = f"goroutine {access.goroutine}" if access.goroutine is not None else "?"
            sides.append(f"{access.kind.lower()} by {who} in {at}")
        yield Finding(
            rule="data-race",
            severity="critical",
            summary="data race: " + "; ".join(sides),
            goroutines=len({a.goroutine for a in report.accesses}),
            next_step="protect the shared variable with a mutex, a channel or sync/atomic",
            details=[
                f"goroutine {c.goroutine} ({c.state}) created at "
                f"{c.frames[0].func if c.frames else '?'}"
                for c in report.creations
            ],
        )
