"""Fuzzing the goroutine engine with mutations of real dumps, listings and race reports.

Properties, for any mutation of a real sample (see :mod:`tests.fuzzing`):

* only :class:`TriageError` may escape the engine, the text report, the
  goroutine objects (labels, creators) and the argument reader;
* a dump cut at any byte still yields every goroutine whose block was complete;
* no input costs super-linear time (complexity checks on huge lines of every
  kind, at n and 8n: a linear parser costs 8x, a quadratic one 64x).

The ``ci`` profile keeps this to a few seconds; ``HYPOTHESIS_PROFILE=long``
runs thousands of examples for a local hunt.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import cost_ratio, mutations
from tests.support import gotool
from tests.support.targets import crash, leaky, sigquit
from triage.errors import TriageError
from triage.goroutines import analyze
from triage.goroutines.args import frame_args
from triage.goroutines.text import render
from triage.textout import Painter

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "checkout-sigquit.log"


@pytest.fixture(scope="module")
def samples() -> Iterator[dict[str, bytes]]:
    """Real inputs: crashes, SIGQUIT dumps (plain and GOTRACEBACK=crash), the
    README's timestamped log, a debug=1 listing and a race report.

    Fuzz tests take them through :data:`_SAMPLES` rather than as an argument,
    so a failing example prints the mutated input only.
    """
    out = {
        "nil": crash("nil").stderr.encode(),
        "piles": crash("piles").stderr.encode(),
        "sigquit": sigquit().stderr.encode(),
        "sigquit-crash": sigquit("crash").stderr.encode(),
        "sigquit-system": sigquit("system").stderr.encode(),
        "readme": SAMPLE.read_bytes()[:150_000],
    }
    with leaky() as svc:
        out["debug1"] = svc.get("/debug/pprof/goroutine?debug=1").content
    if gotool.have_cc():
        binary = gotool.build("racer", "-race", name="racer-race")
        proc = subprocess.run([str(binary), "panic"], capture_output=True, timeout=60, check=False)
        out["race"] = proc.stderr
    _SAMPLES.update(out)
    yield out
    _SAMPLES.clear()


_SAMPLES: dict[str, bytes] = {}


def exercise(data: bytes) -> None:
    """Everything a user's command does with a dump; only our own errors may escape."""
    try:
        result = analyze(data)
        render(result, "fuzz.log", paint=Painter(enabled=False))
        for item in result.dumps:
            for g in item.dump.goroutines[:50]:
                frame_args(item.dump, g.id)
            for group in item.groups[:5]:
                item.group_of(group.sample_ids[0] if group.sample_ids else None)
    except TriageError:
        pass


@pytest.mark.usefixtures("samples")
@given(st.data())
def test_mutated_inputs_raise_only_our_errors(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(_SAMPLES)), label="sample")
    exercise(data.draw(mutations(_SAMPLES[name]), label="input"))


def _complete_blocks(text: bytes) -> dict[int, int]:
    """Goroutine id -> number of frame lines, for every block that ends with a blank line."""
    out: dict[int, int] = {}
    for block in text.split(b"\n\n")[:-1]:
        block = block.lstrip(b"\n")  # noqa: PLW2901
        if block.startswith(b"goroutine ") and b"\n" in block:
            gid = int(block.split(b" ", 2)[1])
            if gid == 0:  # a thread's system stack, not a goroutine
                continue
            frames = sum(1 for line in block.split(b"\n")[1:] if line.startswith(b"\t"))
            out.setdefault(gid, frames)
    return out


@pytest.mark.usefixtures("samples")
@given(st.data())
def test_truncated_dump_keeps_every_complete_goroutine(data: st.DataObject) -> None:
    names = ["sigquit", "sigquit-system", "sigquit-crash", "piles"]
    name = data.draw(st.sampled_from(names), label="sample")
    text = _SAMPLES[name]
    cut = data.draw(st.integers(0, len(text)), label="cut")
    expected = _complete_blocks(text[:cut])
    dumps = analyze(text[:cut]).dumps
    got: dict[int, int] = {}
    for item in dumps:
        for g in item.dump.goroutines:
            got.setdefault(g.id, len(g.frames) + (g.created_by is not None))
    expected.pop(0, None)  # g0, a thread's system stack, is not a goroutine of the dump
    for gid, lines in expected.items():
        assert got.get(gid) == lines, f"goroutine {gid} lost or changed by a cut at {cut}"


def test_truncated_timestamped_log_keeps_every_complete_goroutine(
    samples: dict[str, bytes],
) -> None:
    text = samples["readme"]
    full = {g.id for item in analyze(text).dumps for g in item.dump.goroutines}
    cut = len(text) // 2
    plain = b"\n".join(line.partition(b"Z ")[2] for line in text[:cut].split(b"\n"))
    expected = set(_complete_blocks(plain))
    got = {g.id for item in analyze(text[:cut]).dumps for g in item.dump.goroutines}
    assert expected and expected <= got <= full


# --- complexity checks (not budgets): a huge line of each kind, at n and 8n ---

FILLERS = [b"(", b"goroutine ", b"goroutine 1 [", b"x", b" ", b"\t", b"0x1, ", b":1", b"{", b"\n"]
FILLERS += [b"panic: ", b"-----\n", b"created by ", b"...", b"# ", b"SIG", b"\xff", b"\x00"]


def _inject(sample: bytes, where: bytes, filler: bytes, n: int) -> bytes:
    at = sample.find(where)
    assert at >= 0
    at += len(where)
    return sample[:at] + filler * n + sample[at:]


@pytest.mark.parametrize("filler", FILLERS, ids=repr)
@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("nil", b"goroutine 1 "),  # inside a header
        ("nil", b"main.crashNil("),  # inside a frame line
        ("nil", b"\n\t"),  # start of a file line
        ("debug1", b"\n#\t"),
        ("race", b"Write at "),
    ],
    ids=["header", "frame", "file", "debug1", "race"],
)
def test_huge_line_costs_linear_time(
    samples: dict[str, bytes], name: str, where: bytes, filler: bytes
) -> None:
    if name not in samples:
        pytest.skip("no race sample without a C compiler")
    sample = samples[name]
    n = 12_000 // len(filler)
    ratio = cost_ratio(
        exercise, _inject(sample, where, filler, n), _inject(sample, where, filler, 8 * n)
    )
    assert ratio < 24, f"8x the line cost {ratio:.0f}x the time"  # complexity check, not a budget


@pytest.mark.parametrize("name", ["nil", "debug1", "race", "readme"])
def test_repeated_lines_cost_linear_time(samples: dict[str, bytes], name: str) -> None:
    if name not in samples:
        pytest.skip("no race sample without a C compiler")
    sample = samples[name][:20_000]
    lines = sample.split(b"\n")

    def repeated(k: int) -> bytes:
        return b"\n".join(line for line in lines for _ in range(k))

    ratio = cost_ratio(exercise, repeated(8), repeated(64))
    assert ratio < 24, f"8x the lines cost {ratio:.0f}x the time"  # complexity check, not a budget


def test_bad_goroutine_id_after_a_good_header_is_skipped() -> None:
    # Found by the fuzz test: headers are cached by their status, so an id with a NUL
    # in it escaped as ValueError from int() when a header with the same status came first.
    text = crash("piles").stderr
    ids = [line.split()[1] for line in text.splitlines() if line.startswith("goroutine ")]
    bad, after = int(ids[2]), int(ids[3])  # ids[1] has the same status, cached first
    text = text.replace(f"goroutine {bad} [", f"goroutine \x00{bad} [")
    item = analyze(text).dumps[0]
    assert bad not in item.dump.ids and after in item.dump.ids
    assert any("unreadable goroutine headers" in w for w in item.dump.warnings)
