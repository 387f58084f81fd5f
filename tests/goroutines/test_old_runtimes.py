"""Formats of older Go runtimes, still met in production.

Go 1.27 cannot print them, so each sample is a real Go 1.27 dump with the one
textual change the older runtime made, named in each test.
"""

from __future__ import annotations

import re

from tests.goroutines.test_logs import race_output
from tests.support.targets import crash, sigquit
from triage.goroutines import analyze
from triage.goroutines.origin import Origin

__all__ = ["race_output"]  # the fixture, shared with test_logs


def _frames_by_goroutine(text: str) -> dict[int, tuple[object, ...]]:
    item = analyze(text).dumps[0]
    assert not item.dump.warnings, item.dump.warnings
    return {g.id: g.stack.signature for g in item.dump.goroutines}


def test_file_lines_with_fp_and_sp_but_no_pc() -> None:
    """Older runtimes printed `` fp=0x.. sp=0x..`` after a file line, without ``pc=``."""
    text = sigquit("system").stderr
    old = re.sub(r" pc=0x[0-9a-f]+$", "", text, flags=re.M)
    assert old != text and " sp=0x" in old
    want = _frames_by_goroutine(text)
    assert all(want.values())
    assert _frames_by_goroutine(old) == want


def test_file_lines_with_fp_only() -> None:
    """Older still: ``+0x.. fp=0x..`` and nothing after."""
    text = sigquit("system").stderr
    old = re.sub(r" sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$", "", text, flags=re.M)
    assert " sp=0x" not in old and " fp=0x" in old
    assert _frames_by_goroutine(old) == _frames_by_goroutine(text)


_ACCESS = re.compile(
    r"^((?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite)) at 0x[0-9a-f]+ by", re.M
)


def test_race_reports_without_addresses(race_output: str) -> None:
    """Older race reports: ``Write by goroutine 5:`` (no ``at 0x..``)."""
    old = _ACCESS.sub(r"\1 by", race_output)
    assert old != race_output and " at 0x" not in old.split("panic:")[0]
    race = analyze(old).dumps[0]
    assert race.crash is not None and race.crash.kind == "race"
    new = analyze(race_output).dumps[0]
    assert new.crash is not None
    findings = [f.summary for f in race.findings if f.rule == "data-race"]
    assert findings == [f.summary for f in new.findings if f.rule == "data-race"]
    assert len(findings) == 2
    first = race.crash.races[0].accesses[0]
    assert first.addr == "" and first.goroutine is not None and first.frames
    assert race.crash.message == f"data race: {first.kind.lower()} by goroutine {first.goroutine}"


def test_race_report_by_main_goroutine_without_address(race_output: str) -> None:
    """``Previous write by main goroutine:``: the main goroutine is goroutine 1."""
    old = _ACCESS.sub(r"\1 by", race_output)
    old = re.sub(r"^(Previous \w+) by goroutine \d+:", r"\1 by main goroutine:", old, flags=re.M)
    race = analyze(old).dumps[0]
    assert race.crash is not None
    previous = [a for r in race.crash.races for a in r.accesses if a.kind.startswith("Previous")]
    assert previous and all(a.goroutine == 1 for a in previous)


def test_c_runtime_functions_are_runtime_code() -> None:
    """Go 1.4 and older ran C runtime functions, printed without ``runtime.``:
    ``runfinq()`` in ``src/pkg/runtime/mgc0.c`` (here in place of runtime.runFinalizers)."""
    text = sigquit().stderr
    old, n = re.subn(
        r"runtime\.runFinalizers\(\)\n\t\S+/mfinal\.go:\d+",
        "runfinq()\n\t/usr/local/go/src/pkg/runtime/mgc0.c:2644",
        text,
    )
    assert n == 1
    item = analyze(old).dumps[0]
    [group] = [g for g in item.groups if g.state == "finalizer wait"]
    assert [f.func for f in group.frames if f.func == "runfinq"]
    assert all(f.origin is Origin.RUNTIME for f in group.frames)
    assert group.top_user_frame is None


def test_panic_frame_is_runtime_code() -> None:
    """Tracebacks print runtime.gopanic as ``panic(...)``, with no package (Go 1.27 too)."""
    item = analyze(crash("repanic").stderr).dumps[0]
    frames = item.dump.goroutines[0].frames
    [panic] = [f for f in frames if f.func == "panic"]
    assert panic.origin is Origin.RUNTIME
