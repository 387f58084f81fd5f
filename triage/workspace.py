"""What the workspace shows, loaded from files without any UI.

The app's workers call :func:`load_path` for each file the user opens; it
returns a plain result object (a dump analysis, a profile with its call tree,
or a binary's build info) or raises a TriageError with one line of text. A
source is told apart by its bytes, not its name: gzip is a pprof profile, ELF
is a binary, text is a dump or a log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage import sources
from triage.errors import BadInput
from triage.goroutines import Analysis, Thresholds, analyze
from triage.goroutines.grouping import Level


@dataclass(slots=True)
class LoadedDump:
    """A goroutine dump or a log with dumps, analysed."""

    name: str
    analysis: Analysis
    #: kept open: the dump's goroutine arguments are read from it on demand
    #: (None for a live snapshot, whose text the Dump holds itself)
    payload: sources.Payload | None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LoadedProfile:
    """A pprof profile, decoded (the call tree is built per sample type by the UI)."""

    name: str
    profile: Any  # triage.pprof.model.Profile: imported lazily (protobuf)


@dataclass(slots=True)
class LoadedBinary:
    """A Go binary: build info, known-bad runtime advisories and a symbolizer."""

    name: str
    context: Any  # triage.enrich.BinaryContext: imported lazily (ELF reader)


Loaded = LoadedDump | LoadedProfile | LoadedBinary


def kind_of(data: sources.Buffer) -> str:
    """ "profile", "binary" or "dump", from the first bytes."""
    kind = sources.sniff(data)
    if kind == "gzip":
        return "profile"
    if kind == "elf":
        return "binary"
    if kind == "binary" and bytes(data[:1]) == b"\x0a":  # raw profile.proto starts with field 1
        return "profile"
    return "dump"


def load_path(
    spec: str,
    *,
    level: Level = "exact",
    thresholds: Thresholds | None = None,
    timeout: float = sources.DEFAULT_TIMEOUT,
) -> Loaded:
    """Load one file (or URL) of any supported kind; raise TriageError on failure."""
    payload = sources.load(spec, timeout=timeout)
    name = "stdin" if spec == "-" else spec
    kind = kind_of(payload.data)
    if kind == "profile":
        from triage.pprof.decode import decode

        try:
            return LoadedProfile(name, decode(payload.data, name=name))
        finally:
            payload.close()
    if kind == "binary":
        payload.close()
        return load_binary(spec)
    analysis = analyze(payload.data, level=level, thresholds=thresholds)
    if not analysis.dumps:
        payload.close()
        raise sources.describe_unreadable(name, payload.data, "goroutine dump or Go crash")
    return LoadedDump(name, analysis, payload, analysis.warnings)


def attach_source(spec: str, analysis: Analysis) -> LoadedDump:
    """An analysis made elsewhere (triage.preload's child) with this file mapped again."""
    payload = sources.load(spec)
    span = (0, len(payload.data))
    for item in analysis.dumps:
        if not item.dump.source_is_input:
            continue  # its spans fit the stripped or unwrapped copy it kept, not the file
        item.dump.source = payload.data
        if item.dump.span == (0, 0):
            item.dump.span = span
    return LoadedDump("stdin" if spec == "-" else spec, analysis, payload, analysis.warnings)


def load_binary(path: str) -> LoadedBinary:
    """Open a Go binary for its build info and symbols (BadInput if it is not one)."""
    from triage.enrich import open_context

    return LoadedBinary(str(Path(path)), open_context(path))


def reanalyze(loaded: LoadedDump, *, level: Level, thresholds: Thresholds | None) -> LoadedDump:
    """The same dump grouped again (another grouping level or thresholds)."""
    if loaded.payload is None:
        raise BadInput(f"{loaded.name}: a live snapshot is not kept for regrouping")
    analysis = analyze(loaded.payload.data, level=level, thresholds=thresholds)
    if not analysis.dumps:
        raise BadInput(f"{loaded.name}: no dump found on re-reading")
    return LoadedDump(loaded.name, analysis, loaded.payload, analysis.warnings)
