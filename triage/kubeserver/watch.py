"""Watch streams: one ``{"type","object"}`` JSON line per chunk, as the real server frames them.

A watch starts from a resourceVersion: unset or ``"0"`` sends the current
objects as ADDED first; a number resumes after it, or, when that version has
been compacted away, sends a single ERROR event carrying a 410 ``Expired``
Status and ends (HTTP status stays 200). With ``allowWatchBookmarks`` a
BOOKMARK (an empty object holding only ``metadata.resourceVersion``) is sent
every ``bookmark_interval`` seconds; ``sendInitialEvents`` ends its initial
ADDED burst with a bookmark annotated ``k8s.io/initial-events-end``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from triage.kubeserver.resources import ResourceType
from triage.kubeserver.selectors import Matcher
from triage.kubeserver.status import ApiError, expired
from triage.kubeserver.store import ADDED, DELETED, MODIFIED, Event, Store, Stored

JSON = dict[str, Any]
Render = Callable[[Stored], bytes]

DEFAULT_TIMEOUT = 1800.0

# What the real server puts in a bookmark besides metadata: the zero value of
# each kind's spec/status as Go serialises it.
_BLANK: dict[str, JSON] = {
    "Pod": {"spec": {"containers": None}, "status": {}},
    "Deployment": {
        "spec": {
            "selector": None,
            "template": {"metadata": {"creationTimestamp": None}, "spec": {"containers": None}},
            "strategy": {},
        },
        "status": {},
    },
    "ReplicaSet": {
        "spec": {
            "selector": None,
            "template": {"metadata": {"creationTimestamp": None}, "spec": {"containers": None}},
        },
        "status": {"replicas": 0},
    },
    "Node": {
        "spec": {},
        "status": {"daemonEndpoints": {"kubeletEndpoint": {"Port": 0}}, "nodeInfo": {}},
    },
    "Namespace": {"spec": {}, "status": {}},
}


@dataclass(frozen=True)
class WatchSpec:
    """What one watch request asked for."""

    rtype: ResourceType
    namespace: str | None
    labels: Matcher | None
    fields: Matcher | None
    resource_version: str
    bookmarks: bool
    initial_events: bool
    timeout: float
    bookmark_interval: float


def _line(etype: str, obj: bytes) -> bytes:
    return b'{"type":"' + etype.encode() + b'","object":' + obj + b"}\n"


def _bookmark(rtype: ResourceType, rv: int, initial_end: bool) -> bytes:
    meta: JSON = {"resourceVersion": str(rv), "creationTimestamp": None}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    obj: JSON = {"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": meta}
    obj.update(_BLANK.get(rtype.kind, {}))
    return _line("BOOKMARK", json.dumps(obj, separators=(",", ":")).encode())


def _error(err: ApiError) -> bytes:
    return _line("ERROR", json.dumps(err.status(), separators=(",", ":")).encode())


class _Filter:
    """Namespace, label and field filtering, with the real server's transitions."""

    def __init__(self, spec: WatchSpec) -> None:
        self.spec = spec

    def matches(self, stored: Stored) -> bool:
        spec = self.spec
        if spec.namespace is not None and stored.key[0] != spec.namespace:
            return False
        if spec.labels is not None and not spec.labels(stored.obj):
            return False
        return spec.fields is None or spec.fields(stored.obj)

    def translate(self, event: Event) -> str | None:
        """The event type this watcher sees, or None to skip the event."""
        if event.stored.bucket != self.spec.rtype.store_key:
            return None
        now = self.matches(event.stored)
        before = event.previous is not None and self.matches(event.previous)
        if event.type == MODIFIED:
            if now and before:
                return MODIFIED
            if now:
                return ADDED
            return DELETED if before else None
        if event.type == DELETED:
            return DELETED if now or before else None
        return ADDED if now else None


def _start(store: Store, spec: WatchSpec, render: Render) -> tuple[int | None, list[bytes], int]:
    """Initial lines and the log position to continue from (None = too old)."""
    filt = _Filter(spec)
    rv_text = spec.resource_version
    with store.cond:
        if rv_text in ("", "0") or spec.initial_events:
            rv, items = store.snapshot(spec.rtype.store_key, spec.namespace)
            lines = [_line(ADDED, render(s)) for s in items if filt.matches(s)]
            if spec.initial_events and spec.bookmarks:
                lines.append(_bookmark(spec.rtype, rv, True))
            return store.log_position(rv), lines, rv
        since = int(rv_text)
        position = store.log_position(since)
        if position is None:
            oldest = store.oldest_rv
            return None, [_error(expired(f"too old resource version: {since} ({oldest})"))], since
        return position, [], since


def stream(
    store: Store, spec: WatchSpec, render: Render, alive: Callable[[], bool]
) -> Iterator[bytes]:
    """The chunks of one watch response, until timeout, disconnect or shutdown."""
    position, lines, last_rv = _start(store, spec, render)
    yield from lines
    if position is None:
        return
    filt = _Filter(spec)
    deadline = time.monotonic() + spec.timeout
    next_bookmark = time.monotonic() + spec.bookmark_interval
    while alive():
        now = time.monotonic()
        if now >= deadline:
            return
        if spec.bookmarks and now >= next_bookmark:
            yield _bookmark(spec.rtype, last_rv, False)
            next_bookmark = now + spec.bookmark_interval
        wait = min(deadline, next_bookmark if spec.bookmarks else deadline) - now
        got = store.read_log(position, max(0.0, min(wait, 0.5)))
        if got is None:
            if not store.closed:
                yield _error(expired(f"too old resource version: {last_rv} ({store.oldest_rv})"))
            return
        position, events = got
        for event in events:
            last_rv = event.stored.rv
            seen = filt.translate(event)
            if seen is not None:
                yield _line(seen, render(event.stored))
