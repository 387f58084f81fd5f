"""The object store: one resourceVersion counter, immutable stored versions, a watch log.

Every write makes a new :class:`Stored` (the object dict is never mutated after
it is stored), bumps the global resourceVersion and appends an event to the
log that watches read from. Serialised JSON is cached on the stored version, so
a list of 5,000 pods joins cached bytes instead of re-encoding objects.
Readers take the lock only to snapshot references.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from triage.kubeserver.status import already_exists, conflict, not_found

JSON = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"


def now_rfc3339() -> str:
    """Second-precision UTC time, the format of creationTimestamp."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Stored:
    """One immutable version of an object, with its JSON encodings cached."""

    bucket: str
    obj: JSON  # without kind/apiVersion (lists omit them; views add them)
    rv: int
    _cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> Key:
        meta = self.obj["metadata"]
        return (meta.get("namespace", ""), meta["name"])

    def encoded(self, view: str, render: Callable[[JSON], JSON]) -> bytes:
        """JSON bytes of this version as ``view`` renders it, encoded once."""
        data = self._cache.get(view)
        if data is None:
            data = json.dumps(render(self.obj), separators=(",", ":")).encode()
            self._cache[view] = data
        return data


@dataclass(frozen=True)
class Event:
    """A change as the watch log records it: the new version and the one before."""

    type: str
    stored: Stored
    previous: Stored | None


class Store:
    """All objects of the fake cluster, guarded by one condition variable."""

    def __init__(self, history: int = 50_000) -> None:
        self.cond = threading.Condition(threading.RLock())
        self._rv = 1
        self._buckets: dict[str, dict[Key, Stored]] = {}
        self._log: list[Event] = []
        self._log_base = 0  # absolute index of self._log[0]
        # The oldest RV a watch may resume from: every later event is still in the log.
        self._oldest_rv = 1
        self._history = history
        self.closed = False

    # -- reading -------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        """The current (latest) resourceVersion."""
        with self.cond:
            return self._rv

    @property
    def oldest_rv(self) -> int:
        """The oldest RV a watch may start from (older ones are compacted away)."""
        with self.cond:
            return self._oldest_rv

    def get(self, bucket: str, key: Key) -> Stored | None:
        """The current version of one object, or None."""
        with self.cond:
            return self._buckets.get(bucket, {}).get(key)

    def snapshot(self, bucket: str, namespace: str | None) -> tuple[int, list[Stored]]:
        """Current RV and the objects of a bucket (one namespace or all), key-sorted."""
        with self.cond:
            items = self._buckets.get(bucket, {})
            if namespace is None:
                found = list(items.values())
            else:
                found = [s for k, s in items.items() if k[0] == namespace]
            rv = self._rv
        found.sort(key=lambda s: s.key)
        return rv, found

    def objects(self, bucket: str) -> list[JSON]:
        """Deep copies of every object of a bucket (for controllers and tests)."""
        _, found = self.snapshot(bucket, None)
        return [copy.deepcopy(s.obj) for s in found]

    # -- writing -------------------------------------------------------------

    def _append(self, etype: str, stored: Stored, previous: Stored | None) -> None:
        self._log.append(Event(etype, stored, previous))
        overflow = len(self._log) - self._history
        if overflow > 0:
            self._drop(overflow)
        self.cond.notify_all()

    def _drop(self, count: int) -> None:
        dropped = self._log[:count]
        del self._log[:count]
        self._log_base += count
        if dropped:
            self._oldest_rv = dropped[-1].stored.rv

    def compact(self) -> None:
        """Forget the watch history up to now, as etcd compaction does."""
        with self.cond:
            self._drop(len(self._log))
            self._oldest_rv = self._rv

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def create(self, bucket: str, obj: JSON, plural: str, group: str) -> Stored:
        """Store a new object: uid, resourceVersion and creationTimestamp are assigned."""
        with self.cond:
            meta = obj["metadata"]
            key = (meta.get("namespace", ""), meta["name"])
            if key in self._buckets.get(bucket, {}):
                raise already_exists(plural, meta["name"], group)
            rv = self._next_rv()
            meta.setdefault("uid", str(uuid.uuid4()))
            meta["resourceVersion"] = str(rv)
            meta.setdefault("creationTimestamp", now_rfc3339())
            stored = Stored(bucket, obj, rv)
            stored.encoded("", _same)  # encode at write time: lists then only join bytes
            self._buckets.setdefault(bucket, {})[key] = stored
            self._append(ADDED, stored, None)
            return stored

    def replace(
        self, bucket: str, obj: JSON, plural: str, group: str, expect_rv: str | None = None
    ) -> Stored:
        """Store a new version of an existing object; 409 on a stale resourceVersion."""
        with self.cond:
            meta = obj["metadata"]
            key = (meta.get("namespace", ""), meta["name"])
            current = self._buckets.get(bucket, {}).get(key)
            if current is None:
                raise not_found(plural, meta["name"], group)
            if expect_rv and expect_rv != str(current.rv):
                raise conflict(
                    plural,
                    meta["name"],
                    group,
                    "the object has been modified; please apply your changes "
                    "to the latest version and try again",
                )
            meta["uid"] = current.obj["metadata"]["uid"]
            meta["creationTimestamp"] = current.obj["metadata"]["creationTimestamp"]
            rv = self._next_rv()
            meta["resourceVersion"] = str(rv)
            stored = Stored(bucket, obj, rv)
            stored.encoded("", _same)  # encode at write time: lists then only join bytes
            self._buckets[bucket][key] = stored
            self._append(MODIFIED, stored, current)
            return stored

    def delete(self, bucket: str, key: Key, plural: str, group: str) -> Stored:
        """Remove an object; watchers see MODIFIED (deletionTimestamp) then DELETED."""
        with self.cond:
            current = self._buckets.get(bucket, {}).get(key)
            if current is None:
                raise not_found(plural, key[1], group)
            marked = copy.deepcopy(current.obj)
            marked["metadata"]["deletionTimestamp"] = now_rfc3339()
            marked["metadata"]["deletionGracePeriodSeconds"] = 0
            rv = self._next_rv()
            marked["metadata"]["resourceVersion"] = str(rv)
            terminating = Stored(bucket, marked, rv)
            self._append(MODIFIED, terminating, current)
            gone_rv = self._next_rv()
            final = copy.deepcopy(marked)
            final["metadata"]["resourceVersion"] = str(gone_rv)
            gone = Stored(bucket, final, gone_rv)
            del self._buckets[bucket][key]
            self._append(DELETED, gone, terminating)
            return gone

    # -- watching ------------------------------------------------------------

    def log_position(self, since_rv: int) -> int | None:
        """Absolute log index of the first event after ``since_rv``; None if compacted."""
        with self.cond:
            if since_rv < self._oldest_rv:
                return None
            index = bisect.bisect_right(self._log, since_rv, key=lambda e: e.stored.rv)
            return self._log_base + index

    def read_log(self, position: int, timeout: float) -> tuple[int, list[Event]] | None:
        """Events from ``position`` on, waiting up to ``timeout`` for one.

        Returns the new position and the events (possibly none after a timeout),
        or None when the position has been compacted away or the store closed.
        """
        with self.cond:
            if position < self._log_base or self.closed:
                return None
            end = self._log_base + len(self._log)
            if position >= end:
                self.cond.wait(timeout)
                if self.closed or position < self._log_base:
                    return None
                end = self._log_base + len(self._log)
            events = self._log[position - self._log_base : end - self._log_base]
            return end, events

    def close(self) -> None:
        """Wake and end every watch (server shutdown)."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()


def _same(obj: JSON) -> JSON:
    """The default view: the stored object as is."""
    return obj
