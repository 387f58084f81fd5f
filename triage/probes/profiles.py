"""Fetching profiles over HTTP, with progress while the server collects.

``/debug/pprof/profile?seconds=N`` (and any endpoint given ``seconds=N``, which
makes Go collect a delta profile) answers only after N seconds, so the HTTP
timeout is extended by N and the caller is told every second how far along the
collection is. Which URL and how long come from :mod:`triage.probes.endpoints`;
the pprof package only decodes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from triage.probes.endpoints import profile_url
from triage.sources import DEFAULT_TIMEOUT, Payload, fetch

if TYPE_CHECKING:
    from triage.pprof.model import Profile

Progress = Callable[[int, int], None]


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
        url, collect = profile_url(spec, seconds)
        payload = fetch_profile(url, seconds=collect, timeout=timeout, progress=progress)
    else:
        payload = load(spec)
    with payload:
        return decode(payload.data, spec)
