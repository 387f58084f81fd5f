"""Keep the evidence: goroutine dumps and profiles written as fetched, named by target and time.

A pod that restarts takes its goroutines with it. The bytes are written
exactly as the target sent them (``triage open`` reads them again), under a
name that says where and when they came from, never over an existing file.
"""

from __future__ import annotations

import mmap
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from triage.errors import BadInput
from triage.goroutines.model import Dump
from triage.sources import Buffer

#: what each kind of evidence is called in a file name, and its extension
KINDS = {"goroutines": ".txt", "profile": ".pb.gz"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def evidence_name(label: str, kind: str, at: datetime, detail: str = "") -> str:
    """``127.0.0.1-6060-goroutines-20261205T031407Z.txt``: target, what, when (UTC)."""
    target = label.split("://", 1)[-1]
    stem = _UNSAFE.sub("-", target).strip("-.") or "target"
    what = kind if not detail else f"{kind}-{_UNSAFE.sub('-', detail).strip('-')}"
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stem}-{what}-{stamp}{KINDS.get(kind, '.bin')}"


def save(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``directory/name`` (``-2``, ``-3``... if taken); return the path.

    Created exclusively, so two snapshots in one second never overwrite each other.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(
            f"cannot create {directory}: {exc.strerror}", "choose another directory"
        ) from None
    ext = next((e for e in (*KINDS.values(), ".bin") if name.endswith(e)), "")
    stem = name.removesuffix(ext) if ext else name
    for n in range(1, 1000):
        path = directory / (name if n == 1 else f"{stem}-{n}{ext}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        except OSError as exc:
            raise BadInput(
                f"cannot write {path}: {exc.strerror}", "choose another directory"
            ) from None
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return path
    raise BadInput(f"{directory} already holds 999 files named {name}", "clean it up")


def dump_bytes(dump: Dump) -> bytes:
    """The text the dump was parsed from (a live snapshot: the body as fetched)."""
    return as_bytes(dump.source)


def as_bytes(source: Buffer | str) -> bytes:
    """A payload's bytes, copied out of a mapping if need be."""
    if isinstance(source, str):
        return source.encode("utf-8", "surrogateescape")
    if isinstance(source, mmap.mmap):
        return source[:]
    return bytes(source)
