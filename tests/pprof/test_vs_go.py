"""triage's decoding and call trees against the Go toolchain's own ``go tool pprof``.

Every profile kind the service serves, every sample type: the totals of
``-raw`` and the flat/cum top of ``-top`` must match what triage computes from
the same file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.pprof.conftest import PROFILE_KINDS, go_pprof
from triage.pprof.decode import decode
from triage.pprof.model import Profile
from triage.pprof.stacks import compile_filters, tree_for
from triage.pprof.tree import CallTree
from triage.pprof.views import top_rows

_SAMPLE = re.compile(r"^\s*(-?\d+(?:\s+-?\d+)*):((?:\s+\d+)*)\s*$")
_ROW = re.compile(
    r"^\s*(-?[\d.e+]+)[a-zA-Z]*\s+\S+%\s+\S+%\s+"  # flat flat% sum%
    r"(-?[\d.e+]+)[a-zA-Z]*\s+\S+%\s+"  # cum cum%
    r"(.+?)( \((?:partial-)?inline\))?$"  # name, pprof's inline marker dropped
)
_TOTAL = re.compile(r"of (-?[\d.e+]+)[a-zA-Z]* total")
_UNIT_FLAG = {"nanoseconds": "ns", "bytes": "B", "count": "count"}


def load(path: Path) -> Profile:
    return decode(path.read_bytes(), path.name)


def raw_totals(path: Path) -> tuple[list[str], list[int], int]:
    """Sample type names, the sum of each value column, and the sample count, from -raw."""
    lines = go_pprof("-raw", str(path)).splitlines()
    start = lines.index("Samples:")
    types = [t.split("/")[0] for t in lines[start + 1].split()]
    sums = [0] * len(types)
    count = 0
    for line in lines[start + 2 :]:
        if line.startswith("Locations"):
            break
        m = _SAMPLE.match(line)
        if m:
            count += 1
            for i, v in enumerate(m.group(1).split()):
                sums[i] += int(v)
    return types, sums, count


def pprof_top(path: Path, sample_type: str, unit: str, *extra: str) -> tuple[list, int]:
    """(name, flat, cum) rows of ``-top`` with no node dropped, and pprof's total."""
    out = go_pprof(
        "-top",
        "-nodecount=0",
        "-nodefraction=0",
        "-edgefraction=0",
        f"-sample_index={sample_type}",
        f"-unit={_UNIT_FLAG.get(unit, 'minimum')}",
        *extra,
        str(path),
    )
    rows = []
    total = -1
    seen_header = False
    for line in out.splitlines():
        if not seen_header:
            m = _TOTAL.search(line)
            if m:
                total = round(float(m.group(1)))
            seen_header = line.strip().startswith("flat")
            continue
        m = _ROW.match(line)
        assert m, line
        rows.append((m.group(3), round(float(m.group(1))), round(float(m.group(2)))))
    return rows, total


def mine(tree: CallTree) -> list[tuple[str, int, int]]:
    return [(r.name, r.flat, r.cum) for r in top_rows(tree)]


def sample_types(kind: str) -> list[str]:
    return {
        "cpu": ["samples", "cpu"],
        "heap": ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
        "allocs": ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"],
        "mutex": ["contentions", "delay"],
        "block": ["contentions", "delay"],
        "goroutine": ["goroutine"],
    }[kind]


@pytest.mark.parametrize("kind", PROFILE_KINDS)
def test_totals_match_pprof_raw(kind: str, profiles: dict[str, Path]) -> None:
    profile = load(profiles[kind])
    types, sums, count = raw_totals(profiles[kind])
    assert profile.type_names() == types == sample_types(kind)
    assert len(profile) == count > 0
    for index, name in enumerate(types):
        assert profile.total(index) == sums[index]
        assert tree_for(profile, name).total == sums[index]


@pytest.mark.parametrize(
    ("kind", "sample_type"),
    [(kind, t) for kind in PROFILE_KINDS for t in sample_types(kind)],
)
def test_top10_flat_matches_pprof_top(
    kind: str, sample_type: str, profiles: dict[str, Path]
) -> None:
    profile = load(profiles[kind])
    tree = tree_for(profile, sample_type)
    expected, total = pprof_top(profiles[kind], sample_type, tree.unit)
    assert total == tree.abs_total
    ours = mine(tree)
    # Same sort (|flat| desc, then name), so the first ten agree exactly, ties included.
    assert ours[:10] == expected[:10]
    assert sorted(ours) == sorted(expected)  # every function, cum under recursion too
    assert any(flat for _, flat, _ in ours[:10])
    if not sample_type.startswith("inuse") and kind not in ("mutex", "goroutine"):
        assert sum(1 for _, flat, _ in ours[:10] if flat) >= 3


def test_cpu_profile_has_a_deep_varied_tree(profiles: dict[str, Path]) -> None:
    tree = tree_for(load(profiles["cpu"]), "cpu")
    names = {r.name for r in top_rows(tree)}
    for wanted in (
        "example.com/shop/profiled/internal/pricing.fib",
        "main.walk",
        "main.walkOdd",
        "main.(*Catalog).search",
    ):
        assert wanted in names
    assert max(node.depth for node in tree.nodes()) >= 20
    assert tree.node_count() >= 200


def test_diff_base_matches_pprof(profiles: dict[str, Path]) -> None:
    """``--diff-base`` means what pprof's -diff_base means: base subtracted, base total."""
    new, base = load(profiles["allocs"]), load(profiles["heap"])
    for sample_type in ("alloc_space", "alloc_objects"):
        tree = tree_for(new, sample_type, base=base)
        expected, total = pprof_top(
            profiles["allocs"], sample_type, tree.unit, f"-diff_base={profiles['heap']}"
        )
        assert total == tree.abs_total == base.total(base.type_names().index(sample_type))
        ours = mine(tree)
        assert sorted(ours) == sorted(expected)
        assert ours[:10] == expected[:10]
        assert tree.total == new.total(1 if sample_type == "alloc_space" else 0) - base.total(
            1 if sample_type == "alloc_space" else 0
        )


@pytest.mark.parametrize(
    ("option", "pattern"),
    [("ignore", r"runtime\.gcBgMarkWorker|compress/"), ("hide", r"^runtime\.")],
)
def test_ignore_and_hide_match_pprof(option: str, pattern: str, profiles: dict[str, Path]) -> None:
    profile = load(profiles["cpu"])
    tree = tree_for(profile, "cpu", filters=compile_filters(**{option: pattern}))
    expected, _ = pprof_top(profiles["cpu"], "cpu", "nanoseconds", f"-{option}={pattern}")
    assert sorted(mine(tree)) == sorted(expected)


def test_focus_keeps_pprofs_samples_and_flat_values(profiles: dict[str, Path]) -> None:
    """Focus re-roots at the function, so callers go; what is below keeps pprof's values."""
    pattern = r"main\.\(\*Catalog\)\.handleRequest"
    profile = load(profiles["cpu"])
    tree = tree_for(profile, "cpu", filters=compile_filters(focus=pattern))
    expected, _ = pprof_top(profiles["cpu"], "cpu", "nanoseconds", f"-focus={pattern}")
    flat = {name: f for name, f, _ in expected if f}
    assert {name: f for name, f, _ in mine(tree) if f} == flat
    assert [n.name for n in tree.root.kids] == ["main.(*Catalog).handleRequest"]
    assert tree.total == sum(flat.values())
    callers = {"runtime/pprof.Do", "main.cpuWork"}
    assert callers <= {name for name, _, _ in expected}
    assert not callers & {name for name, _, _ in mine(tree)}


@pytest.mark.parametrize(
    ("drop", "keep"),
    [
        (r"compress/.*|runtime\.mallocgc", ""),
        (r"compress/.*|encoding/json\..*", r"compress/gzip\..*"),
    ],
)
def test_profile_drop_and_keep_frames_apply_as_in_pprof(
    drop: str, keep: str, profiles: dict[str, Path], tmp_path: Path
) -> None:
    """A profile's own drop_frames/keep_frames (set by non-Go profilers) prune like pprof."""
    from tests.pprof import protoedit

    def change(message: Any) -> None:
        message.string_table.append(drop)
        message.drop_frames = len(message.string_table) - 1
        if keep:
            message.string_table.append(keep)
            message.keep_frames = len(message.string_table) - 1

    path = protoedit.edited(profiles["cpu"], tmp_path / "dropping.pb.gz", change)
    profile = load(path)
    assert profile.drop_frames == drop
    tree = tree_for(profile, "cpu")
    expected, total = pprof_top(path, "cpu", "nanoseconds")
    assert total == tree.abs_total
    assert sorted(mine(tree)) == sorted(expected)
    plain = {r.name for r in top_rows(tree_for(load(profiles["cpu"]), "cpu"))}
    gone = plain - {r.name for r in top_rows(tree)}
    assert any(name.startswith("compress/") for name in gone)
