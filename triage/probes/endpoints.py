"""Every rule about a Go service's debug URLs, in one place.

What a user types (``127.0.0.1:6060``, ``http://h:6060/debug/pprof``, a full
endpoint URL) becomes the URL to fetch here, and only here: the pprof
endpoints and their collection times, the goroutine listing ``analyze``
reads, the health and metrics paths the live session polls, and whether an
address is a loopback port-forward (which must bypass proxy variables).
Pure string work: no HTTP, so both the CLI and the live session use it.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from triage.errors import BadInput

#: Go's pprof handler samples the CPU for 30 s when no ``seconds`` is given.
DEFAULT_CPU_SECONDS = 30
PPROF_PREFIX = "/debug/pprof"
CPU_PATH = PPROF_PREFIX + "/profile"
HEALTH_PATHS = ("/healthz", "/readyz", "/livez")
METRICS_PATH = "/metrics"
PROFILE_KINDS = ("profile", "heap", "allocs", "mutex", "block", "goroutine")


class Capability(StrEnum):
    """What a live target can give: a service's debug port gives all four, a pod maybe fewer."""

    GOROUTINES = "goroutines"
    HEALTH = "health"
    METRICS = "metrics"
    PROFILES = "profiles"


def normalize_base_url(spec: str) -> str:
    """``127.0.0.1:6060`` -> ``http://127.0.0.1:6060``; drop a trailing ``/debug/pprof``.

    Raises BadInput for anything that names no host or uses another scheme.
    """
    text = spec.strip()
    if not text:
        raise BadInput("no address given", "give host:port, e.g. 127.0.0.1:6060")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise BadInput(f"{spec}: not an http(s) address", "give host:port or http://host:port")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or (port is None and parts.netloc.endswith(":")):
        raise BadInput(f"{spec}: no valid host:port", "give host:port, e.g. 127.0.0.1:6060")
    path = parts.path.rstrip("/")
    path = path.removesuffix(PPROF_PREFIX).rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_loopback(base_url: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 (a ``kubectl port-forward``)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def slash(path: str) -> str:
    """``healthz`` -> ``/healthz`` (config files may name paths either way)."""
    return path if path.startswith("/") else "/" + path


def goroutine_path(debug: int) -> str:
    """``/debug/pprof/goroutine?debug=N``: 2 full stacks, 1 counted, 0 protobuf."""
    if debug not in (0, 1, 2):
        raise BadInput(f"debug={debug}: not a goroutine dump level", "use 0, 1 or 2")
    return f"{PPROF_PREFIX}/goroutine?debug={debug}"


def profile_path(kind: str, seconds: int | None = None) -> tuple[str, int]:
    """The path of a named profile and how long the server collects it (0: answers at once).

    ``seconds`` samples the CPU or makes Go take a delta profile.
    """
    if kind not in PROFILE_KINDS:
        raise BadInput(f"{kind}: not a pprof profile", "use one of " + ", ".join(PROFILE_KINDS))
    if seconds is not None and seconds <= 0:
        raise BadInput(f"seconds={seconds}: must be positive")
    path = f"{PPROF_PREFIX}/{kind}"
    if seconds is not None:
        return f"{path}?seconds={seconds}", seconds
    return path, DEFAULT_CPU_SECONDS if kind == "profile" else 0


def goroutine_url(url: str) -> str:
    """Expand a base pprof URL to the debug=2 goroutine listing (``triage analyze URL``)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path in ("", PPROF_PREFIX):
        path = PPROF_PREFIX + "/goroutine"
    query = parse_qs(parts.query)
    if path.endswith(("/goroutine", "/goroutineleak")) and "debug" not in query:
        query["debug"] = ["2"]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query, doseq=True), ""))


def profile_url(url: str, seconds: int | None = None) -> tuple[str, int]:
    """The URL to fetch for ``triage flame URL`` and how many seconds the server collects.

    ``http://host:port`` and ``http://host:port/`` become the CPU profile, as
    for ``go tool pprof``; ``seconds`` (when given) sets or replaces the
    ``seconds`` query parameter. Go's CPU endpoint collects
    :data:`DEFAULT_CPU_SECONDS` when no ``seconds`` is given.
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
        collect = DEFAULT_CPU_SECONDS
    text = urlencode(query, doseq=True)
    return urlunsplit((parts.scheme, parts.netloc, path, text, parts.fragment)), collect


def profile_label(url: str) -> str:
    """A word for what is being collected, from the endpoint's last path element."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return "CPU" if last == "profile" else last or "CPU"
