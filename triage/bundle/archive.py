"""A bundle on disk: written atomically, read back in memory under hard limits.

Writing builds the whole ``.tar.gz`` in a temporary file beside the target and
renames it into place, so a reader (or a crash half way) never sees half a
bundle. Reading never extracts: members are read into memory, and anything a
hostile or broken archive could do — a path outside the bundle (``../``, an
absolute name, a link), a member or a total too large to be ours (a tar bomb),
too many members, a truncated or non-gzip file — is one :class:`BadInput` line.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from triage.errors import BadInput

MANIFEST = "manifest.json"
FORMAT = "triage-bundle/1"
#: limits of what a bundle may hold (ours hold a few MiB; a dump of 100k goroutines ~100 MiB)
MAX_MEMBER = 256 << 20
MAX_TOTAL = 512 << 20
MAX_MEMBERS = 512
MAX_FILE = 256 << 20  # the compressed file itself
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HINT = "a bundle is a .tar.gz written by `triage bundle`"


@dataclass(slots=True)
class Bundle:
    """A bundle's manifest and its files (path inside the bundle -> bytes)."""

    manifest: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    def text(self, path: str) -> str | None:
        """A member as text (UTF-8, bad bytes replaced), None when absent."""
        data = self.files.get(path)
        return None if data is None else data.decode("utf-8", "replace")


def default_name(pod: str, at: datetime) -> str:
    """``triage-bundle-POD-20261205T101612Z.tar.gz``: which pod, when (UTC)."""
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"triage-bundle-{_UNSAFE.sub('-', pod) or 'pod'}-{stamp}.tar.gz"


def write_bundle(path: Path, bundle: Bundle) -> int:
    """Write ``bundle`` to ``path`` atomically (temp file, then rename); return its size."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".triage-bundle-", suffix=".part", dir=directory)
    except OSError as exc:
        raise BadInput(f"{target}: cannot write there ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            members = {MANIFEST: json.dumps(bundle.manifest, indent=2).encode(), **bundle.files}
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
                tar.addfile(info, io.BytesIO(data))
        os.chmod(tmp, 0o600)  # logs and dumps are the team's, not the machine's
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise BadInput(f"{target}: writing the bundle failed ({exc.strerror})") from None
        raise
    return target.stat().st_size


def read_bundle(path: str | Path) -> Bundle:
    """Read every member into memory, refusing anything a bundle of ours never holds."""
    name = str(path)
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as fh:
            head = fh.read(2)
    except OSError as exc:
        raise BadInput(f"{name}: cannot read it ({exc.strerror})") from None
    if head != b"\x1f\x8b":
        raise BadInput(f"{name}: not a gzip file", _HINT)
    if size > MAX_FILE:
        raise BadInput(f"{name}: {size} bytes is larger than any bundle triage writes", _HINT)
    try:
        files = _members(path, name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BadInput(
            f"{name}: not a readable tar.gz ({type(exc).__name__}: {exc})", _HINT
        ) from None
    raw = files.pop(MANIFEST, None)
    if raw is None:
        raise BadInput(f"{name}: no {MANIFEST} inside", _HINT)
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BadInput(f"{name}: its {MANIFEST} is not JSON", _HINT) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadInput(f"{name}: its {MANIFEST} is not a {FORMAT} manifest", _HINT)
    return Bundle(manifest, files)


def _members(path: str | Path, name: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    with tarfile.open(path, mode="r:gz") as tar:
        for count, info in enumerate(tar, 1):
            if count > MAX_MEMBERS:
                raise BadInput(f"{name}: more than {MAX_MEMBERS} members", _HINT)
            member = safe_name(info.name, name)
            if info.isdir():
                continue
            if not info.isfile():
                raise BadInput(f"{name}: member {info.name!r} is a link or device", _HINT)
            total += info.size
            if info.size > MAX_MEMBER or total > MAX_TOTAL:
                raise BadInput(f"{name}: member {info.name!r} is too large (a tar bomb?)", _HINT)
            fh = tar.extractfile(info)
            data = fh.read(info.size + 1) if fh is not None else b""
            if len(data) != info.size:
                raise BadInput(f"{name}: member {info.name!r} is truncated", _HINT)
            files[member] = data
    return files


def safe_name(member: str, name: str) -> str:
    """The member's path inside the bundle; BadInput for one that would leave it."""
    pure = PurePosixPath(member)
    if pure.is_absolute() or ".." in pure.parts or "\\" in member or not pure.parts:
        raise BadInput(f"{name}: member {member!r} points outside the bundle", _HINT)
    return str(pure)
