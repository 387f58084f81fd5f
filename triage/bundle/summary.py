"""What a bundle is, in lines a person reads: its manifest, probes and metrics, and
what is missing. The app's health pane shows these for a bundle; ``triage analyze``
prints the first line and the missing parts as notes. Pure: no I/O.
"""

from __future__ import annotations

import json
from typing import Any

from triage.bundle.archive import Bundle

#: the metrics worth a line in an incident (Go runtime and process), if present
KEY_METRICS = (
    "go_goroutines",
    "go_threads",
    "go_memstats_heap_alloc_bytes",
    "go_memstats_sys_bytes",
    "process_resident_memory_bytes",
    "process_open_fds",
    "go_gc_duration_seconds_count",
)
#: files a complete bundle holds, and what each is, for "missing" lines
EXPECTED = {
    "crash/crash.log": "the crash (previous log or termination message)",
    "findings.json": "the findings",
    "events.yaml": "events",
    "pprof/cpu.pb.gz": "the CPU profile",
    "pprof/heap.pb.gz": "the heap profile",
    "metrics.txt": "the metrics snapshot",
}


def headline(manifest: dict[str, Any]) -> str:
    """``bundle of pod/x (deployment/api) in shop on prod, 2026-12-05T10:16:12Z by alice``."""
    target, pod = manifest.get("target", "?"), manifest.get("pod", "?")
    what = f"pod/{pod}" if target == f"pod/{pod}" else f"pod/{pod} ({target})"
    return (
        f"bundle of {what} in {manifest.get('namespace', '?')} on context "
        f"{manifest.get('context', '?')}, taken {manifest.get('created_at', '?')} by "
        f"{manifest.get('by', '?')} (triage {manifest.get('triage_version', '?')})"
    )


def missing(bundle: Bundle) -> list[str]:
    """One line per part the bundle lacks: why, when the manifest says, else just what."""
    lines = [f"not collected: {f.get('part')}: {f.get('reason')}" for f in _failed(bundle)]
    has_dump = any(p.startswith("pprof/goroutine") for p in bundle.files)
    if not has_dump and not any(
        str(f.get("part")) in ("live", "goroutines") for f in _failed(bundle)
    ):
        lines.append("missing: the goroutine dump")
    said = {str(f.get("part")) for f in _failed(bundle)}
    for path, what in EXPECTED.items():
        if path not in bundle.files and not said & {"live", "crash", *_parts_of(path)}:
            lines.append(f"missing: {what} ({path})")
    return lines


def lines(bundle: Bundle) -> list[str]:
    """The manifest, probe answers and key metrics, then what is missing."""
    out = [headline(bundle.manifest)]
    live = bundle.manifest.get("live_pod")
    if live:
        out.append(f"live data (dump, profiles, metrics) from pod/{live}")
    health = _json(bundle.files.get("health.json"))
    if isinstance(health, list) and health:
        out.append("")
        out.append("Probes when the bundle was taken:")
        for check in health:
            if isinstance(check, dict):
                mark = "✓ ok     " if check.get("ok") else "✗ FAILING"
                out.append(
                    f"  {mark} {check.get('check')}: {check.get('status')} {check.get('detail')}"
                )
    metrics = metric_values(bundle.files.get("metrics.txt") or b"")
    if metrics:
        out.append("")
        out.append("Metrics when the bundle was taken:")
        out.extend(f"  {name} {value}" for name, value in metrics)
    gone = missing(bundle)
    if gone:
        out.append("")
        out.extend(gone)
    return out


def metric_values(text: bytes) -> list[tuple[str, str]]:
    """The :data:`KEY_METRICS` samples of a Prometheus text page (unlabelled ones)."""
    found: dict[str, str] = {}
    for raw in text.decode("utf-8", "replace").splitlines():
        name, _, value = raw.partition(" ")
        if name in KEY_METRICS and name not in found:
            found[name] = value.strip()
    return [(n, found[n]) for n in KEY_METRICS if n in found]


def _failed(bundle: Bundle) -> list[dict[str, Any]]:
    failed = bundle.manifest.get("failed")
    return [f for f in failed if isinstance(f, dict)] if isinstance(failed, list) else []


def _parts_of(path: str) -> set[str]:
    """The manifest part names that cover ``path``."""
    return {
        "crash/crash.log": {"crash"},
        "findings.json": {"crash"},
        "events.yaml": {"events"},
        "pprof/cpu.pb.gz": {"cpu"},
        "pprof/heap.pb.gz": {"heap"},
        "metrics.txt": {"metrics"},
    }.get(path, set())


def _json(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None
