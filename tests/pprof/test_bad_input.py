"""Bad input is normal input: one clear line, exit 2 or 3, never a traceback.

Each case runs the real command in a subprocess on real bytes: real profiles
cut short or corrupted, the target's own HTML page, text dumps, its binary.
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.pprof import protoedit
from triage.errors import BadInput
from triage.pprof.decode import decode


def triage(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", "flame", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_line_error(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("triage: ")
    for word in words:
        assert word in line
    return line


@pytest.fixture(scope="module")
def bad_files(profiles: dict[str, Path], server: Any, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("bad")
    good = profiles["cpu"].read_bytes()
    raw = gzip.decompress(good)
    files = {
        "truncated-gzip": good[: len(good) // 2],
        "corrupt-gzip": good[:40] + bytes(b ^ 0x5A for b in good[40:80]) + good[80:],
        "truncated-raw": raw[: len(raw) * 2 // 3],
        "text": b"this is not a profile\njust some notes\n",
        "empty": b"",
        "executable": server.binary.read_bytes()[:65536],
        "gzipped-html": gzip.compress(b"<!DOCTYPE html><html><body>Sign in</body></html>"),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = out / name
        paths[name].write_bytes(data)
    paths["no-samples"] = protoedit.edited(
        profiles["cpu"], out / "no-samples.pb.gz", lambda m: m.ClearField("sample")
    )
    return paths


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("truncated-gzip", ["truncated gzip"]),
        ("corrupt-gzip", ["gzip"]),
        ("truncated-raw", ["pprof profile"]),
        ("text", ["is text, not a pprof profile"]),
        ("empty", ["is empty"]),
        ("executable", ["is an executable"]),
        ("gzipped-html", ["HTML page"]),
        ("no-samples", ["holds no samples"]),
    ],
)
def test_bad_files_exit_2_with_one_line(case: str, words: list[str], bad_files) -> None:
    one_line_error(triage(str(bad_files[case])), 2, str(bad_files[case]), *words)


def test_every_truncation_of_a_real_profile_is_bad_input(profiles: dict[str, Path]) -> None:
    """Cut anywhere, a profile is refused with a line, never decoded into nonsense."""
    good = profiles["cpu"].read_bytes()
    raw = gzip.decompress(good)
    for cut in range(1, len(raw), max(1, len(raw) // 300)):
        with pytest.raises(BadInput, match=r"pprof profile|corrupt profile"):
            decode(raw[:cut], "cut")
    for cut in range(2, len(good), max(1, len(good) // 100)):
        with pytest.raises(BadInput, match="gzip"):
            decode(good[:cut], "cut")


def test_missing_file(tmp_path: Path) -> None:
    one_line_error(triage(str(tmp_path / "nope.pb.gz")), 2, "no such file")


def test_unknown_sample_type_lists_the_real_ones(profiles: dict[str, Path]) -> None:
    line = one_line_error(triage(str(profiles["heap"]), "--type", "cpu"), 2, "'cpu'")
    assert "alloc_objects, alloc_space, inuse_objects, inuse_space" in line


def test_invalid_regex(profiles: dict[str, Path]) -> None:
    one_line_error(triage(str(profiles["cpu"]), "--focus", "(*Server"), 2, "--focus", "invalid")


def test_focus_matching_nothing(profiles: dict[str, Path]) -> None:
    one_line_error(triage(str(profiles["cpu"]), "--focus", "^nosuchfunc$"), 2, "no cpu samples")


def test_diff_base_of_another_kind(profiles: dict[str, Path]) -> None:
    line = one_line_error(
        triage(str(profiles["cpu"]), "--diff-base", str(profiles["heap"])), 2, "diff base"
    )
    assert "cpu/nanoseconds" in line


def test_html_page_from_url(server: Any) -> None:
    one_line_error(triage(server.url + "/login"), 2, "HTML page")


def test_text_dump_from_url(server: Any) -> None:
    url = server.url + "/debug/pprof/goroutine?debug=2"
    one_line_error(triage(url), 2, "goroutine dump in text", "triage analyze")


def test_404_from_url(server: Any) -> None:
    one_line_error(triage(server.url + "/debug/pprof/nosuch"), 2, "HTTP 404")


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    one_line_error(triage(f"http://127.0.0.1:{port}/debug/pprof/heap"), 3, "cannot connect")


def test_timeout_while_server_does_not_answer() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        proc = triage(f"http://127.0.0.1:{port}/debug/pprof/heap", "--timeout", "0.5")
    one_line_error(proc, 3, "no answer within")


def test_huge_profile_is_refused_not_inflated(profiles: dict[str, Path]) -> None:
    data = profiles["allocs"].read_bytes()
    size = len(gzip.decompress(data))
    with pytest.raises(BadInput, match="larger than"):
        decode(data, "allocs", max_bytes=size // 2)
    assert len(decode(data, "allocs", max_bytes=size)) > 0


def test_protobuf_that_is_not_a_profile() -> None:
    # A valid protobuf message (field 1 = 1) with no string table and no sample types.
    with pytest.raises(BadInput, match="not a pprof profile"):
        decode(b"\x08\x01", "tiny")
