"""Pure renderers for the health pane: endpoint strips and Go metrics.

Every state is spelled out (OK, SUSPECT, FAIL, FAILING) and marked (a check or a cross)
besides its colour; sparklines mark failed probes with ``x``.
"""

from __future__ import annotations

from textual.content import Content

from triage.probes.health import HealthStatus, HistoryPoint
from triage.probes.metrics import MetricsReport, Trend

BARS = "▁▂▃▄▅▆▇█"
ARROWS = {"up": "↑ rising", "down": "↓ falling", "flat": "→ flat", "unknown": "  "}


def sparkline(points: tuple[HistoryPoint, ...], breaks: tuple[float, ...] = ()) -> Content:
    """Latency bars, scaled to the slowest; failures as a red ``x``; a passing but
    suspicious answer (an HTML page) as ``?``; a restart of the
    target between two bars as ``↻``."""
    latencies = [p.latency for p in points if p.latency is not None]
    top = max(latencies, default=0.0) or 1.0
    parts: list[tuple[str, str]] = []
    previous: float | None = None
    for point in points:
        at = point.at
        if at is not None and previous is not None and any(previous < b <= at for b in breaks):
            parts.append(("↻", "bold $severity-warning"))
        previous = point.at if point.at is not None else previous
        if not point.ok:
            parts.append(("x", "bold $severity-critical"))
        elif point.suspicious:
            parts.append(("?", "bold $severity-warning"))
        elif point.latency is None:
            parts.append((" ", ""))
        else:
            level = min(len(BARS) - 1, int(point.latency / top * (len(BARS) - 1)))
            parts.append((BARS[level], "$success"))
    return Content.assemble(*parts)


def ms(seconds: float | None) -> str:
    """``12ms``, ``1.2s`` or ``-``."""
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f}ms" if seconds < 1 else f"{seconds:.1f}s"


def endpoint_lines(status: HealthStatus, breaks: tuple[float, ...] = ()) -> list[Content]:
    """Three lines per endpoint: state and last answer, sparkline (restarts marked at
    ``breaks``), window stats (consecutive failures against the endpoint's own threshold)."""
    threshold = status.failure_threshold
    last = status.last
    if last is None:
        head = Content.assemble(("…  ", "dim"), (status.path, "bold"), ("  waiting", "dim"))
        return [head]
    if status.failing:
        tag = ("✗ FAILING", "bold reverse $severity-critical")
    elif not last.ok:
        tag = ("✗ FAIL", "bold $severity-critical")
    elif last.suspicious:
        # The kubelet passes it, but nobody should trust it: a word and a mark.
        tag = ("? SUSPECT", "bold $severity-warning")
    else:
        tag = ("✓ OK", "bold $success")
    fails = status.consecutive_failures
    head = Content.assemble(
        tag,
        " ",
        (status.path, "bold"),
        f"  {last.detail}",
        (f"  {fails}/{threshold} failed in a row" if fails else "", "$severity-warning"),
    )
    one, five = status.one_minute, status.five_minutes
    stats = Content(
        f"  1m p50 {ms(one.p50)} p95 {ms(one.p95)} err {one.error_rate:.0%}"
        f"  5m p50 {ms(five.p50)} p95 {ms(five.p95)} err {five.error_rate:.0%}"
    )
    return [head, Content.assemble("  ", sparkline(status.history, breaks)), stats]


def human_bytes(value: float) -> str:
    """``512 MiB`` style."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def count(value: float) -> str:
    """``12,034``."""
    return f"{value:,.0f}"


_LABELS = {
    "goroutines": ("goroutines", count),
    "heap_inuse_bytes": ("heap in use", human_bytes),
    "rss_bytes": ("RSS", human_bytes),
    "gc_pause_p50_seconds": ("GC pause p50", ms),
    "gc_pause_recent_seconds": ("GC pause recent", ms),
}


def trend_line(trend: Trend) -> Content:
    """``goroutines  12,034  ↑ rising +120/min``."""
    label, fmt = _LABELS.get(trend.name, (trend.name, count))
    value = fmt(trend.latest) if trend.latest is not None else "-"
    growth = ""
    heading = trend.direction
    if trend.per_minute is not None and heading in ("up", "down"):
        amount = fmt(abs(trend.per_minute))
        if any(ch in "123456789" for ch in amount):
            growth = ("+" if trend.per_minute > 0 else "-") + f"{amount}/min"
        else:
            heading = "flat"  # rounds to nothing: never "rising +0ms/min"
    style = "bold $severity-warning" if heading == "up" else "dim"
    return Content.assemble(
        f"  {label:<16}", (f"{value:>10}", "bold"), "  ", (ARROWS[heading], style),
        (f" {growth}" if growth else "", style),
    )  # fmt: skip


def metrics_lines(report: MetricsReport) -> list[Content]:
    """The Go metrics block, with the last scrape error if any."""
    lines = [Content.assemble(("Go metrics", "bold"), ("  /metrics", "dim"))]
    if report.error:
        stale = f"  ({report.stale})" if report.stale else ""
        lines.append(Content.assemble(("✗ ", "bold $severity-critical"), report.error, stale))
    if report.restarted:
        lines.append(Content.assemble(("↻ ", "bold $severity-warning"), report.restarted))
    if report.latest is None and not report.error:
        lines.append(Content("  waiting for the first scrape…"))
    for trend in report.trends.values():
        if trend.latest is not None:
            lines.append(trend_line(trend))
    return lines
