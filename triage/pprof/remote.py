"""Fetching profiles over HTTP, with progress while the server collects.

``/debug/pprof/profile?seconds=N`` (and any endpoint given ``seconds=N``, which
makes Go collect a delta profile) answers only after N seconds, so the HTTP
timeout is extended by N and the caller is told every second how far along the
collection is. A bare ``http://host:port`` means the CPU profile, as it does
for ``go tool pprof``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from triage.sources import DEFAULT_TIMEOUT, Payload, fetch

if TYPE_CHECKING:
    from triage.pprof.model import Profile

DEFAULT_SECONDS = 30
CPU_PATH = "/debug/pprof/profile"

Progress = Callable[[int, int], None]


def resolve(url: str, seconds: int | None = None) -> tuple[str, int]:
    """The URL to fetch and how many seconds the server will collect for (0: none).

    ``http://host:port`` and ``http://host:port/`` become the CPU profile;
    ``seconds`` (when given) sets or replaces the ``seconds`` query parameter.
    Go's CPU endpoint collects 30 s when no ``seconds`` is given.
    """
    parts = urlsplit(url)
    path = parts.path
    if path in ("", "/"):
        path = CPU_PATH
    query = parse_qs(parts.query, keep_blank_values=True)
    if seconds is not None:
        query["seconds"] = [str(seconds)]
    collect = 0
    if "seconds" in query:
        try:
            collect = max(0, int(float(query["seconds"][-1])))
        except ValueError:
            collect = 0
    elif path.rstrip("/").endswith(CPU_PATH):
        collect = DEFAULT_SECONDS
    text = urlencode(query, doseq=True)
    return urlunsplit((parts.scheme, parts.netloc, path, text, parts.fragment)), collect


def kind_of(url: str) -> str:
    """A word for what is being collected, from the endpoint's last path element."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return "CPU" if last == "profile" else last or "CPU"


def fetch_profile(
    url: str,
    *,
    seconds: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Payload:
    """GET ``url``; while waiting, call ``progress(elapsed, seconds)`` about once a second.

    The last call, ``progress(seconds, seconds)``, comes once the body is in.
    """
    if not seconds or progress is None:
        return fetch(url, timeout=timeout + seconds)
    result: list[Payload] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fetch(url, timeout=timeout + seconds))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=run, name="triage-fetch", daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        # Never claim N/N before the answer is in: a server may take a little longer.
        progress(min(int(time.monotonic() - started), seconds - 1), seconds)
        worker.join(1.0)
    if failure:
        raise failure[0]
    progress(seconds, seconds)
    return result[0]


def load_profile(
    spec: str,
    *,
    seconds: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Profile:
    """Read and decode a profile from a path, ``-`` (stdin) or a URL."""
    from triage.pprof.decode import decode
    from triage.sources import is_url, load

    if is_url(spec):
        url, collect = resolve(spec, seconds)
        payload = fetch_profile(url, seconds=collect, timeout=timeout, progress=progress)
    else:
        payload = load(spec)
    with payload:
        return decode(payload.data, spec)
