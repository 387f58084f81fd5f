"""Decoding real profiles: everything profile.proto carries, checked against pprof -raw."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest

from tests.pprof import protoedit
from tests.pprof.conftest import PROFILE_KINDS, go_pprof
from triage.pprof.decode import decode
from triage.pprof.model import Profile
from triage.pprof.schema import backend
from triage.pprof.stacks import tree_for
from triage.pprof.views import top_rows

# Function names can hold spaces (generic shapes: "unique.Make[go.shape.struct { a int }]").
_LOC = re.compile(r"^\s+(\d+): 0x([0-9a-f]+) M=(\d+) (.+) (\S+):(\d+):\d+ s=\d+$")
_INLINE = re.compile(r"^\s+(.+) (\S+):(\d+):\d+ s=\d+$")


def load(path: Path) -> Profile:
    return decode(path.read_bytes(), path.name)


def raw_locations(path: Path) -> dict[int, tuple[int, list[tuple[str, str, int]]]]:
    """Location id -> (address, [(function, file, line)] innermost first), from pprof -raw."""
    out: dict[int, tuple[int, list[tuple[str, str, int]]]] = {}
    current: list[tuple[str, str, int]] = []
    section = False
    for line in go_pprof("-raw", str(path)).splitlines():
        if line.startswith(("Locations", "Mappings")):
            section = line.startswith("Locations")
            continue
        if not section:
            continue
        m = _LOC.match(line)
        if m:
            current = [(m.group(4), m.group(5), int(m.group(6)))]
            out[int(m.group(1))] = (int(m.group(2), 16), current)
            continue
        m = _INLINE.match(line)
        if m:
            current.append((m.group(1), m.group(2), int(m.group(3))))
    return out


def test_protobuf_runs_its_c_backend() -> None:
    assert backend() == "upb"


@pytest.mark.parametrize("kind", PROFILE_KINDS)
def test_locations_and_inlined_lines_match_pprof(kind: str, profiles: dict[str, Path]) -> None:
    profile = load(profiles[kind])
    expected = raw_locations(profiles[kind])
    assert len(expected) == len(profile.locations) > 0
    for loc_id, (address, lines) in expected.items():
        loc = profile.locations[loc_id]
        assert loc.address == address
        got = [(ln.function.name, ln.function.filename, ln.line) for ln in loc.lines]
        assert got == lines


def test_cpu_profile_fields(profiles: dict[str, Path], server: Any) -> None:
    profile = load(profiles["cpu"])
    assert [str(t) for t in profile.sample_types] == ["samples/count", "cpu/nanoseconds"]
    assert str(profile.period_type) == "cpu/nanoseconds"
    assert profile.period == 10_000_000
    assert 0.9e9 < profile.duration_nanos < 3e9
    assert profile.time_nanos > 1.7e18
    main = next(iter(profile.mappings.values()))
    assert main.filename == str(server.binary) and main.build_id and main.has_functions
    # Inlined calls: some locations hold several lines, the caller last.
    inlined = [loc for loc in profile.locations.values() if len(loc.lines) > 1]
    assert inlined
    labelled = {lab.key: lab.value for i in range(len(profile)) for lab in profile.labels(i)}
    assert labelled == {"handler": "/load", "kind": "cpu"}


def test_heap_samples_carry_numeric_labels(profiles: dict[str, Path]) -> None:
    profile = load(profiles["heap"])
    raw = go_pprof("-raw", str(profiles["heap"]))
    expected = [int(v) for v in re.findall(r"^\s+bytes:\[(\d+)\]$", raw, re.M)]
    got = []
    for sample in profile.samples():
        (label,) = sample.labels
        assert label.key == "bytes" and label.value == ""
        assert label.num is not None
        got.append(label.num)
    assert got == expected
    assert profile.sample(0).locations[0] is profile.locations[profile.stacks[0][0]]


def test_raw_and_gzipped_decode_alike(profiles: dict[str, Path]) -> None:
    data = profiles["cpu"].read_bytes()
    a, b = decode(data), decode(gzip.decompress(data))
    assert (a.stacks, a.values, a.sample_types) == (b.stacks, b.values, b.sample_types)


def test_gzip_with_several_members(profiles: dict[str, Path]) -> None:
    raw = gzip.decompress(profiles["allocs"].read_bytes())
    cut = len(raw) // 3
    twice = gzip.compress(raw[:cut]) + gzip.compress(raw[cut:])
    assert decode(twice).values == decode(raw).values


def test_unpacked_fields_decode_like_packed(profiles: dict[str, Path], tmp_path: Path) -> None:
    packed = profiles["heap"]
    plain = protoedit.unpacked(packed, tmp_path / "unpacked.pb.gz")
    assert len(gzip.decompress(plain.read_bytes())) > len(gzip.decompress(packed.read_bytes()))
    a, b = load(packed), load(plain)
    assert (a.stacks, a.values) == (b.stacks, b.values)
    assert [a.labels(i) for i in range(len(a))] == [b.labels(i) for i in range(len(b))]
    assert (
        go_pprof("-raw", str(plain)).split("Samples:")[1]
        == go_pprof("-raw", str(packed)).split("Samples:")[1]
    )


def test_empty_stacks_and_negative_values(profiles: dict[str, Path], tmp_path: Path) -> None:
    """A delta-like profile: some samples negated, some with no stack; pprof agrees."""

    def change(message: Any) -> None:
        for i, sample in enumerate(message.sample):
            if i % 3 == 0:
                sample.value[:] = [-v for v in sample.value]
            if i % 7 == 0:
                del sample.location_id[:]

    path = protoedit.edited(profiles["allocs"], tmp_path / "delta.pb.gz", change)
    profile = load(path)
    assert any(v < 0 for v in profile.values)
    assert () in profile.stacks
    from tests.pprof.test_vs_go import pprof_top, raw_totals

    _, sums, count = raw_totals(path)
    assert count == len(profile)
    assert [profile.total(i) for i in range(4)] == sums
    tree = tree_for(profile, "alloc_space")
    assert tree.total == sums[1]
    expected, total = pprof_top(path, "alloc_space", "bytes")
    assert total == tree.abs_total
    ours = [(r.name, r.flat, r.cum) for r in top_rows(tree)]
    assert sorted(ours) == sorted(expected)
    assert tree.root.self_value == sum(
        v for s, v in zip(profile.stacks, profile.column(1), strict=True) if not s
    )
