"""Where dumps begin and end in a log: prefixes, chained crashes, go test -json, and linear cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzzing import cost_ratio
from tests.support import gotool
from tests.support.targets import crash, write
from triage.goroutines import analyze

PREFIXES = ["2026-11-22T03:14:07.000148Z ", "app-1  | ", "[pod/checkout-7d9f/app] "]


def _prefixed(text: str, prefix: str) -> str:
    return "".join(prefix + line + "\n" for line in text.splitlines())


def _run_into_panic(text: str) -> str:
    """A dump whose last goroutine block runs straight into a second crash (no blank line)."""
    body = text.rstrip("\n").removesuffix("exit status 2").rstrip("\n")
    return body + "\n" + crash("index").stderr


@pytest.mark.parametrize("prefix", PREFIXES)
def test_prefixed_dump_running_into_a_panic_reads_both(tmp_path: Path, prefix: str) -> None:
    # Before: the restart offset found in the prefix-stripped copy was applied to
    # the input, and the scan looped forever with memory growing.
    log = "level=info msg=up\n" * 40 + _prefixed(_run_into_panic(crash("piles").stderr), prefix)
    path = write(tmp_path, "app.log", log)
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "analyze", str(path), "--json"],
        capture_output=True,
        timeout=120,  # a hang guard, not a budget
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    messages = [d["crash"]["message"] for d in doc["dumps"]]
    assert len(messages) == 2
    assert messages[0] == "piles are in place"
    assert "index out of range" in messages[1]
    piles = analyze(crash("piles").stderr).dumps[0].dump.goroutine_count
    assert doc["dumps"][0]["goroutines"] == piles


def test_chained_crashes_without_blank_lines_are_each_read() -> None:
    one = crash("nil").stderr.rstrip("\n").removesuffix("exit status 2").rstrip("\n")
    result = analyze("\n".join([one] * 50) + "\n")
    assert len(result.dumps) == 50
    assert all(d.dump.goroutine_count == 1 and d.crash is not None for d in result.dumps)


# --- complexity checks (not budgets): cost at n and 8n, linear = 8x, quadratic = 64x ---

FACTOR = 8
LIMIT = 3 * FACTOR  # generous: noise on a busy machine, never a quadratic's 64x


def _linear(make: object, n: int) -> None:
    small, big = make(n), make(FACTOR * n)  # type: ignore[operator]
    ratio = cost_ratio(analyze, small, big)
    assert ratio < LIMIT, f"{FACTOR}x the input cost {ratio:.0f}x the time"


def test_log_where_every_line_says_goroutine_is_linear() -> None:
    # Before: each rejected "goroutine" hit re-searched a 1 MiB window for every literal.
    _linear(lambda n: b'level=info msg="goroutine count ok" n=12\n' * n, 2000)


def test_frame_line_of_open_parens_is_linear() -> None:
    # Before: the frame-line pattern backtracked over every "(".
    _linear(lambda n: b"goroutine 1 [running]:\nmain.f" + b"(" * n + b"\n", 4000)


def test_prefixed_frame_line_of_open_parens_is_linear() -> None:
    pfx = b"2026-11-22T03:14:07Z "
    _linear(lambda n: pfx + b"goroutine 1 [running]:\n" + pfx + b"main.f" + b"(" * n + b"\n", 4000)


def test_blank_file_line_is_linear() -> None:
    # Before: the file-line pattern gave back its leading blanks one at a time.
    _linear(lambda n: b"goroutine 1 [running]:\nmain.f()\n\t" + b" " * n + b"x\n", 2000)


def test_thousands_of_short_crashes_are_linear() -> None:
    # Before: each crash decoded and split up to 4 MiB of the input after it.
    one = crash("nil").stderr.encode()
    _linear(lambda n: one * n, 200)


def test_chained_crashes_are_linear() -> None:
    # Before: each restart re-parsed every goroutine block after it.
    one = crash("nil").stderr.rstrip("\n").removesuffix("exit status 2").rstrip("\n").encode()
    _linear(lambda n: b"\n".join([one] * n) + b"\n", 60)


def test_unclosed_race_reports_are_linear() -> None:
    report = b"WARNING: DATA RACE\nWrite at 0x00c000012345 by goroutine 7:\n  main.f()\n"
    _linear(lambda n: report * n + b"==================\n", 500)


# --- go test -json (test2json), as CI logs and gotestsum keep it ---


def _go_test_json(mode: str, *flags: str) -> bytes:
    env = gotool.go_env(cgo="-race" in flags)
    env.update(TRIAGE_GOTEST_CRASH=mode, GOTRACEBACK="all")
    proc = subprocess.run(
        [str(gotool.go_binary()), "test", "-json", *flags, "-count=1", "./gotest"],
        cwd=gotool.TARGETS,
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 1 and b'"Action":"fail"' in proc.stdout, proc.stderr.decode()
    return proc.stdout


def test_go_test_json_panic_is_unwrapped() -> None:
    out = _go_test_json("panic", "-run", "TestPanics")
    result = analyze(out)
    assert len(result.dumps) == 1
    item = result.dumps[0]
    assert item.crash is not None and item.crash.kind == "panic"
    assert "nil pointer dereference" in item.crash.message
    assert item.findings[0].rule == "nil-dereference"
    headers = [
        e["Output"] for e in map(json.loads, out.splitlines()) if e.get("Action") == "output"
    ]
    assert item.dump.goroutine_count == sum(h.startswith("goroutine ") for h in headers) >= 4
    frames = {f.func for f in item.dump.goroutines[0].frames}
    assert "example.com/shop/gotest.(*cart).checkout" in frames
    assert not item.dump.warnings


def test_go_test_json_race_report_is_unwrapped() -> None:
    if not gotool.have_cc():
        pytest.skip("the race detector needs a C compiler")
    out = _go_test_json("race", "-race", "-run", "TestRace")
    result = analyze(out)
    races = [d for d in result.dumps if d.crash is not None and d.crash.kind == "race"]
    assert len(races) == 1 and len(races[0].crash.races) == 1  # type: ignore[union-attr]
    funcs = {f.func for a in races[0].crash.races[0].accesses for f in a.frames}  # type: ignore[union-attr]
    assert "example.com/shop/gotest.record" in funcs
    assert [f.rule for f in races[0].findings] == ["data-race"]


def test_go_test_json_after_a_long_log_is_unwrapped() -> None:
    out = _go_test_json("panic", "-run", "TestPanics")
    log = b"build step: compiling\n" * 60_000 + out  # past the first MiB looked at for test2json
    item = analyze(log).dumps[0]
    assert item.crash is not None and "nil pointer dereference" in item.crash.message


def test_many_thread_sections_are_linear() -> None:
    section = (
        b"\n-----\n\nSIGQUIT: quit\nPC=0x48aa21 m=%d sigcode=0\n\n"
        b"goroutine %d gp=0x1 m=%d mp=0x2 [idle]:\n"
        b"runtime.futex()\n\t/go/src/runtime/sys.s:575 +0x21\nrax    0xca\n"
    )
    head = b"SIGQUIT: quit\nPC=0x48aa21 m=0 sigcode=0\n\n"
    head += b"goroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1\n"

    def make(n: int) -> bytes:
        return head + b"".join(section % (i, i + 2, i) for i in range(n))

    assert len(analyze(make(50)).dumps) == 1
    _linear(make, 300)
