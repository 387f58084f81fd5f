"""The ``triage analyze`` outputs: the JSON document (a contract) and plain text.

JSON keys named in the issue are a contract for scripts: ``source``,
``goroutines``, ``crash`` {kind, message, goroutine, frame}, ``groups`` [{id,
count, state, states, wait_minutes {min, max}, frames, created_by}],
``findings`` [{rule, severity, summary, groups, goroutines}]. Everything else
here is an addition and may grow.
"""

from __future__ import annotations

from typing import Any

from triage.goroutines import Analysis, DumpAnalysis
from triage.goroutines.grouping import Group
from triage.goroutines.model import Crash, CreatedBy, Frame
from triage.goroutines.rules.crash import crash_frame, on_system_stack, system_stack_site

JSONDict = dict[str, Any]


def frame_json(frame: Frame | CreatedBy | None) -> JSONDict | None:
    """``{"func", "file", "line"}`` or None."""
    if frame is None:
        return None
    return {"func": frame.func, "file": frame.file, "line": frame.line}


def crash_json(item: DumpAnalysis) -> JSONDict | None:
    """The crash object of the contract, with added detail keys."""
    crash = item.dump.crash
    if crash is None:
        return None
    group = item.group_of(crash.goroutine)
    frame = crash_frame(crash, group.frames) if group is not None else None
    if group is None and on_system_stack(crash):
        frame = system_stack_site(crash)
    if crash.kind == "race" and crash.races and crash.races[0].accesses:
        from triage.goroutines.grouping import top_user_frame

        frames = crash.races[0].accesses[0].frames
        frame = top_user_frame(frames) or (frames[0] if frames else None)
    kind = crash.kind if crash.kind in ("panic", "fatal", "signal", "race") else "signal"
    out: JSONDict = {
        "kind": kind,
        "message": crash.message,
        "goroutine": crash.goroutine if kind != "signal" else None,
        "frame": frame_json(frame),
        "panics": [
            {"message": p.message, "recovered": p.recovered, "repanicked": p.repanicked}
            for p in crash.panics
        ],
        "fatal": crash.fatal,
        "signal": _signal_json(crash),
        "runtime": crash.runtime_lines,
        "runtime_stack": [frame_json(f) for f in crash.runtime_stack],
        "system_stacks": [
            {"m": s.m, "state": s.state, "frames": [frame_json(f) for f in s.frames]}
            for s in item.dump.system_stacks
        ],
    }
    if crash.exit_status is not None:
        out["exit_status"] = crash.exit_status
    return out


def _signal_json(crash: Crash) -> JSONDict | None:
    sig = crash.signal
    if sig is None:
        return None
    return {"name": sig.name, "code": sig.code, "addr": sig.addr, "pc": sig.pc}


def group_json(group: Group) -> JSONDict:
    """One group of the contract, with added keys."""
    top = group.top_frame
    return {
        "id": group.id,
        "count": group.count,
        "state": group.state,
        "states": group.states,
        "wait_minutes": {"min": group.wait_min, "max": group.wait_max},
        "frames": [frame_json(f) for f in group.frames],
        "created_by": frame_json(group.created_by),
        "top_frame": frame_json(top),
        "sample_ids": group.sample_ids,
        "labels": group.labels,
        "leaked": group.leaked,
        "locked_to_thread": group.locked,
    }


def dump_json(item: DumpAnalysis, source: str) -> JSONDict:
    """The contract document for one dump."""
    dump = item.dump
    return {
        "source": source,
        "goroutines": dump.goroutine_count,
        "crash": crash_json(item),
        "groups": [group_json(g) for g in item.groups],
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "summary": f.summary,
                "groups": f.groups,
                "goroutines": f.goroutines,
                "next_step": f.next_step,
                "details": f.details,
            }
            for f in item.findings
        ],
        "format": dump.format,
        "start_line": dump.start_line,
        "warnings": dump.warnings,
    }


def analysis_json(analysis: Analysis, source: str) -> JSONDict:
    """The primary dump's document, plus ``dumps`` listing every dump found."""
    primary = analysis.primary
    docs = [dump_json(d, source) for d in analysis.dumps]
    if primary is None:
        doc: JSONDict = {
            "source": source,
            "goroutines": 0,
            "crash": None,
            "groups": [],
            "findings": [],
        }
    else:
        doc = dict(docs[analysis.dumps.index(primary)])
    doc["dumps"] = docs
    return doc
