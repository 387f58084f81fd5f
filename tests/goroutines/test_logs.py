"""Dumps inside logs: prefixes, surrounding lines, several dumps, race reports."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support import gotool
from tests.support.targets import crash, sigquit
from triage.goroutines import analyze


def _prefix_lines(text: str, prefix: str) -> str:
    return "".join(f"{prefix}{line}\n" for line in text.splitlines())


def test_dump_between_log_lines() -> None:
    run = crash("piles")
    log = "2026/11/22 10:00:00 starting\nlevel=info msg=ready\n" + run.stderr
    log += "level=info msg=restarted after crash\n"
    result = analyze(log)
    assert len(result.dumps) == 1
    assert result.dumps[0].dump.goroutine_count == analyze(run.stderr).dumps[0].dump.goroutine_count
    assert result.dumps[0].dump.start_line == 3


@pytest.mark.parametrize(
    "prefix",
    [
        "2026-11-22T10:00:00.123456789Z ",  # kubectl logs --timestamps
        "[pod/api-7d9f/app] ",  # kubectl logs --prefix
        "[pod/api-7d9f/app] 2026-11-22T10:00:00.123456789Z ",  # both
        "2026-11-22T10:00:00.123Z stderr F ",  # containerd CRI log file
        "Nov 22 10:00:00 node-3 api[4242]: ",  # journald / syslog
        "api-1  | ",  # docker compose
    ],
)
def test_prefixed_dump(prefix: str) -> None:
    run = crash("piles")
    log = _prefix_lines("INFO serving on :8080\n" + run.stderr + "INFO back up\n", prefix)
    result = analyze(log)
    assert len(result.dumps) == 1
    item = result.dumps[0]
    plain = analyze(run.stderr).dumps[0]
    assert item.dump.ids == plain.dump.ids
    assert [g.count for g in item.groups] == [g.count for g in plain.groups]
    assert item.crash is not None and item.crash.message == "piles are in place"
    assert item.dump.start_line == 2
    labels = [g.labels for g in item.dump.goroutines if g.labels]
    assert len(labels) == 6


def test_several_dumps_in_one_log_are_kept_apart() -> None:
    first, second = crash("nil"), crash("deadlock")
    log = (
        "boot 1\n" + first.stderr + "exit status 2\n"
        "boot 2: listening\nrequest served\n" + second.stderr + "boot 3\n"
    )
    result = analyze(log)
    assert [d.crash.kind if d.crash else None for d in result.dumps] == ["panic", "fatal"]
    assert [d.findings[0].rule for d in result.dumps] == ["nil-dereference", "deadlock"]
    assert result.dumps[0].dump.crash.exit_status == 2  # type: ignore[union-attr]
    assert result.primary is result.dumps[1]


def test_dumps_without_blank_line_before_the_next_log_line() -> None:
    """Log output can resume right after the last frame of a dump."""
    a, b = crash("index").stderr.rstrip("\n"), crash("nil-map").stderr
    result = analyze(a + "\nINFO restarted pid=42\nINFO listening\n" + b)
    assert [d.findings[0].rule for d in result.dumps] == ["index-out-of-range", "nil-map"]
    assert not result.warnings


def test_two_goroutine_listings_pasted_together() -> None:
    text = sigquit().stderr
    body = text[text.index("goroutine ") :]
    body = body[: body.rfind("\n\nrax")] + "\n"
    result = analyze(body + "\n" + body)
    assert len(result.dumps) == 2
    assert result.dumps[0].dump.ids == result.dumps[1].dump.ids


def test_crlf_log() -> None:
    run = crash("concurrent-map")
    result = analyze(run.stderr.replace("\n", "\r\n"))
    assert result.dumps and result.dumps[0].findings[0].rule == "concurrent-map"


@pytest.fixture(scope="module")
def race_output() -> str:
    if not gotool.have_cc():
        pytest.skip("the race detector needs a C compiler")
    binary = gotool.build("racer", "-race", name="racer-race")
    proc = subprocess.run(
        [str(binary), "panic"], check=False, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode in (2, 66), proc.stderr
    return proc.stderr


def test_data_race_reports(race_output: str) -> None:
    result = analyze(race_output)
    race = result.dumps[0]
    assert race.crash is not None and race.crash.kind == "race"
    assert len(race.crash.races) == race_output.count("WARNING: DATA RACE") == 2
    report = race.crash.races[0]
    kinds = [a.kind for a in report.accesses]
    assert len(kinds) == 2 and kinds[1].startswith("Previous ")
    funcs = {f.func for a in report.accesses for f in a.frames}
    assert {"main.(*counter).record", "main.(*counter).read"} & funcs
    assert report.creations and all(c.frames for c in report.creations)
    findings = [f for f in race.findings if f.rule == "data-race"]
    assert len(findings) == 2
    assert "main.(*counter)." in findings[0].summary
    # the panic after the races is a dump of its own
    assert result.dumps[-1].crash is not None and result.dumps[-1].crash.kind == "panic"


def test_race_report_in_go_test_output(race_output: str, tmp_path: Path) -> None:
    log = (
        "=== RUN   TestCounter\n"
        + race_output.replace("\n", "\n    ", 0)
        + "--- FAIL: TestCounter\n"
    )
    result = analyze(log)
    assert result.dumps[0].crash is not None and result.dumps[0].crash.kind == "race"
