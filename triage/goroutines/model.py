"""Plain data for goroutine dumps: what the parser produces and the UI renders.

Goroutines with the same stack text (arguments aside) share one :class:`Stack`,
so a 100,000-goroutine dump holds a few hundred Stack objects, not millions of
frames. Argument values are per goroutine and read lazily from the source text.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass, field
from functools import cached_property

from triage.goroutines.headers import Status, parse_labels
from triage.goroutines.origin import Origin, classify, split_func

_GOWRAP = re.compile(r"\.gowrap\d+$")


def short_path(path: str) -> str:
    """The last directory and the file name (``http/server.go``), as findings quote it."""
    parts = path.rsplit("/", 2)
    return "/".join(parts[-2:]) if len(parts) > 2 else path


@dataclass(frozen=True, slots=True)
class Frame:
    """One line pair of a traceback: ``pkg.Func(args)`` and ``\\tfile:line +0xoff``."""

    func: str
    file: str
    line: int
    offset: int | None = None
    inlined: bool = False

    @property
    def package(self) -> str:
        """Import path of the function's package (``net/http``, ``main``)."""
        return split_func(self.func)[0]

    @property
    def receiver(self) -> str:
        """Receiver type (``*Server``) or empty."""
        return split_func(self.func)[1]

    @property
    def name(self) -> str:
        """The function name without package and receiver (``waitLock``)."""
        return split_func(self.func)[2]

    @property
    def origin(self) -> Origin:
        """Where this code comes from: runtime, stdlib, dependency or the service."""
        return classify(self.func, self.file)

    @property
    def location(self) -> str:
        """``file:line`` as printed."""
        return f"{self.file}:{self.line}"

    @property
    def short_location(self) -> str:
        """``dir/file.go:line``, short enough for a finding's sentence."""
        return f"{short_path(self.file)}:{self.line}"

    @property
    def brief(self) -> str:
        """``pkg.Func (dir/file.go:line)``, how findings name a place."""
        return f"{self.func} ({self.short_location})"


@dataclass(frozen=True, slots=True)
class CreatedBy:
    """The ``created by`` line: the go statement's function and position."""

    func: str
    file: str
    line: int

    @property
    def brief(self) -> str:
        """``pkg.Func (dir/file.go:line)``, how findings name a place."""
        return f"{self.func} ({short_path(self.file)}:{self.line})"


@dataclass(eq=False)
class Stack:
    """A stack shape shared by every goroutine printed with the same frames.

    Compared and hashed by identity: the parser makes one per distinct text.
    """

    frames: tuple[Frame, ...]
    created_by: CreatedBy | None = None
    #: ``...N frames elided...`` count, -1 for ``...additional frames elided...``
    elided: int = 0
    #: ``[originating from goroutine N]:`` blocks (GODEBUG=tracebackancestors)
    ancestors: tuple[Ancestor, ...] = ()
    #: "goroutine running on other thread; stack unavailable"
    unavailable: bool = False

    @cached_property
    def signature(self) -> tuple[tuple[str, str, int], ...]:
        """(function, file, line) for every frame: the grouping key."""
        return tuple((f.func, f.file, f.line) for f in self.frames)

    @cached_property
    def entry(self) -> Frame | None:
        """The goroutine's own function: the outermost frame, leaving out
        ``runtime.goexit`` and the ``.gowrapN`` wrappers of ``go f(x)`` statements."""
        for frame in reversed(self.frames):
            if frame.func != "runtime.goexit" and not _GOWRAP.search(frame.func):
                return frame
        return None

    @cached_property
    def loose_signature(self) -> tuple[str, ...]:
        """Functions only, any line: the loose grouping key."""
        return tuple(f.func for f in self.frames)


@dataclass(slots=True)
class Ancestor:
    """A ``[originating from goroutine N]:`` block (GODEBUG=tracebackancestors)."""

    goroutine: int
    frames: tuple[Frame, ...]
    created_by: CreatedBy | None = None


@dataclass(slots=True)
class Goroutine:
    """One goroutine of a dump. ``state`` is the status or wait reason as printed."""

    id: int
    state: str
    stack: Stack
    wait_minutes: int | None = None
    locked: bool = False
    leaked: bool = False
    durable: bool = False
    scan: bool = False
    bubble: int | None = None
    labels: dict[str, str] | None = None
    gp: str | None = None
    m: str | None = None
    mp: str | None = None
    creator: int | None = None

    @property
    def frames(self) -> tuple[Frame, ...]:
        """The frames, innermost first."""
        return self.stack.frames

    @property
    def created_by(self) -> CreatedBy | None:
        """Where the goroutine was started."""
        return self.stack.created_by

    @property
    def unavailable(self) -> bool:
        """True when the runtime could not print this goroutine's stack."""
        return self.stack.unavailable


@dataclass(slots=True)
class SystemStack:
    """A thread's system stack (g0), printed as ``goroutine 0 gp=.. m=N [idle]:``.

    The runtime prints it for the thread that took a signal (SIGQUIT; every
    thread under GOTRACEBACK=crash). It is not a goroutine (runtime.NumGoroutine
    never counts it), so it stays out of every total, group and state, and is
    shown as crash context: what that thread was doing.
    """

    m: str | None
    state: str
    frames: tuple[Frame, ...]

    @property
    def thread(self) -> str:
        """``thread m=0``, or ``a thread`` when the runtime did not say which."""
        return f"thread m={self.m}" if self.m not in (None, "nil") else "a thread"


@dataclass(slots=True)
class PanicValue:
    """One ``panic:`` line (nested panics are listed outermost first)."""

    message: str
    recovered: bool = False
    repanicked: bool = False
    goexit: bool = False


@dataclass(slots=True)
class Signal:
    """``[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47f7a1]``."""

    name: str
    description: str = ""
    code: str | None = None
    addr: str | None = None
    pc: str | None = None


@dataclass(slots=True)
class RaceAccess:
    """One side of a data race: the access and its stack."""

    kind: str  # "Read", "Write", "Previous read", "Previous write", ...
    addr: str  # "" when not printed (older race reports)
    goroutine: int | None  # "main goroutine" is 1
    frames: tuple[Frame, ...]


@dataclass(slots=True)
class RaceCreation:
    """``Goroutine N (running) created at:`` block of a race report."""

    goroutine: int
    state: str
    frames: tuple[Frame, ...]


@dataclass(slots=True)
class RaceReport:
    """One ``WARNING: DATA RACE`` block."""

    accesses: list[RaceAccess] = field(default_factory=list)
    creations: list[RaceCreation] = field(default_factory=list)


@dataclass(slots=True)
class Crash:
    """What made the process die (or dump), read from the text before the goroutines."""

    kind: str  # "panic" | "fatal" | "signal" | "race" | "quit"
    message: str
    panics: list[PanicValue] = field(default_factory=list)
    fatal: str | None = None
    signal: Signal | None = None
    #: ``runtime: ...`` lines printed before the fatal error (stack overflow, OOM)
    runtime_lines: list[str] = field(default_factory=list)
    #: frames of the ``runtime stack:`` block (the system stack of a throw)
    runtime_stack: tuple[Frame, ...] = ()
    #: register dump after a SIGQUIT/crash: name -> value
    registers: dict[str, str] = field(default_factory=dict)
    races: list[RaceReport] = field(default_factory=list)
    exit_status: int | None = None
    #: id of the goroutine that crashed (the first one printed, if it was running);
    #: None when the runtime threw on a thread with no current goroutine
    goroutine: int | None = None
    #: GOTRACEBACK=crash: one section per thread (M) that took the signal, in order
    threads: list[ThreadSection] = field(default_factory=list)


@dataclass(slots=True)
class ThreadSection:
    """One thread's part of a ``GOTRACEBACK=crash`` dump.

    With ``crash`` the runtime relays the signal to every M; each prints
    ``SIGQUIT: quit`` / ``PC=.. m=N``, its own stack (``goroutine 0``, and the
    goroutine it was running if the first section could not show it) and its
    registers, after a ``-----`` line. They are one dump: the goroutines join
    the first section's, and what is thread-specific is kept here.
    """

    m: str | None
    signal: Signal | None
    registers: dict[str, str] = field(default_factory=dict)
    #: ids of the goroutines the section printed (its goroutine 0 is in Dump.system_stacks)
    goroutines: tuple[int, ...] = ()


@dataclass(slots=True)
class Dump:
    """One dump found in the input: a crash or a debug=2 listing, with its goroutines.

    Goroutines are stored by column (ids, stacks, statuses, ...) because a big
    dump has 100,000 of them and most consumers only count and group; the
    :attr:`goroutines` list of objects is built on first use.
    """

    crash: Crash | None = None
    #: "traceback" (debug=2 / crash output) or "debug1" (aggregated counts)
    format: str = "traceback"
    ids: list[int] = field(default_factory=list)
    stacks: list[Stack] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    #: each goroutine's header line as printed (labels and creators are read from it lazily)
    heads: list[str] = field(default_factory=list)
    #: index -> (gp, m, mp) for system-level headers
    system: dict[int, tuple[str, str | None, str | None]] = field(default_factory=dict)
    #: debug=1 input: goroutine counts per stack
    counted: list[CountedStack] = field(default_factory=list)
    total: int | None = None
    #: the pprof profile a debug=1 listing came from: "goroutine" or "goroutineleak"
    profile: str = "goroutine"
    #: 1-based line in the input where the dump starts
    start_line: int = 1
    warnings: list[str] = field(default_factory=list)
    #: threads' system stacks (``goroutine 0`` blocks): crash context, not goroutines
    system_stacks: list[SystemStack] = field(default_factory=list)
    #: the input the goroutines were read from (and their span in it), for
    #: reading argument values later; an mmap stays valid while its Payload is open
    source: bytes | str | mmap.mmap = b""
    span: tuple[int, int] = (0, 0)
    #: True when ``source`` is the input itself (a caller may map the file again
    #: in its place); False for a copy the spans only fit (prefixes stripped,
    #: CRLF or ``go test -json`` unwrapped), which must travel with the dump
    source_is_input: bool = False
    _goroutines: list[Goroutine] | None = None
    _labels: list[str | None] | None = None
    _creators: list[int | None] | None = None

    @property
    def labels_text(self) -> list[str | None]:
        """Each goroutine's label set as printed (``{k: v}``), or None."""
        if self._labels is None:
            self._labels = [_labels_of(h) for h in self.heads]
        return self._labels

    @property
    def creators(self) -> list[int | None]:
        """Each goroutine's creator (``created by X in goroutine N``), or None.

        Found with one regex pass over the dump's text when first asked for:
        the bulk parser skips them, as most uses never need them.
        """
        if self._creators is None:
            self._creators = _scan_creators(self)
        return self._creators

    def __len__(self) -> int:
        return self.goroutine_count

    @property
    def goroutine_count(self) -> int:
        """Goroutines in the dump (for debug=1, the sum of the counts)."""
        if self.format == "debug1":
            return sum(c.count for c in self.counted)
        return len(self.ids)

    @property
    def goroutines(self) -> list[Goroutine]:
        """Every goroutine as an object, in dump order (built once, on demand)."""
        if self._goroutines is None:
            self._goroutines = [self.goroutine(i) for i in range(len(self.ids))]
        return self._goroutines

    def goroutine(self, index: int) -> Goroutine:
        """The goroutine at ``index`` (dump order)."""
        st = self.statuses[index]
        g = Goroutine(self.ids[index], st.state, self.stacks[index])
        if not st.plain:
            g.wait_minutes, g.locked, g.leaked = st.wait_minutes, st.locked, st.leaked
            g.scan, g.durable, g.bubble = st.scan, st.durable, st.bubble
        raw = self.labels_text[index]
        if raw is not None:
            g.labels = parse_labels(raw)
        sysinfo = self.system.get(index)
        if sysinfo is not None:
            g.gp, g.m, g.mp = sysinfo
        g.creator = self.creators[index]
        return g

    def find(self, gid: int) -> Goroutine | None:
        """The goroutine with id ``gid``, if this dump has it."""
        try:
            return self.goroutine(self.ids.index(gid))
        except ValueError:
            return None


@dataclass(slots=True)
class CountedStack:
    """A debug=1 record: ``N @ 0x... 0x...`` with its frames and labels."""

    count: int
    stack: Stack
    labels: dict[str, str] | None = None
    pcs: tuple[int, ...] = ()


def _labels_of(head: str) -> str | None:
    """The ``{...}`` part of a header line, if any."""
    br = head.find("]")
    return head[br + 2 : head.rfind(":")] if head[br + 1 : br + 3] == " {" else None


_CREATOR_SCAN = re.compile(
    rb"^goroutine (\d+) |^created by \S+ in goroutine (\d+)\r?$|^\[originating from goroutine ",
    re.M,
)


def _scan_creators(dump: Dump) -> list[int | None]:
    """Creator ids in dump order, from one pass over the goroutines' text."""
    creators: dict[int, int] = {}
    src = (
        dump.source.encode("utf-8", "surrogateescape")
        if isinstance(dump.source, str)
        else dump.source
    )
    start, end = dump.span if dump.span[1] > dump.span[0] else (0, len(src))
    current: int | None = None
    for m in _CREATOR_SCAN.finditer(src, start, end):
        if m.group(1) is not None:
            current = int(m.group(1))
        elif m.group(2) is not None and current is not None:
            creators.setdefault(current, int(m.group(2)))
            current = None
        else:
            current = None  # ancestors' "created by" lines belong to no listed goroutine
    return [creators.get(gid) for gid in dump.ids]
