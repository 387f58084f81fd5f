"""The goroutine engine: dump text -> goroutines, groups and findings (no UI).

Use :func:`analyze` for the whole pipeline::

    from triage.goroutines import analyze
    result = analyze(payload.data)          # bytes, mmap or str
    for dump in result.dumps:               # several dumps in one log are kept apart
        dump.crash, dump.groups, dump.findings

Lower layers: :func:`triage.goroutines.parser.parse`,
:func:`triage.goroutines.grouping.group_dump`,
:func:`triage.goroutines.diagnose.diagnose`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triage.goroutines.thresholds import Thresholds

if TYPE_CHECKING:
    from triage.goroutines.diagnose import Finding
    from triage.goroutines.grouping import Group, Level
    from triage.goroutines.model import Crash, Dump
    from triage.sources import Buffer


@dataclass(slots=True)
class DumpAnalysis:
    """One dump with its groups and findings."""

    dump: Dump
    groups: list[Group]
    findings: list[Finding]

    @property
    def crash(self) -> Crash | None:
        """The dump's crash, if any."""
        return self.dump.crash

    def group_of(self, gid: int | None) -> Group | None:
        """The group holding goroutine ``gid``."""
        from triage.goroutines.grouping import find_group

        return find_group(self.dump, self.groups, gid)


@dataclass(slots=True)
class Analysis:
    """Everything found in one input."""

    dumps: list[DumpAnalysis] = field(default_factory=list)

    @property
    def primary(self) -> DumpAnalysis | None:
        """The dump to show first: the last one with a crash, else the last one."""
        with_crash = [d for d in self.dumps if d.dump.crash is not None]
        if with_crash:
            return with_crash[-1]
        return self.dumps[-1] if self.dumps else None

    @property
    def warnings(self) -> list[str]:
        """Parser warnings of every dump."""
        return [w for d in self.dumps for w in d.dump.warnings]


def analyze(
    data: Buffer | str,
    *,
    level: Level = "exact",
    thresholds: Thresholds | None = None,
    parallel: bool = False,
) -> Analysis:
    """Parse, group and diagnose every dump in ``data``.

    ``parallel``: parse a large dump on two cores (forks; single-threaded callers only).
    """
    from triage.goroutines.diagnose import diagnose
    from triage.goroutines.grouping import group_dump
    from triage.goroutines.parser import collector_paused, parse

    result = Analysis()
    with collector_paused():
        for dump in parse(data, parallel=parallel).dumps:
            groups = group_dump(dump, level)
            result.dumps.append(DumpAnalysis(dump, groups, diagnose(dump, groups, thresholds)))
    return result


__all__ = ["Analysis", "DumpAnalysis", "Finding", "Group", "Thresholds", "analyze"]


def __getattr__(name: str) -> object:
    """``Finding`` and ``Group`` load with their modules, on first use (start-up speed)."""
    if name == "Finding":
        from triage.goroutines.diagnose import Finding

        return Finding
    if name == "Group":
        from triage.goroutines.grouping import Group

        return Group
    raise AttributeError(name)
