"""Fuzzing profile.proto: mutations of real profiles from the profiled target.

Only :class:`~triage.errors.TriageError` may escape the whole pipeline a user
runs (decode, drop_frames, call tree, folded lines, every sample and its
labels), for byte-level mutations (tests/fuzzing.py) and protobuf-aware ones:
a varint made huge, a length prefix pointing far past the end, a field tag
rewritten. The ``ci`` hypothesis profile keeps this to a few seconds; run
``HYPOTHESIS_PROFILE=long pytest tests/pprof/test_fuzz_profile.py`` for a hunt.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from triage.errors import TriageError
from triage.pprof.decode import decode
from triage.pprof.folded import write_folded
from triage.pprof.schema import message_class
from triage.pprof.stacks import tree_for

KINDS = ("heap", "cpu", "goroutine")
#: varints a hostile writer can put anywhere: 2^64-1, 2^63, a 10-byte run, a length of 2 GiB
HUGE_VARINTS = (
    b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
    b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
    b"\xff\xff\xff\xff\x07",
    b"\x80\x80\x80\x80\x08",
)
_RAW: dict[str, bytes] = {}


@pytest.fixture(scope="module", autouse=True)
def raw_profiles(profiles: dict[str, Path]) -> None:
    """The real profiles, uncompressed, in a module table the strategies read."""
    for kind in KINDS:
        _RAW[kind] = gzip.decompress(profiles[kind].read_bytes())


@st.composite
def protobuf_damage(draw: st.DrawFn, data: bytes) -> bytes:
    """One protobuf-level change: a huge varint or a field tag, at a drawn offset."""
    at = draw(st.integers(0, len(data)))
    if draw(st.booleans()):
        patch = draw(st.sampled_from(HUGE_VARINTS))
    else:  # a field number 1-15 with any wire type, length-delimited most often
        patch = bytes([draw(st.integers(1, 15)) << 3 | draw(st.sampled_from([0, 1, 2, 2, 5]))])
    keep = draw(st.booleans())  # insert, or overwrite what was there
    return data[:at] + patch + data[at if keep else at + len(patch) :]


@st.composite
def hostile_profile(draw: st.DrawFn) -> bytes:
    data = _RAW[draw(st.sampled_from(KINDS))]
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            data = draw(protobuf_damage(data))
        else:
            data = draw(
                fuzzing.mutations(
                    data,
                    ops=("cut", "drop", "nul", "bitflip", "splice", "huge_number"),
                    max_steps=1,
                )
            )
    return data


def run_everything(data: bytes) -> None:
    """What `triage flame` and the flame view do with a profile, labels included."""
    profile = decode(data, "fuzzed.pb")
    for index in range(len(profile)):
        profile.sample(index)
    for sample_type in profile.type_names():
        tree = tree_for(profile, sample_type)
        write_folded(tree, io.StringIO())


def only_our_errors(data: bytes) -> None:
    try:
        run_everything(data)
    except TriageError as exc:
        assert "\n" not in exc.line()


@given(hostile_profile())
def test_mutated_profiles_raise_only_our_error(data: bytes) -> None:
    only_our_errors(data)


@given(hostile_profile(), st.integers(1, 9))
def test_mutated_gzipped_profiles_raise_only_our_error(data: bytes, level: int) -> None:
    packed = gzip.compress(data, compresslevel=level)
    only_our_errors(packed)


@given(fuzzing.mutations(b"\x1f\x8b" + b"\x00" * 8, ops=("bitflip", "nul", "splice", "cut")))
def test_broken_gzip_headers_raise_only_our_error(data: bytes) -> None:
    only_our_errors(data)


@given(st.sampled_from(KINDS), st.data())
def test_gzip_damage_to_real_profiles(kind: str, data: st.DataObject) -> None:
    """Bit flips and cuts inside the gzip stream (CRC, lengths, deflate blocks)."""
    packed = gzip.compress(_RAW[kind])
    only_our_errors(data.draw(fuzzing.mutations(packed, ops=("bitflip", "cut", "splice"))))


def _with_samples(kind: str, times: int) -> bytes:
    """A real profile with its samples repeated ``times`` times."""
    shell = message_class("ProfileShell").FromString(_RAW[kind])
    samples = list(shell.sample)
    shell.sample.extend(samples * (times - 1))
    return bytes(shell.SerializeToString())


def test_pipeline_is_linear_in_the_number_of_samples() -> None:
    """Complexity check, not a time budget: 8x the samples may cost ~8x, not 64x."""
    small, big = _with_samples("heap", 30), _with_samples("heap", 240)
    assert fuzzing.cost_ratio(run_everything, small, big) < 24
