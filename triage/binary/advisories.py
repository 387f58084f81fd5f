"""Go releases with crash-relevant runtime bugs, checked against a binary's Go version.

The table is short on purpose: an entry is here only when its Go issue, the
releases it affects and the release that fixes it could be checked. A crash in
a binary built with an affected release may be the runtime's fault, not the
service's; the fix is to rebuild with the fixed release.
"""

from __future__ import annotations

import re
from typing import NamedTuple

Version = tuple[int, int, int, int]  # major, minor, patch, 1 for a release / 0 for rc/beta


class RuntimeAdvisory(NamedTuple):
    """One known runtime bug that applies to a binary's Go version."""

    go_version: str
    fixed_in: str
    go_issue: int
    summary: str
    url: str

    def as_dict(self) -> dict[str, object]:
        """JSON shape, as ``triage binary --json`` prints it under ``advisories``."""
        return {
            "go_version": self.go_version,
            "fixed_in": self.fixed_in,
            "go_issue": self.go_issue,
            "summary": self.summary,
            "url": self.url,
        }


class _Entry(NamedTuple):
    go_issue: int
    introduced: str  # first affected release
    fixed_in: str  # first release of the same line with the fix
    summary: str
    needs_cgo: bool = False
    goos: str = ""  # "" for every OS


#: Sources: the Go issue thread named in each entry, its "[1.NN backport]"
#: issue, and a report against the last affected release.
_TABLE: tuple[_Entry, ...] = (
    # go.dev/issue/62440 "fatal: morestack on g0" after upgrading to Go 1.21: cgo
    # callbacks from C threads whose stack moved hit stale g0 stack bounds.
    # Fixed on master in May 2024 (so in go1.23.0); 1.22 backport go.dev/issue/67298
    # was asked for the Go1.22.5 milestone and shipped there (go.dev/issue/68285
    # reports a side effect "since Go 1.22.5"). The 1.21 backport (go.dev/issue/67297)
    # is not listed because its release could not be checked.
    _Entry(
        62440,
        "go1.22.0",
        "go1.22.5",
        "cgo callbacks can crash with 'fatal: morestack on g0' (stale g0 stack bounds)",
        needs_cgo=True,
    ),
    # go.dev/issue/73141: segfault in vgetrandomPutState when a goroutine exits while
    # locked to its thread (runtime.LockOSThread) on Linux 6.11+, a Go 1.24
    # regression; backport requested for 1.24 on 2025-04-03, reports against
    # go1.24.2 continue (go.dev/issue/73577), fix shipped in go1.24.3 (2025-05-06).
    _Entry(
        73141,
        "go1.24.0",
        "go1.24.3",
        "random SIGSEGV in vgetrandomPutState/growslice when a goroutine exits "
        "under LockOSThread on Linux 6.11 or later",
        goos="linux",
    ),
)

#: at most 9 digits a part: a longer number is no Go release (and int() refuses 4300+ digits)
_VERSION = re.compile(r"^go(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?((?:rc|beta)\d+)?$")


def parse_go_version(text: str) -> Version | None:
    """``go1.22.3`` -> (1, 22, 3, 1); ``go1.21rc2`` sorts before ``go1.21.0``; else None.

    Experiments and suffixes after a space (``go1.24.2 X:boringcrypto``) are
    ignored; development builds (``devel go1.25-abc``) give None.
    """
    head = text.strip().split(" ", 1)[0]
    m = _VERSION.match(head)
    if m is None:
        return None
    major, minor = int(m.group(1)), int(m.group(2))
    patch = int(m.group(3) or 0)
    return (major, minor, patch, 0 if m.group(4) else 1)


def advisories_for(
    go_version: str, *, cgo: bool | None = None, goos: str | None = None
) -> list[RuntimeAdvisory]:
    """Known runtime bugs of ``go_version`` (as ``go version -m`` prints it).

    ``cgo`` and ``goos`` (from the build settings CGO_ENABLED and GOOS) drop
    entries that cannot apply; None means unknown, which keeps them.
    """
    version = parse_go_version(go_version)
    if version is None:
        return []
    out = []
    for e in _TABLE:
        lo, hi = parse_go_version(e.introduced), parse_go_version(e.fixed_in)
        if lo is None or hi is None or not lo <= version < hi:
            continue
        if e.needs_cgo and cgo is False:
            continue
        if e.goos and goos is not None and goos != e.goos:
            continue
        out.append(
            RuntimeAdvisory(
                go_version=go_version,
                fixed_in=e.fixed_in,
                go_issue=e.go_issue,
                summary=e.summary,
                url=f"https://go.dev/issue/{e.go_issue}",
            )
        )
    return out
