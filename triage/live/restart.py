"""Notice that the attached process is a new one: a restart splits every series in two.

After a crash loop the service at the same address is another process: its
goroutine counts, heap and piles start from scratch, and a rate fitted across
the two (``-345/min``) means nothing. Three signs, any of which is enough:

- ``process_start_time_seconds`` on ``/metrics`` changed (the Prometheus process
  collector exports it; the surest sign);
- goroutine ids went back: Go never reuses an id within a process, and the
  goroutine serving the dump is always new, so the highest id only grows (up to
  the per-P id batches, hence the margin);
- the build changed (``go_info``'s version, when a scrape has it).
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.goroutines import DumpAnalysis

#: ids are handed out to each P in batches of 16: a dump's highest id may trail the
#: previous one's by a few batches without any restart
ID_SLACK = 16 * 64


@dataclass(slots=True)
class RestartDetector:
    """Remembers what identifies the process, and says when it changed (and why)."""

    start_time: float | None = None
    max_id: int | None = None

    def from_metrics(self, start_time: float | None) -> str:
        """The reason for a restart seen on /metrics, or ""."""
        if start_time is None:
            return ""
        before, self.start_time = self.start_time, start_time
        if before is not None and abs(start_time - before) > 0.001:
            self.max_id = None  # the ids seen so far were the old process's
            return "process start time changed"
        return ""

    def from_dump(self, item: DumpAnalysis) -> str:
        """The reason for a restart seen in a goroutine dump, or ""."""
        ids = item.dump.ids
        if not ids:  # debug=1 listings carry no ids
            return ""
        highest = max(ids)
        before, self.max_id = self.max_id, highest
        if before is not None and highest + ID_SLACK < before:
            return f"goroutine ids went back ({before:,} -> {highest:,})"
        return ""
