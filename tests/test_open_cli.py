"""``triage open``/``attach`` refuse what they cannot use before any UI starts.

Run without a terminal (a new session, stdout a pipe): a command that started
the full-screen app here would fail the test by hanging or by its output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.httpd import refused_url, reply, serve
from tests.ui.conftest import SAMPLE


def triage(
    *args: str, stdin: bytes = b"", tmpdir: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env=env,
        start_new_session=True,  # no controlling terminal, no /dev/tty
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[bytes], code: int, *words: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err and not proc.stdout, (err, proc.stdout[:200])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: "), err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.log", None, "no such file"),
        ("adir", "dir", "is a directory"),
        ("empty.log", b"", "is empty"),
        ("garbage.bin", bytes(range(256)) * 8, "is binary data"),
        ("page.html", b"<!DOCTYPE html><title>Sign in</title>", "is an HTML page"),
    ],
)
def test_open_refuses_bad_input_before_the_ui(
    tmp_path: Path, name: str, content: bytes | str | None, words: str
) -> None:
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    line = one_line(triage("open", str(path)), 2, words)
    assert str(path) in line


def test_open_refuses_if_any_of_several_files_is_bad(tmp_path: Path) -> None:
    one_line(triage("open", str(SAMPLE), str(tmp_path / "nope.log")), 2, "nope.log: no such file")


def test_open_stdin_empty_or_without_a_terminal(tmp_path: Path) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    one_line(triage("open", "-", tmpdir=spool), 2, "stdin: is empty")
    one_line(
        triage("open", "-", stdin=SAMPLE.read_bytes(), tmpdir=spool), 2, "no terminal to read keys"
    )
    assert list(spool.iterdir()) == []  # the copy of stdin never had a name


def test_analyze_stdin_leaves_no_temporary_file(tmp_path: Path) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    proc = triage("analyze", "-", stdin=SAMPLE.read_bytes(), tmpdir=spool)
    assert proc.returncode == 0 and b"1151 goroutines" in proc.stdout
    assert list(spool.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["open", "pod/api-0"],
        ["open", "api-0", "-n", "prod"],
        ["analyze", "deploy/api", "--context", "gke-eu"],
        ["attach", "sts/db", "--namespace", "data"],
        ["flame", "ds/agent"],
    ],
)
def test_cluster_targets_without_a_kubeconfig_say_so(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    one_line(triage(*args), 2, "triage: no kubeconfig found", "point --kubeconfig or KUBECONFIG")


def test_bad_cluster_names_and_bundles_are_bad_input(tmp_path: Path) -> None:
    one_line(triage("open", "pod/API"), 2, "'API' is not a valid pod name")
    one_line(triage("analyze", "deploy/api", "-n", "Prod"), 2, "'Prod' is not a valid namespace")
    bundle = tmp_path / "support.tar.gz"
    bundle.write_bytes(b"\x1f\x8b\x08\x00")
    one_line(triage("open", str(bundle)), 2, "support.tar.gz: not a readable tar.gz")


def test_attach_where_nothing_answers_is_exit_3() -> None:
    url = refused_url().split("/debug/")[0]  # the base URL, as attach takes it
    line = one_line(triage("attach", url), 3, "connection refused")
    assert line.startswith(f"triage: {url}: ")  # the URL the user gave, not the probe's


def test_attach_without_pprof_or_allowed_says_so() -> None:
    routes = {"/locked/debug/pprof/goroutine": reply(403, b"forbidden")}
    with serve(routes) as base:
        one_line(triage("attach", base), 2, "HTTP 404", "net/http/pprof")
        one_line(triage("attach", base + "/locked"), 4, "HTTP 403")
