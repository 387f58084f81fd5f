"""Hostile profiles: real profiles from the profiled target with one thing made malicious.

Corrupt sample and label bytes, catastrophic or oversized drop_frames regexes,
a very deep sample and a gzip bomb: each is bad input (one line, exit 2) or is
read in time and memory linear in its size, never an internal error or a hang.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.pprof import protoedit
from tests.pprof.test_bad_input import one_line_error, triage
from triage.errors import BadInput
from triage.pprof.decode import RATIO_FLOOR, decode
from triage.pprof.folded import write_folded
from triage.pprof.schema import message_class
from triage.pprof.stacks import tree_for


def shell_edited(source: Path, target: Path, change: Callable[[Any], None]) -> Path:
    """``source`` with ``change`` applied to its ProfileShell (samples as raw bytes)."""
    shell = message_class("ProfileShell").FromString(gzip.decompress(source.read_bytes()))
    change(shell)
    return protoedit.write(shell, target)


def test_corrupt_sample_bytes_are_bad_input(profiles: dict[str, Path], tmp_path: Path) -> None:
    """A sample whose bytes start with wire type 7, which does not exist: DecodeError before."""

    def corrupt(shell: Any) -> None:
        shell.sample[0] = b"\x0f" + shell.sample[0]

    path = shell_edited(profiles["heap"], tmp_path / "corrupt-sample.pb.gz", corrupt)
    line = one_line_error(triage(str(path), "--folded"), 2, str(path), "corrupt profile")
    assert "sample data is not valid protobuf" in line


def test_corrupt_label_bytes_are_bad_input_from_the_lazy_accessors(
    profiles: dict[str, Path], tmp_path: Path
) -> None:
    """Label bytes are only parsed when asked for: the accessors raise BadInput too."""

    def corrupt(shell: Any) -> None:
        # field 3 (label), 5 bytes holding an unterminated varint: the Columns
        # parse skips the field, the label parse meets it
        shell.sample[1] = shell.sample[1] + b"\x1a\x05\x08\xff\xff\xff\xff"

    path = shell_edited(profiles["heap"], tmp_path / "corrupt-label.pb.gz", corrupt)
    profile = decode(path.read_bytes(), str(path))
    assert profile.labels(0) == profile.labels(0)  # a good sample's labels still decode
    with pytest.raises(BadInput, match="corrupt profile"):
        profile.labels(1)
    with pytest.raises(BadInput, match="corrupt profile"):
        profile.sample(1)
    proc = triage(str(path), "--folded")  # the folded stacks never read labels
    assert proc.returncode == 0, proc.stderr


def with_drop_frames(source: Path, target: Path, pattern: str, long_name: str = "") -> Path:
    """``source`` with drop_frames set, and optionally every function renamed ``long_name``."""

    def change(message: Any) -> None:
        message.string_table.append(pattern)
        message.drop_frames = len(message.string_table) - 1
        if long_name:
            message.string_table.append(long_name)
            for function in message.function:
                function.name = len(message.string_table) - 1

    return protoedit.edited(source, target, change)


def test_catastrophic_drop_frames_regex_does_not_hang(
    profiles: dict[str, Path], tmp_path: Path
) -> None:
    """``(a+)+b`` against 60 a's backtracks 2^60 steps in ``re``; RE2 semantics are linear.

    The timeout only stops a hung run (before the fix it never ended); it is
    no budget: a linear matcher takes milliseconds here.
    """
    path = with_drop_frames(profiles["heap"], tmp_path / "redos.pb.gz", "(a+)+b", "a" * 60)
    proc = triage(str(path), "--folded", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "a" * 60 in proc.stdout  # the name does not match, so it stays


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(" * 5000 + "a" + ")" * 5000, "nesting deeper"),  # RecursionError before
        ("a{1000}{1000}", "too large"),  # a million-state program
        ("a{99999999999999999999}", "repetition count"),  # OverflowError before
        ("(*x", "missing argument"),
    ],
    ids=["deep-nesting", "huge-program", "huge-count", "invalid"],
)
def test_oversized_or_invalid_drop_frames_are_bad_input(
    pattern: str, words: str, profiles: dict[str, Path], tmp_path: Path
) -> None:
    path = with_drop_frames(profiles["heap"], tmp_path / "bad-regex.pb.gz", pattern)
    one_line_error(triage(str(path), "--folded"), 2, str(path), "drop/keep_frames", words)


def deep_profile(source: Path, depth: int) -> bytes:
    """``source``'s first sample made ``depth`` frames deep (its locations, cycled)."""
    message = protoedit.parse(source)
    ids = [loc.id for loc in message.location]
    del message.sample[1:]
    message.sample[0].location_id[:] = [ids[i % len(ids)] for i in range(depth)]
    message.sample[0].value[:] = [1] * len(message.sample_type)
    return bytes(message.SerializeToString())


def _folded_seconds(raw: bytes) -> float:
    tree = tree_for(decode(raw, "deep"))
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        write_folded(tree, io.StringIO())
        best = min(best, time.perf_counter() - start)
    return best


def test_folded_output_is_linear_in_stack_depth(profiles: dict[str, Path]) -> None:
    """Complexity check, not a time budget: 8x the depth may cost ~8x, not 64x.

    Rebuilding each node's prefix string made a 160,000-frame sample quadratic.
    """
    small = _folded_seconds(deep_profile(profiles["heap"], 20_000))
    large = _folded_seconds(deep_profile(profiles["heap"], 160_000))
    assert large < 24 * max(small, 1e-4), (small, large)


def test_a_deep_sample_costs_little_memory_per_frame(profiles: dict[str, Path]) -> None:
    """A chain of frames is mostly one-child nodes: no dict each (it was ~390 bytes/frame)."""
    depth = 200_000
    raw = deep_profile(profiles["heap"], depth)
    profile = decode(raw, "deep")
    tracemalloc.start()
    try:
        tree = tree_for(profile)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tree.node_count() >= depth
    assert peak / depth < 300, peak / depth


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes gzipped (about 1000 to 1), streamed so the test holds no copy."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])


def test_gzip_bomb_is_refused_with_one_line_and_bounded_memory(tmp_path: Path) -> None:
    bomb = gzip_bomb(RATIO_FLOOR + (16 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(BadInput, match="gzip bomb"):
            decode(bomb, "bomb.pb.gz")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.3 * RATIO_FLOOR, peak  # it held two copies of everything before
    path = tmp_path / "bomb.pb.gz"
    path.write_bytes(bomb)
    one_line_error(triage(str(path)), 2, str(path), "gzip bomb")


def test_a_real_profile_is_far_from_the_ratio_limit(profiles: dict[str, Path]) -> None:
    for kind, path in profiles.items():
        data = path.read_bytes()
        assert len(gzip.decompress(data)) < 20 * len(data), kind


def test_hostile_cases_never_print_a_traceback_from_stdin(profiles: dict[str, Path]) -> None:
    """The same decoder is behind ``-``: a corrupt profile on stdin is one line too."""
    shell = message_class("ProfileShell").FromString(gzip.decompress(profiles["heap"].read_bytes()))
    shell.sample[0] = b"\x0f"
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "flame", "-", "--folded"],
        input=shell.SerializeToString(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("triage: stdin: corrupt profile")


def test_a_damaged_binary_only_costs_a_flame_graph_its_names(
    profiles: dict[str, Path], server: Any, tmp_path: Path
) -> None:
    """``flame --binary`` with unreadable tables: the graph with addresses, and one warning."""
    import struct

    from elftools.elf.elffile import ELFFile

    def strip(message: Any) -> None:
        for loc in message.location:
            del loc.line[:]
        del message.function[:]

    bare = protoedit.edited(profiles["cpu"], tmp_path / "bare.pb.gz", strip)
    blob = bytearray(server.binary.read_bytes())
    with server.binary.open("rb") as fh:
        elf = ELFFile(fh)
        index = next(i for i, s in enumerate(elf.iter_sections()) if s.name == ".gopclntab")
        where = elf["e_shoff"] + index * elf["e_shentsize"] + 16  # sh_addr
    blob[where : where + 8] = struct.pack("<Q", 2**64 - 1)
    damaged = tmp_path / "profiled-damaged"
    damaged.write_bytes(bytes(blob))
    proc = triage(str(bare), "--folded", "--binary", str(damaged))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("0x") or ";0x" in proc.stdout  # frames stay addresses
    warning = proc.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("triage: warning: "), proc.stderr
    assert "corrupt symbol tables" in warning[0] and "stay unnamed" in warning[0]
