"""The health pane: endpoint status strips and Go metrics (render only)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from triage.probes.health import HealthStatus
from triage.probes.metrics import MetricsReport
from triage.ui.render_health import endpoint_lines, metrics_lines


class HealthPane(VerticalScroll, can_focus=True):
    """Shows what the live session measured; never fetches anything itself."""

    DEFAULT_CSS = """
    HealthPane { height: 1fr; padding: 0 1; }
    HealthPane > Static { height: auto; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="health-body")

    def show(self, statuses: list[HealthStatus], report: MetricsReport | None) -> None:
        """Redraw from the trackers' latest state."""
        lines: list[Content] = []
        breaks = report.breaks if report is not None else ()
        for status in statuses:
            lines.extend(endpoint_lines(status, breaks))
            lines.append(Content(""))
        if report is not None:
            lines.extend(metrics_lines(report))
        self.query_one("#health-body", Static).update(Content("\n").join(lines))
