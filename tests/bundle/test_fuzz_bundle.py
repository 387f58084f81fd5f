"""Fuzz the bundle reader: any bytes named ``.tar.gz`` give a bundle or a BadInput.

Two layers are mutated: the compressed file (cut, flipped: gzip and tar errors)
and the tar stream inside, recompressed (headers, sizes and names the reader must
judge itself). Only TriageError may escape.
"""

from __future__ import annotations

import contextlib
import gzip
import tempfile
from pathlib import Path

from hypothesis import given

from tests.fuzzing import mutations
from triage.bundle.archive import FORMAT, Bundle, read_bundle, write_bundle
from triage.errors import BadInput


def _sample() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.tar.gz"
        files = {"crash/crash.log": b"panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n"}
        write_bundle(path, Bundle({"format": FORMAT, "pod": "p", "failed": []}, files))
        return path.read_bytes()


SAMPLE = _sample()
TAR = gzip.decompress(SAMPLE)


def _read(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.tar.gz"
        path.write_bytes(data)
        with contextlib.suppress(BadInput):
            read_bundle(path)
        assert [p.name for p in Path(tmp).iterdir()] == ["f.tar.gz"]  # nothing extracted


@given(mutations(SAMPLE))
def test_mutated_gzip_is_a_bundle_or_bad_input(data: bytes) -> None:
    _read(data)


@given(mutations(TAR))
def test_mutated_tar_inside_is_a_bundle_or_bad_input(data: bytes) -> None:
    _read(gzip.compress(data, compresslevel=1))
