"""``triage flame`` end to end: top table, folded stacks, SVG, URLs with progress."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.pprof import protoedit
from triage.cli import main
from triage.pprof.decode import decode
from triage.pprof.model import Profile
from triage.pprof.stacks import location_frames, sample_type_index, tree_for
from triage.pprof.units import format_value
from triage.pprof.views import top_rows

SVG = "{http://www.w3.org/2000/svg}"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["flame", *args])
    out, err = capsys.readouterr()
    return code, out, err


def load(path: Path) -> Profile:
    return decode(path.read_bytes(), str(path))


def folded_by_hand(profile: Profile, sample_type: str) -> Counter[str]:
    """Folded stacks straight from samples and locations, without the tree code."""
    index = sample_type_index(profile, sample_type)
    out: Counter[str] = Counter()
    for stack, value in zip(profile.stacks, profile.column(index), strict=True):
        names = [
            f.name.replace(";", ",")  # ";" separates frames; generic shapes may hold one
            for loc in reversed(stack)
            for f in location_frames(profile.locations[loc])
        ]
        out[";".join(names) or "[no stack]"] += value
    return +out if all(v >= 0 for v in out.values()) else out


def parse_folded(text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for line in text.splitlines():
        stack, value = line.rsplit(" ", 1)
        assert stack not in out, "one line per unique stack"
        out[stack] = int(value)
    return out


@pytest.mark.parametrize(
    ("kind", "sample_type"),
    [("cpu", "cpu"), ("allocs", "alloc_space"), ("goroutine", "goroutine"), ("block", "delay")],
)
def test_folded_stacks(kind: str, sample_type: str, profiles: dict[str, Path], capsys) -> None:
    code, out, _ = run(capsys, str(profiles[kind]), "--folded", "--type", sample_type)
    assert code == 0
    assert parse_folded(out) == folded_by_hand(load(profiles[kind]), sample_type)


def test_goroutine_profile_weighted_by_count(profiles: dict[str, Path], capsys) -> None:
    """debug=0 goroutine profiles: each parked goroutine counts one, per stack."""
    code, out, _ = run(capsys, str(profiles["goroutine"]), "--folded")
    stacks = parse_folded(out)
    assert code == 0
    park = {s: v for s, v in stacks.items() if "main.parkGoroutines" in s or "main.holdLock" in s}
    assert sum(park.values()) >= 20  # 40 parked goroutines by default; holdLock, waitForOrder..
    assert sum(stacks.values()) == load(profiles["goroutine"]).total(0)
    code, out, _ = run(capsys, str(profiles["goroutine"]), "--top", "5")
    assert "Type: goroutine (count)" in out
    assert re.search(r"^\s+\d+\s+\S+%\s+\S+%\s+\d+\s+\S+%\s+~ runtime\.gopark$", out, re.M)


def test_folded_diff_has_base_and_new_columns(profiles: dict[str, Path], capsys) -> None:
    new, base = profiles["allocs"], profiles["heap"]
    code, out, _ = run(capsys, str(new), "--diff-base", str(base), "--folded")
    assert code == 0
    cols = [line.rsplit(" ", 2) for line in out.splitlines()]
    assert sum(int(b) for _, b, _ in cols) == load(base).total(1)
    assert sum(int(n) for _, _, n in cols) == load(new).total(1)


def test_top_table(profiles: dict[str, Path], capsys) -> None:
    code, out, _ = run(capsys, str(profiles["cpu"]), "--top", "7", "--color", "always")
    assert code == 0
    assert "\x1b[" in out
    code, out, _ = run(capsys, str(profiles["cpu"]), "--top", "7")
    assert "\x1b[" not in out
    tree = tree_for(load(profiles["cpu"]), "cpu")
    rows = top_rows(tree)[:7]
    lines = out.splitlines()
    assert "Type: cpu (nanoseconds)" in lines
    assert f"Total: {format_value(tree.total, 'nanoseconds')}" in lines[3]
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("flat"))
    body = lines[start + 1 :]
    assert len(body) == 7
    for line, row in zip(body, rows, strict=True):
        assert line.endswith(f"{row.origin.mark} {row.name}")
        assert line.split()[0] == format_value(row.flat, "nanoseconds")
    assert "Own module: example.com/shop/profiled" in out


def test_default_output_is_the_top_table(profiles: dict[str, Path], capsys) -> None:
    code, out, _ = run(capsys, str(profiles["heap"]), "--sort", "cum")
    assert code == 0
    assert "sorted by cum" in out and "Type: inuse_space (bytes)" in out


def test_svg_is_a_standalone_flame_graph(profiles: dict[str, Path], tmp_path: Path, capsys):
    out_file = tmp_path / "cpu.svg"
    code, _, err = run(capsys, str(profiles["cpu"]), "--svg", str(out_file), "--prune", "0.5")
    assert code == 0 and "wrote" in err
    root = ET.parse(out_file).getroot()
    assert root.tag == f"{SVG}svg"
    assert "<script" not in out_file.read_text() and "href" not in out_file.read_text()
    frames = root.findall(f"{SVG}g")
    titled = [g for g in frames if g.find(f"{SVG}title") is not None]
    tree = tree_for(load(profiles["cpu"]), "cpu")
    names = {g.find(f"{SVG}title").text.splitlines()[0] for g in titled}  # type: ignore[union-attr]
    assert "all samples" in names
    heavy = {n.name for n in tree.nodes() if n.weight >= tree.root.weight * 0.005}
    assert heavy <= names
    widths = {
        g.find(f"{SVG}title").text.splitlines()[0]: float(g.find(f"{SVG}rect").get("width"))  # type: ignore[union-attr, arg-type]
        for g in titled
        if g.find(f"{SVG}title").text.startswith(("all samples", "runtime.gcBgMarkWorker"))  # type: ignore[union-attr]
    }
    top_child = tree.root.kids[0]
    share = top_child.weight / tree.root.weight
    child_rect = next(
        float(g.find(f"{SVG}rect").get("width"))  # type: ignore[union-attr, arg-type]
        for g in titled
        if g.find(f"{SVG}title").text.splitlines()[0] == top_child.name  # type: ignore[union-attr]
    )
    assert abs(child_rect / widths["all samples"] - share) < 0.01
    legend = "".join(root.itertext())
    for word in ("own module", "dependency", "standard library", "runtime"):
        assert word in legend


def test_url_with_seconds_shows_progress(server: Any, capsys) -> None:
    import httpx

    httpx.get(server.url + "/load", params={"kind": "cpu", "ms": "2500"}).raise_for_status()
    code, out, err = run(capsys, server.url + "/debug/pprof/profile?seconds=1", "--top", "3")
    assert code == 0
    assert "collecting CPU profile: 0/1 s" in err
    assert "collecting CPU profile: 1/1 s" in err
    assert "Type: cpu (nanoseconds)" in out
    # A bare base URL means the CPU profile, as for go tool pprof.
    code, out, err = run(capsys, server.url, "--seconds", "1", "--folded")
    assert code == 0 and "collecting CPU profile" in err
    assert "main.(*Catalog).handleRequest" in out


def test_url_without_collection(server: Any, capsys) -> None:
    code, out, err = run(capsys, server.url + "/debug/pprof/goroutine", "--top", "3")
    assert code == 0 and err == ""
    assert "Type: goroutine (count)" in out


def test_binary_names_bare_addresses(profiles: dict[str, Path], server: Any, tmp_path, capsys):
    """A profile stripped of its symbols gets the same names back from the binary."""

    def strip(message: Any) -> None:
        for loc in message.location:
            del loc.line[:]
        del message.function[:]
        for m in message.mapping:
            m.has_functions = False

    bare = protoedit.edited(profiles["cpu"], tmp_path / "bare.pb.gz", strip)
    code, out, _ = run(capsys, str(bare), "--top", "0")
    assert code == 0 and re.search(r"\? 0x[0-9a-f]+$", out, re.M)
    code, restored, _ = run(capsys, str(bare), "--top", "0", "--binary", str(server.binary))
    code2, original, _ = run(capsys, str(profiles["cpu"]), "--top", "0", "--module", "x")
    assert code == code2 == 0

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if "%" in line and "origin" not in line]

    got = [line.split()[-1] for line in body(restored)]
    want = [line.split()[-1] for line in body(original)]
    assert Counter(got) == Counter(want)
    assert "Own module: example.com/shop" in restored


def test_help_documents_the_url_shorthand() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "flame", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "http://HOST:PORT means the" in proc.stdout
    assert "--folded" in proc.stdout and "--svg OUT" in proc.stdout and "--top N" in proc.stdout


def test_profile_from_stdin(profiles: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "flame", "-", "--folded"],
        input=profiles["block"].read_bytes(),
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert parse_folded(proc.stdout.decode()) == folded_by_hand(load(profiles["block"]), "delay")


@pytest.mark.parametrize(
    ("url", "seconds", "want"),
    [
        ("http://h:6060", None, ("http://h:6060/debug/pprof/profile", 30)),
        ("http://h:6060/", 5, ("http://h:6060/debug/pprof/profile?seconds=5", 5)),
        ("http://h:6060/debug/pprof/profile?seconds=12", None, (None, 12)),
        ("http://h:6060/debug/pprof/heap", None, ("http://h:6060/debug/pprof/heap", 0)),
        ("http://h:6060/debug/pprof/heap?seconds=10", None, (None, 10)),
        ("http://h:6060/debug/pprof/goroutine?debug=0", 3, (None, 3)),
    ],
)
def test_url_resolution(url: str, seconds: int | None, want: tuple[str | None, int]) -> None:
    from triage.probes.endpoints import profile_url as resolve

    got_url, got_seconds = resolve(url, seconds)
    assert got_seconds == want[1]
    if want[0] is not None:
        assert got_url == want[0]
    else:
        assert got_url.split("?")[0] == url.split("?", maxsplit=1)[0]
    if seconds is not None:
        assert f"seconds={seconds}" in got_url
