"""Read what precedes and follows the goroutines of a crash: the crash itself.

Go prints, before the first goroutine: ``runtime:`` detail lines (stack
overflow, out of memory), ``unexpected fault address``, ``fatal error: X``, the
panic chain (oldest first; continuation lines and nested panics start with a
tab; ``[recovered]`` / ``[recovered, repanicked]`` end a value), a
``[signal ...]`` line, ``SIGQUIT: quit`` / ``PC=.. m=0 sigcode=0``, and a
``runtime stack:`` block. After the goroutines come a register dump and, from
``go run``, ``exit status N``.
"""

from __future__ import annotations

import re

from triage.goroutines.frames import parse_frames
from triage.goroutines.model import Crash, Dump, PanicValue, Signal

SIGNAL_LINE_RE = re.compile(
    r"^\[signal (?P<name>SIG[A-Z0-9]+)(?:: (?P<desc>.*?))?"
    r"(?: code=(?P<code>\S+))?(?: addr=(?P<addr>\S+))?(?: pc=(?P<pc>\S+))?\]\s*$"
)
SIG_HEADER_RE = re.compile(r"^(?P<name>SIG[A-Z0-9]+): (?P<desc>.*)$")
PC_LINE_RE = re.compile(
    r"^PC=(?P<pc>0x[0-9a-f]+) m=\S+ sigcode=(?P<code>\S+)(?: addr=(?P<addr>\S+))?"
)
REGISTER_RE = re.compile(r"^(?P<name>[a-z][a-z0-9]{0,7})\s+(?P<value>0x[0-9a-f]+)\s*$")
EXIT_RE = re.compile(r"^exit status (\d+)\s*$")
_RECOVERED = " [recovered]"
_REPANICKED = " [recovered, repanicked]"


def parse_crash_header(lines: list[str]) -> Crash | None:
    """Parse the lines before the first goroutine; None when they hold no crash."""
    crash = Crash(kind="", message="")
    panics: list[list[str]] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i].rstrip("\r")
        if line.startswith("panic: "):
            panics.append([line[len("panic: ") :]])
        elif line.startswith("\tpanic: ") and panics:
            panics.append([line[len("\tpanic: ") :]])
        elif line.startswith("\t") and panics and not line.startswith("\t/"):
            panics[-1].append(line[1:])
        elif line.startswith("fatal error: "):
            crash.fatal = line[len("fatal error: ") :].strip()
        elif line.startswith("runtime: "):
            crash.runtime_lines.append(line[len("runtime: ") :])
        elif line.startswith("unexpected fault address "):
            crash.runtime_lines.append(line)
        elif (m := SIGNAL_LINE_RE.match(line)) is not None:
            crash.signal = Signal(
                m.group("name"),
                m.group("desc") or "",
                m.group("code"),
                m.group("addr"),
                m.group("pc"),
            )
        elif (m := SIG_HEADER_RE.match(line)) is not None and crash.signal is None:
            crash.signal = Signal(m.group("name"), m.group("desc"))
        elif (m := PC_LINE_RE.match(line)) is not None and crash.signal is not None:
            crash.signal.pc = m.group("pc")
            crash.signal.code = m.group("code")
            crash.signal.addr = m.group("addr") or crash.signal.addr
        elif line.strip() == "runtime stack:":
            j = i + 1
            while j < n and lines[j].strip():
                j += 1
            crash.runtime_stack = tuple(parse_frames(lines[i + 1 : j]).frames)
            i = j
            continue
        i += 1
    crash.panics = [_panic_value(p) for p in panics]
    return _finish(crash)


def _panic_value(lines: list[str]) -> PanicValue:
    text = "\n".join(lines)
    value = PanicValue(message=text)
    if text.endswith(_REPANICKED):
        value.message = text[: -len(_REPANICKED)]
        value.recovered = value.repanicked = True
    elif text.endswith(_RECOVERED):
        value.message = text[: -len(_RECOVERED)]
        value.recovered = True
    if value.message.startswith("runtime.Goexit"):
        value.goexit = True
    return value


def _finish(crash: Crash) -> Crash | None:
    if crash.panics:
        crash.kind = "panic"
        crash.message = crash.panics[0].message
        if len(crash.panics) > 1:
            crash.message += " (then: " + "; ".join(p.message for p in crash.panics[1:]) + ")"
    elif crash.fatal is not None:
        crash.kind = "fatal"
        crash.message = crash.fatal
    elif crash.signal is not None:
        crash.kind = "signal"
        crash.message = f"{crash.signal.name}: {crash.signal.description}".rstrip(": ")
    else:
        return None
    return crash


def parse_trailer(lines: list[str], crash: Crash | None) -> list[str]:
    """Read registers and ``exit status``; return the lines that are neither."""
    rest: list[str] = []
    registers: dict[str, str] = {}
    exit_status: int | None = None
    for line in lines:
        if (m := REGISTER_RE.match(line)) is not None:
            registers[m.group("name")] = m.group("value")
        elif (m := EXIT_RE.match(line)) is not None:
            exit_status = int(m.group(1))
        elif line.strip():
            rest.append(line)
    if crash is not None:
        crash.registers.update(registers)
        if exit_status is not None:
            crash.exit_status = exit_status
    return rest


_CRASH_STATES = ("running", "syscall")


def crashing_goroutine(crash: Crash, dump: Dump) -> int | None:
    """The goroutine the crash happened on: the first one printed, if it was running.

    The runtime prints the thread's current goroutine first. A throw on the
    system stack with no current goroutine (``schedule: holding locks``, a
    deadlock) prints the others in no particular order, all of them parked:
    then no goroutine crashed, and the crash site is the runtime stack.
    """
    if not dump.ids:
        return None
    if crash.kind != "panic" and (
        dump.statuses[0].state not in _CRASH_STATES or dump.stacks[0].unavailable
    ):
        return None
    return dump.ids[0]
