"""The workspace model: what is open, loaded without any UI.

The app's workers call :func:`load_path` for each file the user opens; it
returns a plain result object (a dump analysis, a profile, or a binary's build
info) or raises a TriageError with one line of text. A source is told apart by
its bytes, not its name: gzip is a pprof profile, ELF is a binary, text is a
dump or a log. :class:`Workspace` holds what is open (dumps, profiles, the
binary, the grouping level and the profile query) and hands out dumps
enriched by the binary as new values. ``triage flame`` and the app read
profiles through the same :func:`load_profile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from triage import sources
from triage.errors import BadInput
from triage.goroutines import Analysis, DumpAnalysis, Thresholds, analyze
from triage.goroutines.grouping import Level
from triage.targets import BundleTarget, KubeTarget, Target, UrlTarget, parse_target

if TYPE_CHECKING:  # the pprof engine, the ELF reader and httpx load on first use
    from triage.cluster.fetcher import PodFetcher
    from triage.cluster.source import TargetLog
    from triage.config import Config
    from triage.enrich import BinaryContext
    from triage.live.session import LiveSession
    from triage.pprof.model import Profile
    from triage.pprof.query import ProfileQuery
    from triage.probes.profiles import Progress


class GroupingLevel(StrEnum):
    """How goroutines are grouped: by exact stack (with lines) or by functions only."""

    EXACT = "exact"
    LOOSE = "loose"

    @property
    def literal(self) -> Level:
        """The value the goroutine engine takes."""
        return "loose" if self is GroupingLevel.LOOSE else "exact"

    def toggled(self) -> GroupingLevel:
        """The other level (the ``loose`` key)."""
        return GroupingLevel.EXACT if self is GroupingLevel.LOOSE else GroupingLevel.LOOSE


@dataclass(slots=True)
class LoadedDump:
    """A goroutine dump or a log with dumps, analysed."""

    name: str
    analysis: Analysis
    #: kept open: the dump's goroutine arguments are read from it on demand
    #: (None for a live snapshot, whose text the Dump holds itself)
    payload: sources.Payload | None
    warnings: list[str] = field(default_factory=list)
    #: the binary (path) whose findings ``analysis`` already holds, if any
    enriched_by: str | None = None
    #: for a pod or workload: which pod, container and log the text came from
    crash_log: TargetLog | None = None

    def close(self) -> None:
        """Unmap the file (after this, goroutine arguments can no longer be read from it)."""
        if self.payload is not None:
            self.payload.close()


@dataclass(slots=True)
class LoadedProfile:
    """A pprof profile, decoded (the call tree is built per query by the UI's workers)."""

    name: str
    profile: Profile


@dataclass(slots=True)
class LoadedBinary:
    """A Go binary: build info, known-bad runtime advisories and a symbolizer."""

    name: str
    context: BinaryContext


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
    spec: str | Target,
    *,
    level: GroupingLevel | Level = GroupingLevel.EXACT,
    thresholds: Thresholds | None = None,
    timeout: float = sources.DEFAULT_TIMEOUT,
) -> Loaded:
    """Load one target (file, stdin, URL or pod) of any supported kind; raise TriageError
    on failure."""
    target = parse_target(spec) if isinstance(spec, str) else spec
    if isinstance(target, KubeTarget):
        return load_crash_log(target, level=level, thresholds=thresholds)
    if isinstance(target, BundleTarget):
        return load_bundle(target, level=level, thresholds=thresholds).primary()
    payload = sources.load(target, timeout=timeout)
    name = target.label
    kind = kind_of(payload.data)
    if kind == "profile":
        try:
            return LoadedProfile(name, profile_from(payload.data, name))
        finally:
            payload.close()
    if kind == "binary":
        payload.close()
        return load_binary(name)
    return _dump_from(payload, name, level=level, thresholds=thresholds)


def load_dump(
    spec: str | Target,
    *,
    level: GroupingLevel | Level = GroupingLevel.EXACT,
    thresholds: Thresholds | None = None,
    timeout: float = sources.DEFAULT_TIMEOUT,
    parallel: bool = False,
) -> LoadedDump:
    """A goroutine dump or a log with dumps, whatever its bytes (``triage analyze``).

    ``parallel`` parses a large dump on two cores (it forks: single-threaded
    callers only). The caller closes the returned payload.
    """
    target = parse_target(spec) if isinstance(spec, str) else spec
    if isinstance(target, KubeTarget):
        return load_crash_log(target, level=level, thresholds=thresholds, parallel=parallel)
    if isinstance(target, BundleTarget):
        return load_bundle(target, level=level, thresholds=thresholds).primary()
    payload = sources.load(target, timeout=timeout)
    return _dump_from(payload, target.label, level=level, thresholds=thresholds, parallel=parallel)


def load_crash_log(
    target: KubeTarget,
    *,
    level: GroupingLevel | Level = GroupingLevel.EXACT,
    thresholds: Thresholds | None = None,
    parallel: bool = False,
) -> LoadedDump:
    """A pod's crash, read through the API server: the previous container's log, else
    the current one, else (without ``get pods/log``) the termination message.

    The result is named ``pod/NAME`` or ``deployment/NAME`` as the user named it;
    its warnings say which pod and log were read and, when logs were refused,
    which permission would show more.
    """
    from triage.cluster.source import read_crash_log

    log = read_crash_log(target)
    payload = sources.Payload(target.ref, log.data)
    try:
        loaded = _dump_from(
            payload, target.ref, level=level, thresholds=thresholds, parallel=parallel
        )
    except BadInput:
        if log.which == "current":  # it never crashed (no previous container)
            raise BadInput(
                f"{target.ref}: {log.label} holds no Go crash or goroutine dump, and the "
                "container has not restarted",
                f"triage crashes -n {log.namespace} lists the pods that crash",
            ) from None
        raise
    loaded.crash_log = log
    loaded.warnings = [*crash_log_notes(target, log), *loaded.warnings]
    return loaded


@dataclass(slots=True)
class LoadedBundle:
    """An incident bundle read back: its dumps and profiles, and what it says of itself.

    ``lines`` are the manifest, probe answers, key metrics and missing parts, as
    the health pane shows them (a bundle has no live target to probe).
    """

    name: str
    headline: str
    items: list[Loaded]
    lines: list[str]
    missing: list[str]

    def primary(self) -> LoadedDump:
        """The crash if the bundle holds one, else its goroutine dump (``triage analyze``)."""
        dump = next((i for i in self.items if isinstance(i, LoadedDump)), None)
        if dump is None:
            raise BadInput(
                f"{self.name}: the bundle holds no crash and no goroutine dump",
                "triage open it for its profiles; "
                + ("; ".join(self.missing) or "nothing missing"),
            )
        dump.warnings = [self.headline, *self.missing, *dump.warnings]
        return dump


#: a bundle's dumps and profiles: (path inside, how it is named in the workspace)
_BUNDLE_DUMPS = (
    ("crash/crash.log", "crash"),
    ("pprof/goroutine.txt", "goroutines"),
    ("pprof/goroutine-debug1.txt", "goroutines (debug=1)"),
)
_BUNDLE_PROFILES = (("pprof/cpu.pb.gz", "cpu profile"), ("pprof/heap.pb.gz", "heap profile"))


def load_bundle(
    target: BundleTarget,
    *,
    level: GroupingLevel | Level = GroupingLevel.EXACT,
    thresholds: Thresholds | None = None,
) -> LoadedBundle:
    """Read a bundle (in memory, under limits) into dumps and profiles, offline.

    A part that is missing or unreadable is a line in ``missing``; the rest loads.
    """
    from triage.bundle import summary
    from triage.bundle.archive import read_bundle

    bundle = read_bundle(target.path)
    pod = str(bundle.manifest.get("pod") or "?")
    items: list[Loaded] = []
    missing = summary.missing(bundle)
    for path, what in _BUNDLE_DUMPS:
        data = bundle.files.get(path)
        if data is None:
            continue
        name = f"pod/{pod} {what} ({target.label})"
        try:
            items.append(
                _dump_from(sources.Payload(name, data), name, level=level, thresholds=thresholds)
            )
        except BadInput as exc:
            missing.append(f"unreadable: {path}: {exc.line()}")
    for path, what in _BUNDLE_PROFILES:
        data = bundle.files.get(path)
        if data is None:
            continue
        name = f"pod/{pod} {what} ({target.label})"
        try:
            items.append(LoadedProfile(name, profile_from(data, name)))
        except BadInput as exc:
            missing.append(f"unreadable: {path}: {exc.line()}")
    lines = summary.lines(bundle)
    lines += [m for m in missing if m not in lines]
    return LoadedBundle(target.label, summary.headline(bundle.manifest), items, lines, missing)


def crash_log_notes(target: KubeTarget, log: TargetLog) -> list[str]:
    """What was read (when the user named a workload) and what a permission would add."""
    notes: list[str] = []
    if target.resource != "pod":
        notes.append(f"read {log.label}, its worst pod")
    if log.which == "termination-message":
        why = "logs are not readable" if not log.logs_readable else "the logs are empty"
        notes.append(
            f"{why}: the crash is from the termination message of pod/{log.pod} (at most "
            "4096 bytes, a traceback may be cut)"
            + (
                f"; `get pods/log` in namespace {log.namespace} would show the full log"
                if not log.logs_readable
                else ""
            )
        )
    return notes


def pod_session(fetcher: PodFetcher, config: Config) -> LiveSession:
    """The live session of a pod: its probes as the health checks, each judged by the
    probe's own failureThreshold (the session itself knows one threshold per config)."""
    from triage.live.session import LiveSession
    from triage.probes.health import HealthTracker

    session = LiveSession(fetcher, fetcher.session_config(config))
    if session.health:
        for check in fetcher.checks:
            session.health[check.key] = HealthTracker(
                check.key, failure_threshold=check.failure_threshold
            )
    return session


def _dump_from(
    payload: sources.Payload,
    name: str,
    *,
    level: GroupingLevel | Level,
    thresholds: Thresholds | None,
    parallel: bool = False,
) -> LoadedDump:
    try:
        analysis = analyze(
            payload.data, level=_literal(level), thresholds=thresholds, parallel=parallel
        )
    except BaseException:
        payload.close()
        raise
    if not analysis.dumps:
        payload.close()
        raise sources.describe_unreadable(name, payload.data, "goroutine dump or Go crash")
    return LoadedDump(name, analysis, payload, analysis.warnings)


def attach_source(spec: str | Target, analysis: Analysis) -> LoadedDump:
    """An analysis made elsewhere (triage.preload's child) with this file mapped again."""
    target = parse_target(spec) if isinstance(spec, str) else spec
    payload = sources.load(target)
    span = (0, len(payload.data))
    for item in analysis.dumps:
        if not item.dump.source_is_input:
            continue  # its spans fit the stripped or unwrapped copy it kept, not the file
        item.dump.source = payload.data
        if item.dump.span == (0, 0):
            item.dump.span = span
    return LoadedDump(target.label, analysis, payload, analysis.warnings)


def load_binary(path: str) -> LoadedBinary:
    """Open a Go binary for its build info and symbols (BadInput if it is not one)."""
    from triage.enrich import open_context

    return LoadedBinary(str(Path(path)), open_context(path))


def reanalyze(
    loaded: LoadedDump, *, level: GroupingLevel | Level, thresholds: Thresholds | None
) -> LoadedDump:
    """The same dump grouped again (another grouping level or thresholds)."""
    if loaded.payload is None:
        raise BadInput(f"{loaded.name}: a live snapshot is not kept for regrouping")
    analysis = analyze(loaded.payload.data, level=_literal(level), thresholds=thresholds)
    if not analysis.dumps:
        raise BadInput(f"{loaded.name}: no dump found on re-reading")
    return LoadedDump(loaded.name, analysis, loaded.payload, analysis.warnings)


def _literal(level: GroupingLevel | Level) -> Level:
    return GroupingLevel(level).literal


def load_profile(
    spec: str | Target,
    *,
    seconds: int | None = None,
    timeout: float = sources.DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Profile:
    """A profile from a path, stdin or a URL (a text goroutine dump becomes one too)."""
    target = parse_target(spec) if isinstance(spec, str) else spec
    if isinstance(target, UrlTarget):
        from triage.probes.profiles import load_profile as fetch_and_decode

        return fetch_and_decode(target.url, seconds=seconds, timeout=timeout, progress=progress)
    with sources.load(target) as payload:
        return profile_from(payload.data, target.label)


def profile_from(data: sources.Buffer, name: str) -> Profile:
    """A pprof profile, or a text goroutine dump as a goroutine/count profile."""
    from triage.pprof.decode import decode

    try:
        return decode(data, name)
    except BadInput:
        if sources.sniff(data) != "text":
            raise
        from triage.goroutines.flame import goroutine_profile

        primary = analyze(data).primary  # the most recent dump of a log
        if primary is None or not primary.groups:
            raise
        return goroutine_profile(primary, name)


def _no_query() -> ProfileQuery:
    """The default query (imported here: the preload child never needs the pprof engine)."""
    from triage.pprof.query import ProfileQuery

    return ProfileQuery()


@dataclass(slots=True)
class Workspace:
    """What one workspace has open: dumps, profiles, a binary, how to group, what to ask.

    Loaded results are never changed in place: enrichment by the binary and
    regrouping replace a :class:`LoadedDump` with a new one.
    """

    dumps: list[LoadedDump] = field(default_factory=list)
    profiles: list[LoadedProfile] = field(default_factory=list)
    binary: LoadedBinary | None = None
    level: GroupingLevel = GroupingLevel.EXACT
    query: ProfileQuery = field(default_factory=_no_query)

    def add(self, loaded: Loaded) -> None:
        """Take one loaded source in (a binary replaces the previous one)."""
        if isinstance(loaded, LoadedDump):  # before a live snapshot, which stays last
            self.dumps.insert(sum(d.payload is not None for d in self.dumps), loaded)
        elif isinstance(loaded, LoadedProfile):
            self.profiles.append(loaded)
        else:
            self.binary = loaded

    def show_live(self, label: str, analysis: Analysis) -> int:
        """A live snapshot replaces the previous one (it has no file to regroup from);
        dumps read from a source (a pod's previous log) stay before it. Returns the
        position of the snapshot's last dump in :meth:`every_dump`."""
        self.dumps = [d for d in self.dumps if d.payload is not None]
        self.dumps.append(LoadedDump(label, analysis, None))
        return len(self.every_dump()) - 1

    def read_dumps(self) -> int:
        """How many dumps came from sources read once (files, a pod's log), not live."""
        return sum(len(d.analysis.dumps) for d in self.dumps if d.payload is not None)

    def every_dump(self) -> list[tuple[str, int, int]]:
        """(name, index of the LoadedDump, index of the dump inside it), in order."""
        return [
            (d.name, i, j) for i, d in enumerate(self.dumps) for j in range(len(d.analysis.dumps))
        ]

    def dump_at(self, position: int) -> tuple[str, DumpAnalysis]:
        """The ``position``-th dump of all files (modulo their count), enriched by the binary."""
        every = self.every_dump()
        name, which, index = every[position % len(every)]
        loaded = self.dumps[which]
        if self.binary is not None and loaded.enriched_by != self.binary.name:
            from triage.enrich import enrich

            loaded = replace(
                loaded,
                analysis=enrich(loaded.analysis, self.binary.context),
                enriched_by=self.binary.name,
            )
            self.dumps[which] = loaded
        return name, loaded.analysis.dumps[index]
