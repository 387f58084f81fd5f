"""``triage analyze`` as a user runs it: files, stdin, URLs, JSON, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.httpd import hang, refused_url, reply, serve
from tests.support.targets import crash, leaky, write


def triage(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=dict(os.environ, **(env or {})),
        check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[bytes], code: int, *words: str) -> None:
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: "), err
    for word in words:
        assert word in lines[0], lines[0]


CONTRACT_TOP = {"source", "goroutines", "crash", "groups", "findings"}
CONTRACT_CRASH = {"kind", "message", "goroutine", "frame"}
CONTRACT_GROUP = {"id", "count", "state", "states", "wait_minutes", "frames", "created_by"}
CONTRACT_FINDING = {"rule", "severity", "summary", "groups", "goroutines"}


def check_contract(doc: dict[str, object]) -> None:
    assert set(doc) >= CONTRACT_TOP
    assert isinstance(doc["goroutines"], int)
    crash_ = doc["crash"]
    if crash_ is not None:
        assert isinstance(crash_, dict) and set(crash_) >= CONTRACT_CRASH
        assert crash_["kind"] in ("panic", "fatal", "signal", "race")
        frame = crash_["frame"]
        assert frame is None or set(frame) == {"func", "file", "line"}
    for g in doc["groups"]:  # type: ignore[attr-defined]
        assert set(g) >= CONTRACT_GROUP
        assert set(g["wait_minutes"]) == {"min", "max"}
        assert all(set(f) == {"func", "file", "line"} for f in g["frames"])
    for f in doc["findings"]:  # type: ignore[attr-defined]
        assert set(f) >= CONTRACT_FINDING
        assert f["severity"] in ("critical", "warning", "info")


def test_json_from_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "crash.log", crash("nil").stderr)
    proc = triage("analyze", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    check_contract(doc)
    assert doc["source"] == str(path)
    assert doc["goroutines"] == 1
    assert doc["crash"]["kind"] == "panic"
    assert doc["crash"]["goroutine"] == 1
    assert doc["crash"]["frame"]["func"] == "main.(*Server).Name"
    assert doc["crash"]["frame"]["file"].endswith("tests/targets/crashers/main.go")
    assert doc["findings"][0]["rule"] == "nil-dereference"
    assert doc["findings"][0]["groups"] == [doc["groups"][0]["id"]]


def test_json_from_stdin() -> None:
    proc = triage("analyze", "-", "--json", stdin=crash("deadlock").stderr.encode())
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    check_contract(doc)
    assert doc["source"] == "stdin"
    assert doc["crash"]["kind"] == "fatal"
    assert sum(g["count"] for g in doc["groups"]) == doc["goroutines"] == 5


def test_json_of_a_live_service() -> None:
    with leaky() as svc:
        svc.get("/leak?n=120")
        proc = triage("analyze", svc.url, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    check_contract(doc)
    assert doc["source"].endswith("/debug/pprof/goroutine?debug=2")
    assert doc["crash"] is None
    leak = [f for f in doc["findings"] if f["rule"] == "goroutine-leak"]
    assert leak and leak[0]["goroutines"] == 120
    group = next(g for g in doc["groups"] if g["id"] == leak[0]["groups"][0])
    assert group["count"] == 120 and group["state"] == "chan receive"
    assert group["labels"]["handler"] == ["/leak"]


def test_several_dumps_in_json(tmp_path: Path) -> None:
    path = write(tmp_path, "two.log", crash("index").stderr + "INFO up\n" + crash("oom").stderr)
    doc = json.loads(triage("analyze", str(path), "--json").stdout)
    assert [d["crash"]["kind"] for d in doc["dumps"]] == ["panic", "fatal"]
    assert doc["crash"]["kind"] == "fatal"  # the most recent crash is the primary one
    for d in doc["dumps"]:
        check_contract(d)


def test_human_output_without_colour_by_default(tmp_path: Path) -> None:
    path = write(tmp_path, "piles.log", crash("piles").stderr)
    proc = triage("analyze", str(path), "--top", "2")
    out = proc.stdout.decode()
    assert proc.returncode == 0
    assert "\x1b[" not in out  # not a TTY
    assert "PANIC  piles are in place" in out
    assert "CRITICAL" in out and "[crash]" in out
    assert "#1" in out and "5 x chan receive" in out and "#3" not in out
    forced = triage("analyze", str(path), "--color", "always").stdout.decode()
    assert "\x1b[" in forced


def test_no_color_wins_over_a_tty(tmp_path: Path) -> None:
    path = write(tmp_path, "nil.log", crash("nil").stderr)
    code = (
        "import pty, os, sys\n"
        f"os.environ['NO_COLOR'] = '1'\n"
        f"pty.spawn([sys.executable, '-m', 'triage', 'analyze', {str(path)!r}])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=60, check=False
    )
    assert b"nil pointer dereference" in proc.stdout
    assert b"\x1b[" not in proc.stdout


def test_truncated_dump_keeps_complete_goroutines(tmp_path: Path) -> None:
    text = crash("piles").stderr
    total = text.count("\ngoroutine ")
    cut = text.rfind("\t/", 0, len(text) - 5)  # inside the last goroutine's last file line
    path = write(tmp_path, "cut.log", text[: cut + 6])
    proc = triage("analyze", str(path), "--json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["goroutines"] == total  # the cut goroutine is kept, marked incomplete
    err = proc.stderr.decode()
    assert "warning: input ends inside goroutine" in err
    assert "every goroutine before it is complete" in err


@pytest.mark.parametrize("cut_at", [0.3, 0.5, 0.77, 0.9])
def test_dump_cut_anywhere_never_crashes(tmp_path: Path, cut_at: float) -> None:
    text = crash("piles").stderr
    path = write(tmp_path, "cut.log", text[: int(len(text) * cut_at)])
    proc = triage("analyze", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["goroutines"] >= 1


def test_empty_input(tmp_path: Path) -> None:
    assert_one_line_error(triage("analyze", str(write(tmp_path, "e", b""))), 2, "is empty")
    assert_one_line_error(triage("analyze", "-", stdin=b""), 2, "stdin", "is empty")


def test_binary_garbage(tmp_path: Path) -> None:
    path = write(tmp_path, "g.bin", os.urandom(1 << 20))
    assert_one_line_error(triage("analyze", str(path)), 2, "binary data")


def test_text_without_a_dump(tmp_path: Path) -> None:
    path = write(tmp_path, "app.log", "INFO starting\nWARN slow request\n" * 1000)
    assert_one_line_error(triage("analyze", str(path)), 2, "holds no goroutine dump")


def test_local_html_file_does_not_say_check_the_url(tmp_path: Path) -> None:
    page = write(tmp_path, "goroutines.html", "<!DOCTYPE html><title>pprof</title><pre>…")
    proc = triage("analyze", str(page))
    assert_one_line_error(proc, 2, "is an HTML page", "curl -o")
    assert "check the URL" not in proc.stderr.decode()


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert_one_line_error(triage("analyze", str(tmp_path / "nope")), 2, "no such file")
    assert_one_line_error(triage("analyze", str(tmp_path)), 2, "is a directory")


def test_http_errors() -> None:
    routes = {
        "/html/debug/pprof/goroutine": reply(200, b"<!DOCTYPE html><p>Sign in", "text/html"),
        "/forbidden/debug/pprof/goroutine": reply(403, b"forbidden"),
        "/broken/debug/pprof/goroutine": reply(500, b"boom"),
        "/slow/debug/pprof/goroutine": hang(5),
    }  # fmt: skip
    with serve(routes) as base:
        g = "/debug/pprof/goroutine?debug=2"
        assert_one_line_error(
            triage("analyze", base + "/html" + g), 2, "HTML page", "check the URL"
        )
        assert_one_line_error(triage("analyze", base + "/missing" + g), 2, "HTTP 404")
        assert_one_line_error(triage("analyze", base + "/forbidden" + g), 4, "HTTP 403")
        assert_one_line_error(triage("analyze", base + "/broken" + g), 3, "HTTP 500")
        assert_one_line_error(
            triage("analyze", base + "/slow" + g, "--timeout", "0.5"), 3, "no answer within 0.5s"
        )
    assert_one_line_error(triage("analyze", refused_url()), 3, "connection refused")


def test_target_dying_is_unreachable() -> None:
    with leaky() as svc:
        url = svc.url
        svc.proc.kill()
        svc.proc.wait()
        # Refused, or (when a parallel test's server took the freed port) a broken
        # connection: either way unreachable, exit 3, one line.
        proc = triage("analyze", url)
        assert_one_line_error(proc, 3)
        assert b"cannot connect" in proc.stderr or b"connection broke" in proc.stderr


def test_profile_given_to_analyze(tmp_path: Path) -> None:
    with leaky() as svc:
        body = svc.get("/debug/pprof/goroutine?debug=0").content
    path = write(tmp_path, "goroutine.pb.gz", body)
    assert_one_line_error(triage("analyze", str(path)), 2, "gzip", "triage flame")


@pytest.mark.slow
def test_two_gigabyte_log_is_scanned_in_place(tmp_path: Path) -> None:
    """A 2 GiB log with a dump at its end: found, and never loaded into memory."""
    path = tmp_path / "huge.log"
    dump = crash("nil").stderr.encode()
    with path.open("wb") as fh:
        fh.write(b"INFO boot\n" * 1000)
        fh.seek((2 << 30) - len(dump) - 1)  # sparse: the middle reads as zeros
        fh.write(b"\n" + dump)
    code = (
        "import resource, subprocess, sys\n"
        f"p = subprocess.run([sys.executable, '-m', 'triage', 'analyze', {str(path)!r}, '--json'],"
        " capture_output=True)\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(p.returncode, rss, p.stdout[:2000].decode(), p.stderr.decode(), sep='|')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    ).stdout
    code_, rss_kb, doc, err = out.split("|", 3)
    assert code_ == "0", err
    assert '"kind": "panic"' in doc
    assert int(rss_kb) < 400 * 1024, f"peak RSS {int(rss_kb) // 1024} MiB for a 2 GiB log"


def test_usage_errors_are_one_line() -> None:
    for args in (["analyze"], ["analyze", "x", "--top", "many"], ["nosuch"]):
        assert_one_line_error(triage(*args), 2, "see `triage")
