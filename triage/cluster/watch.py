"""List, then watch from the list's resourceVersion, and keep going (no kubernetes import).

The loop client-go's reflector runs, reduced to what a screen needs:

- list, remember each object and the list's ``resourceVersion``;
- watch from it with bookmarks; each event updates the store and the
  resourceVersion (a BOOKMARK only moves the resourceVersion);
- the server ends a watch after ``timeoutSeconds``: watch again from the last
  resourceVersion, nothing is lost;
- ``410 Gone``/``Expired`` (an ERROR event in a 200 stream, as a real API server
  sends it, or an HTTP 410): the resourceVersion is too old, list again;
- a transport failure: reconnect with backoff (0.5 s doubling to 10 s), the error
  reported to ``on_error`` so the status line can say so.

Updates reach ``on_update`` coalesced: a burst of 500 events becomes a few
batches (one per ``coalesce`` seconds), so a UI never handles 500 messages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage.cluster.apierrors import Gone
from triage.errors import BadInput, Forbidden, TriageError

if TYPE_CHECKING:
    from triage.cluster.client import KubeClient

JSON = dict[str, Any]
Key = tuple[str, str]
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 10.0)


@dataclass(slots=True)
class Batch:
    """Coalesced changes: events in order, or a whole new snapshot after a (re)list."""

    events: list[tuple[str, JSON]] = field(default_factory=list)
    snapshot: dict[Key, JSON] | None = None


def key_of(obj: JSON) -> Key:
    """``(namespace, name)`` of an object."""
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


class Expired(Exception):
    """The watch's resourceVersion is too old: list again."""


class ListWatch:
    """Keep ``store`` in step with the server and report coalesced changes."""

    def __init__(
        self,
        client: KubeClient,
        resource: str,
        namespace: str | None,
        on_update: Callable[[Batch], None],
        *,
        on_error: Callable[[str | None], None] | None = None,
        coalesce: float = 0.1,
        timeout_seconds: int = 300,
        label_selector: str | None = None,
        backoff: tuple[float, ...] = BACKOFF,
        resource_version: str = "",
    ) -> None:
        """``resource_version``: resume a watch from there instead of listing first
        (a screen reopened); too old, and the server's 410 makes us list."""
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.on_update = on_update
        self.on_error = on_error or (lambda _message: None)
        self.coalesce = coalesce
        self.timeout_seconds = timeout_seconds
        self.label_selector = label_selector
        self.backoff = backoff
        self.store: dict[Key, JSON] = {}
        self.resource_version = resource_version
        self.lists = 0
        self._pending = Batch()
        self._lock = threading.Lock()
        self._emit = threading.Lock()
        self._stop = threading.Event()
        self._stream: Iterable[JSON] | None = None

    def stop(self) -> None:
        """Make :meth:`run` return: the open watch is closed if it can be."""
        self._stop.set()
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def run(self) -> None:
        """Block until :meth:`stop`: list, watch, relist on 410, back off on failure.

        Forbidden and bad-input failures of the *list* end the loop (raised): no
        retry can fix them. Everything else is retried.
        """
        flusher = threading.Thread(target=self._flush_loop, name="triage watch flush", daemon=True)
        flusher.start()
        failures = 0
        need_list = not self.resource_version
        try:
            while not self._stop.is_set():
                try:
                    if need_list:
                        self._list()
                        need_list = False
                    self._watch_once()
                    failures = 0
                    self.on_error(None)
                except Expired:
                    need_list = True
                except (Forbidden, BadInput) as exc:
                    if need_list:
                        raise
                    self.on_error(exc.line())
                    need_list = True
                    failures += 1
                    self._stop.wait(self.backoff[min(failures, len(self.backoff)) - 1])
                except TriageError as exc:
                    failures += 1
                    delay = self.backoff[min(failures, len(self.backoff)) - 1]
                    self.on_error(f"{exc.line()} (retrying in {delay:g}s)")
                    self._stop.wait(delay)
        finally:
            self._stop.set()
            flusher.join(timeout=2)
            self._flush()

    def _list(self) -> None:
        items, rv = self.client.list(
            self.resource, self.namespace, label_selector=self.label_selector
        )
        store = {key_of(o): o for o in items}
        with self._lock:
            self.store = store
            self.resource_version = rv
            self.lists += 1
            self._pending = Batch(snapshot=dict(store))
        self._flush()

    def _watch_once(self) -> None:
        stream = self.client.watch(
            self.resource,
            self.namespace,
            self.resource_version,
            timeout_seconds=self.timeout_seconds,
            label_selector=self.label_selector,
        )
        self._stream = stream
        if self._stop.is_set():
            return
        try:
            for event in stream:
                self._apply(event)
                if self._stop.is_set():
                    return
        except Gone:
            raise Expired from None

    def _apply(self, event: JSON) -> None:
        kind = str(event.get("type") or "")
        obj = event.get("object") or {}
        if kind == "ERROR":
            if obj.get("code") == 410 or obj.get("reason") in ("Expired", "Gone"):
                raise Expired
            raise BadInput(f"watching {self.resource}: {obj.get('message') or 'watch error'}")
        rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
        with self._lock:
            if rv:
                self.resource_version = rv
            if kind == "BOOKMARK":
                return
            key = key_of(obj)
            if kind == "DELETED":
                self.store.pop(key, None)
            else:
                self.store[key] = obj
            if self._pending.snapshot is not None:
                self._pending.snapshot[key] = obj
                if kind == "DELETED":
                    del self._pending.snapshot[key]
            else:
                self._pending.events.append((kind, obj))

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.coalesce):
            self._flush()

    def _flush(self) -> None:
        with self._emit:  # batches reach the callback one at a time, in order
            with self._lock:
                batch = self._pending
                if not batch.events and batch.snapshot is None:
                    return
                self._pending = Batch()
            self.on_update(batch)


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    """Poll ``predicate`` until true or ``timeout`` (a helper for callers and tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
