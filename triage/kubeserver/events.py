"""One event storage, two API shapes: core ``v1`` Event and ``events.k8s.io/v1``.

The real server stores events once and converts between the versions; so do
we. Core is the storage shape; the events.k8s.io view renames fields
(``involvedObject`` -> ``regarding``, ``message`` -> ``note``, ``source`` ->
``deprecatedSource``...). Field selectors are evaluated on the core shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

JSON = dict[str, Any]

# events.k8s.io/v1 field <- core v1 field
_RENAMES = (
    ("reportingController", "reportingComponent"),
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
)
_SAME = ("eventTime", "series", "reportingInstance", "action", "reason", "related", "type")

# The fields a core Event list/watch may select on (as the real server indexes them).
CORE_EVENT_FIELDS = frozenset(
    {
        "metadata.name",
        "metadata.namespace",
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    }
)
# events.k8s.io selectors use the new names; map them to the stored (core) ones.
NEW_TO_CORE_FIELDS = {
    "regarding.kind": "involvedObject.kind",
    "regarding.name": "involvedObject.name",
    "regarding.namespace": "involvedObject.namespace",
    "regarding.uid": "involvedObject.uid",
    "regarding.apiVersion": "involvedObject.apiVersion",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
}


def normalise_time(value: Any) -> Any:
    """Re-serialise an RFC3339 time the way Go does (``Z``, no ``+00:00``)."""
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    moment = moment.astimezone(dt.UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_events_v1(core: JSON) -> JSON:
    """The events.k8s.io/v1 view of a stored (core) event."""
    out: JSON = {"metadata": core["metadata"]}
    out["eventTime"] = core.get("eventTime")
    for new, old in _RENAMES:
        if old in core:
            out[new] = core[old]
    for name in _SAME[1:]:
        if name in core:
            out[name] = core[name]
    for optional in ("reportingInstance", "action"):
        if not out.get(optional):
            out.pop(optional, None)
    out.setdefault("deprecatedSource", {})
    out.setdefault("deprecatedFirstTimestamp", None)
    out.setdefault("deprecatedLastTimestamp", None)
    if out.get("deprecatedCount") in (0, None):
        out.pop("deprecatedCount", None)
    return out


def from_events_v1(new: JSON) -> JSON:
    """The core (storage) shape of an events.k8s.io/v1 event being created."""
    core: JSON = {"metadata": new.get("metadata", {})}
    for new_name, old in _RENAMES:
        if new_name in new:
            core[old] = new[new_name]
    for name in _SAME:
        if name in new:
            core[name] = new[name]
    core.setdefault("source", {})
    core.setdefault("firstTimestamp", None)
    core.setdefault("lastTimestamp", None)
    return normalise_core(core)


def normalise_core(core: JSON) -> JSON:
    """Defaults and time formats of a stored core event, as the server writes them."""
    for name in ("firstTimestamp", "lastTimestamp", "eventTime"):
        core[name] = normalise_time(core.get(name))
    core.setdefault("eventTime", None)
    core.setdefault("reportingComponent", "")
    core.setdefault("reportingInstance", "")
    core.pop("kind", None)
    core.pop("apiVersion", None)
    return core
