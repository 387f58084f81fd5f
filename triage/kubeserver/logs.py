"""Container logs as the kubelet serves them through the API server.

Each container of a pod has a current log and, after a restart, the previous
container's log. Lines carry a nanosecond timestamp so ``timestamps=true``
prefixes them the way the kubelet does (RFC3339 with 9 fixed fraction digits
and a space). ``follow`` readers wait on a condition for appended lines.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from triage.kubeserver.status import bad_request

LogKey = tuple[str, str, str]  # namespace, pod, container


@dataclass
class ContainerLog:
    """One container's log: (unix-nanosecond, line-with-newline) pairs."""

    lines: list[tuple[int, str]] = field(default_factory=list)


def _stamp(ns: int) -> str:
    seconds, nanos = divmod(ns, 1_000_000_000)
    base = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{nanos:09d}Z"


def _split(text: str) -> list[str]:
    """Lines keeping their newline; a final partial line stays as written."""
    return text.splitlines(keepends=True)


@dataclass(frozen=True)
class LogQuery:
    """The log options of one request, already validated."""

    previous: bool = False
    tail_lines: int | None = None
    timestamps: bool = False
    limit_bytes: int | None = None
    follow: bool = False
    since_ns: int | None = None  # only lines written at or after this unix time (ns)


class LogBook:
    """Current and previous logs of every container, with follow notification."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._current: dict[LogKey, ContainerLog] = {}
        self._previous: dict[LogKey, ContainerLog] = {}
        self.closed = False

    def write(
        self, key: LogKey, text: str, previous: bool = False, at_ns: int | None = None
    ) -> None:
        """Append ``text`` to a container's current (or previous) log."""
        stamp = at_ns if at_ns is not None else time.time_ns()
        with self._cond:
            book = self._previous if previous else self._current
            log = book.setdefault(key, ContainerLog())
            log.lines.extend((stamp, line) for line in _split(text))
            self._cond.notify_all()

    def restart(self, key: LogKey) -> None:
        """The container restarted: its current log becomes the previous one."""
        with self._cond:
            self._previous[key] = self._current.pop(key, ContainerLog())
            self._cond.notify_all()

    def has_previous(self, key: LogKey) -> bool:
        """True when a previous terminated container's log exists."""
        with self._cond:
            return key in self._previous

    def forget(self, namespace: str, pod: str) -> None:
        """Drop every log of a deleted pod."""
        with self._cond:
            for book in (self._current, self._previous):
                for key in [k for k in book if k[0] == namespace and k[1] == pod]:
                    del book[key]

    def close(self) -> None:
        """End every follow (server shutdown)."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def read(self, key: LogKey, query: LogQuery, alive: Callable[[], bool]) -> Iterator[bytes]:
        """The chunks of a log answer; with ``follow``, new lines as they are written."""
        if query.previous and not self.has_previous(key):
            raise bad_request(
                f'previous terminated container "{key[2]}" in pod "{key[1]}" not found'
            )
        with self._cond:
            if query.previous:
                followed = self._previous.get(key, ContainerLog())
            else:
                followed = self._current.setdefault(key, ContainerLog())
            lines = list(followed.lines)
            sent = len(lines)
        if query.since_ns is not None:
            lines = [line for line in lines if line[0] >= query.since_ns]
        if query.tail_lines is not None:
            lines = lines[-query.tail_lines :] if query.tail_lines > 0 else []
        budget = query.limit_bytes
        chunk = self._render(lines, query.timestamps)
        chunk, budget = _clip(chunk, budget)
        if chunk:
            yield chunk
        if not query.follow or query.previous:
            return
        # Follow this container's log until it exits (a restart replaces the log), the
        # client goes or the server stops, as the kubelet ends a follow when the container dies.
        while budget is None or budget > 0:
            with self._cond:
                restarted = self._current.get(key) is not followed
                if len(followed.lines) <= sent and not (self.closed or restarted) and alive():
                    self._cond.wait(0.5)
                    restarted = self._current.get(key) is not followed
                if self.closed or not alive():
                    return
                fresh = followed.lines[sent:]
                sent = len(followed.lines)
            if fresh:
                chunk, budget = _clip(self._render(fresh, query.timestamps), budget)
                yield chunk
            if restarted:
                return

    @staticmethod
    def _render(lines: list[tuple[int, str]], timestamps: bool) -> bytes:
        if timestamps:
            return "".join(f"{_stamp(ns)} {text}" for ns, text in lines).encode()
        return "".join(text for _, text in lines).encode()


def _clip(chunk: bytes, budget: int | None) -> tuple[bytes, int | None]:
    """Cut a chunk to the remaining ``limitBytes`` budget."""
    if budget is None:
        return chunk, None
    chunk = chunk[:budget]
    return chunk, budget - len(chunk)


def parse_query(params: dict[str, str]) -> LogQuery:
    """Validate log parameters as the API server does (400 on bad numbers)."""

    def flag(name: str) -> bool:
        return params.get(name, "false").lower() in ("true", "1")

    def number(name: str) -> int | None:
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError as exc:
            raise bad_request(f'invalid value for {name}: "{raw}"') from exc

    if params.get("sinceSeconds") and params.get("sinceTime"):
        raise bad_request("at most one of sinceTime or sinceSeconds may be specified")
    since_ns: int | None = None
    seconds = number("sinceSeconds")
    if seconds is not None:
        if seconds < 1:
            raise bad_request("sinceSeconds must be greater than 0")
        since_ns = time.time_ns() - seconds * 1_000_000_000
    elif params.get("sinceTime"):
        try:
            moment = dt.datetime.fromisoformat(params["sinceTime"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise bad_request(f'invalid value for sinceTime: "{params["sinceTime"]}"') from exc
        since_ns = int(moment.timestamp() * 1_000_000_000)
    tail = number("tailLines")
    limit = number("limitBytes")
    if limit is not None and limit < 1:
        raise bad_request(
            f'PodLogOptions "" is invalid: limitBytes: Invalid value: {limit}: '
            "must be greater than 0"
        )
    return LogQuery(flag("previous"), tail, flag("timestamps"), limit, flag("follow"), since_ns)
