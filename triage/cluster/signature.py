"""Fleet signatures: the same crash counted across a workload's pods and revisions (pure).

Two pods die of "the same crash" when the goroutine engine finds the same kind
(panic, fatal error, signal, race), the same message *shape* (numbers,
addresses and quoted values replaced, so ``index out of range [5] with length
3`` and ``[7] with length 2`` match) and the same top user frame function
(lines are left out of the key: a new revision moves them). A pod whose log
named no crash falls back to its last termination (``OOMKilled``, exit 137), so
a fleet killed by the OOM killer still gets one line.

The result reads "9/12 pods: nil pointer dereference at main.ownerEmail
(handler.go:42), since revision 7": the denominator is every pod of the
workload, the revision the oldest one a pod with this crash runs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from triage.cluster.model import Termination
from triage.goroutines.model import short_path

JSON = dict[str, Any]

_HEX = re.compile(r"0x[0-9a-fA-F]+")
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_SPACE = re.compile(r"\s+")
_NIL = "invalid memory address or nil pointer dereference"
_MAX_MESSAGE = 120


def message_shape(message: str) -> str:
    """The crash message with what varies between pods replaced (first line only)."""
    text = message.split("\n", 1)[0].strip()
    text = text.removeprefix("runtime error: ")
    if text.startswith(_NIL):
        text = "nil pointer dereference" + text[len(_NIL) :]
    text = _HEX.sub("0x?", text)
    text = _QUOTED.sub('"?"', text)
    text = _NUMBER.sub("N", text)
    text = _SPACE.sub(" ", text)
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 1] + "…"
    return text


@dataclass(frozen=True, slots=True)
class CrashKey:
    """What makes two crashes the same."""

    kind: str
    shape: str
    func: str


@dataclass(frozen=True, slots=True)
class Sample:
    """One pod's contribution: its engine crash object (or its termination) and revision."""

    crash: JSON | None
    termination: Termination | None
    revision: int | None


@dataclass(frozen=True, slots=True)
class Signature:
    """The most common crash of a workload."""

    key: CrashKey
    summary: str
    pods: int
    total: int
    since_revision: int | None

    def as_json(self) -> JSON:
        """The ``signature`` object of the ``triage crashes --json`` contract."""
        return {
            "summary": self.summary,
            "pods": self.pods,
            "total_pods": self.total,
            "since_revision": self.since_revision,
            "kind": self.key.kind,
            "message_shape": self.key.shape,
            "function": self.key.func or None,
        }


def crash_key(sample: Sample) -> tuple[CrashKey, str] | None:
    """The key of one pod's crash and the words that name it ("... at f (file:line)")."""
    crash = sample.crash
    if crash is not None:
        kind = str(crash.get("kind") or "")
        shape = "data race" if kind == "race" else message_shape(str(crash.get("message") or ""))
        if kind == "fatal":
            shape = f"fatal error: {shape}"
        frame = crash.get("frame") or {}
        func = str(frame.get("func") or "")
        words = shape
        if func:
            where = short_path(str(frame.get("file") or ""))
            words += f" at {func} ({where}:{frame.get('line')})" if where else f" at {func}"
        return CrashKey(kind, shape, func), words
    term = sample.termination
    if term is not None and (term.reason or term.exit_code):
        code = f"exit {term.exit_code}" if term.exit_code is not None else "no exit code"
        shape = f"{term.reason or 'terminated'} ({code}: {term.meaning})"
        return CrashKey("termination", shape, ""), shape
    return None


def fleet_signature(samples: Sequence[Sample], total: int) -> Signature | None:
    """The most common crash among ``samples`` (the crashing pods of one workload).

    ``total`` is the workload's pod count, crashing or not. Crashes named by the
    engine win over bare terminations when counts tie.
    """
    keyed = [(k, s) for s in samples if (k := crash_key(s)) is not None]
    if not keyed:
        return None
    counts = Counter(k[0] for k, _ in keyed)
    best = max(counts, key=lambda key: (counts[key], key.kind != "termination"))
    words = next(k[1] for k, _ in keyed if k[0] == best)
    revisions = [s.revision for k, s in keyed if k[0] == best and s.revision is not None]
    since = min(revisions) if revisions else None
    n = counts[best]
    summary = f"{n}/{total} pods: {words}"
    if since is not None:
        summary += f", since revision {since}"
    return Signature(best, summary, n, total, since)
