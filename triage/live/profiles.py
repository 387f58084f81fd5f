"""A profile fetched from a live target: its countdown, its title, and why it is empty.

``p`` in the workspace asks the target for a profile; a CPU profile answers only
after its N seconds of sampling, which used to be N seconds of silence. A
:class:`Collection` says how long is left (the status line asks it every
second); :func:`profile_title` names what came back by type, duration and time
(not ``profile profile``); :func:`empty_reason` says why a profile has no
samples, because an empty flame graph looks like a broken tool.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from triage.pprof.model import Profile

#: what the user calls each pprof endpoint
KIND_NAMES = {
    "profile": "CPU",
    "heap": "heap",
    "allocs": "allocations",
    "mutex": "mutex",
    "block": "block",
    "goroutine": "goroutine",
}

_EMPTY = {
    "profile": "no samples: the process was idle",
    "mutex": "no samples: nothing contended, or mutex profiling is off "
    "(runtime.SetMutexProfileFraction)",
    "block": "no samples: nothing blocked, or block profiling is off (runtime.SetBlockProfileRate)",
}


def kind_name(kind: str) -> str:
    """``CPU`` for ``profile``; other endpoints keep their name."""
    return KIND_NAMES.get(kind, kind)


@dataclass(frozen=True, slots=True)
class Collection:
    """A profile being fetched: started at ``started`` on the caller's clock."""

    kind: str
    seconds: int | None
    started: float

    def left(self, now: float) -> int:
        """Whole seconds of sampling left (rounded up; 0 once the server should answer)."""
        if not self.seconds:
            return 0
        return max(0, math.ceil(self.seconds - (now - self.started)))

    def line(self, now: float, cancel_key: str = "p") -> str:
        """``collecting a 10s CPU profile: 7s left · p cancels``, then ``downloading…``."""
        name = kind_name(self.kind)
        left = self.left(now)
        if left:
            what = f"collecting a {self.seconds}s {name} profile: {left}s left"
        elif self.seconds:
            what = f"downloading the {self.seconds}s {name} profile…"
        else:
            what = f"fetching the {name} profile…"
        return f"{what} · {cancel_key} cancels"


def is_empty(profile: Profile) -> bool:
    """True when no sample carries a value: nothing to draw."""
    return not any(profile.values)


def empty_reason(kind: str) -> str:
    """One line saying why a profile of ``kind`` came back with no samples."""
    return _EMPTY.get(kind, f"no samples in the {kind_name(kind)} profile")


def profile_title(kind: str, profile: Profile, seconds: int | None, fetched: datetime) -> str:
    """``CPU profile · 10s · 11:42:05``: what, over how long, and when.

    The duration is the profile's own (a delta or CPU profile records it), else the
    seconds asked for; the time is the profile's own, else when it was fetched.
    """
    parts = [f"{kind_name(kind)} profile"]
    duration = profile.duration_nanos / 1e9 if profile.duration_nanos else seconds
    if duration:
        parts.append(f"{duration:.0f}s" if duration >= 1 else f"{duration * 1000:.0f}ms")
    when = (
        datetime.fromtimestamp(profile.time_nanos / 1e9).astimezone()
        if profile.time_nanos
        else fetched
    )
    parts.append(when.strftime("%H:%M:%S"))
    return " · ".join(parts)
