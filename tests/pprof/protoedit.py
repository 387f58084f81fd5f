"""Edit real profiles for edge-case tests: same bytes Go wrote, one thing changed.

Uses triage's own schema (the full Profile message) to parse, change and
re-serialize, so the edge cases (unpacked fields, empty stacks, negative
values, no samples, bare addresses) are real profiles with one property moved.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage.pprof.schema import message_class


def parse(path: Path) -> Any:
    return message_class("Profile").FromString(gzip.decompress(path.read_bytes()))


def write(message: Any, path: Path, *, compress: bool = True) -> Path:
    raw = message.SerializeToString()
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def edited(source: Path, target: Path, change: Callable[[Any], None]) -> Path:
    """Copy ``source`` to ``target`` with ``change`` applied to the parsed Profile."""
    message = parse(source)
    change(message)
    return write(message, target)


def unpacked(source: Path, target: Path) -> Path:
    """The same profile with every sample's repeated scalars encoded unpacked."""
    message = parse(source)
    samples = list(message.sample)
    del message.sample[:]
    shell = message_class("ProfileShell").FromString(message.SerializeToString())
    plain = message_class("UnpackedSample")
    for sample in samples:
        out = plain(location_id=list(sample.location_id), value=list(sample.value))
        out.label.extend(sample.label)
        shell.sample.append(out.SerializeToString())
    return write(shell, target)
