"""Turn a target the user named (a file, stdin or a URL) into bytes.

Files up to 256 MiB are read; larger ones are memory-mapped, so a 2 GB log is
scanned in place rather than copied; stdin is spooled to a temporary file that
has no name on disk (nothing is left behind, whatever ends the process) and
handled the same way. URLs are fetched
with httpx. Every failure becomes a :class:`~triage.errors.TriageError` with one
line of text and the right exit code.
"""

from __future__ import annotations

import mmap
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from triage.errors import BadInput, Forbidden, TriageError, Unreachable
from triage.targets import (
    BundleTarget,
    FileTarget,
    KubeTarget,
    StdinTarget,
    Target,
    UrlTarget,
    cluster_unavailable,
    parse_target,
)

if TYPE_CHECKING:
    import httpx

Buffer = bytes | mmap.mmap

#: Files up to this size are read into memory (faster searching); larger ones are mapped.
MAP_THRESHOLD = 256 << 20
#: Refuse bodies larger than this from a URL (a debug=2 dump is cut at 64 MB by Go).
MAX_URL_BYTES = 1 << 30
DEFAULT_TIMEOUT = 10.0


@dataclass
class Payload:
    """Bytes from one source, with the name the user gave it."""

    name: str
    data: Buffer
    content_type: str = ""
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Release the mapping and any temporary file."""
        for close in reversed(self._closers):
            close()
        self._closers.clear()

    def __enter__(self) -> Payload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_url(spec: str) -> bool:
    """True when ``spec`` names an http(s) URL rather than a file."""
    return spec.startswith(("http://", "https://"))


def load(target: Target | str, *, timeout: float = DEFAULT_TIMEOUT) -> Payload:
    """Read a target (or a spelling of one) into a :class:`Payload`.

    Kubernetes references and bundles are not byte sources here: BadInput.
    """
    if isinstance(target, str):
        target = parse_target(target)
    if isinstance(target, StdinTarget):
        if target.spool_fd is not None:
            return _map(_open_spool(target.spool_fd), target.label, close_file=True)
        fd = spool_stdin().spool_fd
        assert fd is not None
        payload = _map(_open_spool(fd), target.label, close_file=True)
        os.close(fd)  # the mapping (or the bytes read) outlives the descriptor
        return payload
    if isinstance(target, UrlTarget):
        return fetch(target.url, timeout=timeout)
    if isinstance(target, FileTarget):
        return load_file(Path(target.path))
    if isinstance(target, BundleTarget):
        raise BadInput(  # a bundle holds many sources: triage.workspace.load_bundle reads it
            f"{target.label}: an incident bundle is not one dump or profile",
            f"triage open {target.label}",
        )
    raise cluster_unavailable(target, "open")


def spool_stdin(stream: IO[bytes] | None = None) -> StdinTarget:
    """Read all of stdin now, into a temporary file that has no name on disk.

    ``tempfile.TemporaryFile`` opens it nameless (O_TMPFILE, or unlinked at
    once where that is missing), so the copy vanishes with the process however
    it ends, kill -9 included. The returned target loads from it as often as
    needed (the preload child, a regrouping).
    """
    with tempfile.TemporaryFile(prefix="triage-stdin-") as spool:
        try:
            shutil.copyfileobj(stream or sys.stdin.buffer, spool, 1 << 20)
            spool.flush()
        except OSError as exc:
            raise BadInput(f"stdin: read failed ({exc.strerror})") from None
        return StdinTarget(spool_fd=os.dup(spool.fileno()))


def _open_spool(fd: int) -> IO[bytes]:
    """A reader of the stdin copy with its own file offset (not shared with other readers)."""
    try:
        return open(f"/proc/self/fd/{fd}", "rb")
    except OSError:
        fh = os.fdopen(os.dup(fd), "rb")
        fh.seek(0)
        return fh


def check_openable(target: Target) -> Target:
    """The target, ready to open, or BadInput saying in one line why it cannot be.

    Cheap checks only (open, size, the first bytes), made before the UI
    starts: a missing path, a directory, an empty file or binary garbage is
    refused at once instead of behind a full-screen app. Stdin is read to its
    end here (see :func:`spool_stdin`) and checked the same way. A text file
    that holds no dump is only found by parsing it; the workspace says so.
    """
    match target:
        case FileTarget(path=path):
            with open_input(path) as fh:
                head = fh.read(512)
            _check_head(path, head)
        case StdinTarget(spool_fd=None):
            target = spool_stdin()
            return check_openable(target)
        case StdinTarget(spool_fd=int(fd)):
            with _open_spool(fd) as fh:
                _check_head(target.label, fh.read(512))
        case BundleTarget():
            pass  # many members, each checked by triage.bundle.archive.read_bundle
        case KubeTarget() | UrlTarget():
            pass  # read by the workspace (a pod through the cluster), which reports failures
    return target


def _check_head(name: str, head: bytes) -> None:
    kind = sniff(head)
    raw_profile = kind == "binary" and head[:1] == b"\x0a"  # profile.proto starts with field 1
    if kind in ("empty", "html", "binary") and not raw_profile:
        raise describe_unreadable(name, head, "goroutine dump, pprof profile or Go binary")


def open_input(name: str, what: str = "a file") -> IO[bytes]:
    """Open ``name`` for reading; raise BadInput with one line saying why it cannot be.

    ``what`` names what a directory should have held ("the binary").
    """
    try:
        return open(name, "rb")
    except FileNotFoundError:
        raise BadInput(f"{name}: no such file", "check the path") from None
    except IsADirectoryError:
        raise BadInput(f"{name}: is a directory", f"name {what} inside it") from None
    except PermissionError:
        raise BadInput(f"{name}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise BadInput(f"{name}: cannot open ({exc.strerror})") from None


def load_file(path: Path) -> Payload:
    """Read (or, when large, map) ``path``; BadInput with a clear line when it cannot be."""
    name = str(path)
    return _map(open_input(name), name, close_file=True)


def _map(fh: IO[bytes], name: str, *, close_file: bool) -> Payload:
    closers: list[Callable[[], None]] = []
    if close_file:
        closers.append(fh.close)
    try:
        size = os.fstat(fh.fileno()).st_size
        if size <= MAP_THRESHOLD:
            data: Buffer = fh.read()
        else:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            mapped.madvise(mmap.MADV_SEQUENTIAL)  # read ahead: scanners go front to back
            closers.append(mapped.close)
            data = mapped
    except (OSError, ValueError):
        # Not mappable (a pipe, a special file): read it, the slow way.
        data = fh.read()
    return Payload(name=name, data=data, _closers=closers)


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_URL_BYTES,
    client: httpx.Client | None = None,
) -> Payload:
    """GET ``url`` and return its body; map every failure to one clear line."""
    import httpx

    own = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        with http.stream("GET", url, timeout=timeout) as resp:
            check_status(url, resp.status_code, resp.reason_phrase)
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise BadInput(
                        f"{url}: response larger than {max_bytes >> 20} MiB",
                        "fetch it to a file and open that",
                    )
                chunks.append(chunk)
            ctype = resp.headers.get("content-type", "")
    except TriageError:
        raise
    except Exception as exc:  # httpx raises many kinds; all mean "could not fetch"
        raise network_error(url, exc, timeout) from None
    finally:
        if own:
            http.close()
    return Payload(name=url, data=b"".join(chunks), content_type=ctype)


def check_status(url: str, status: int, reason: str = "") -> None:
    """Raise the right TriageError for a non-2xx HTTP status."""
    if status < 400:
        return
    what = f"{url}: HTTP {status} {reason}".rstrip()
    if status in (401, 403):
        raise Forbidden(what, "check credentials or RBAC for this endpoint")
    if status == 404:
        raise BadInput(what, "check the path (is net/http/pprof imported?)")
    if status < 500:
        raise BadInput(what, "check the URL and its query parameters")
    raise Unreachable(what, "the service failed to answer; retry or check its health")


def network_error(url: str, exc: BaseException, timeout: float) -> TriageError:
    """Describe an httpx transport failure in one line."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return Unreachable(
            f"{url}: no answer within {timeout:g}s", "check the endpoint or raise --timeout"
        )
    if isinstance(exc, httpx.ConnectError):
        reason = _root_reason(exc)
        return Unreachable(
            f"{url}: cannot connect ({reason})", "is the process running and the port forwarded?"
        )
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return BadInput(f"{url}: not a valid http(s) URL")
    if isinstance(exc, httpx.RemoteProtocolError):
        return Unreachable(f"{url}: the connection broke ({_root_reason(exc)})", "retry")
    if isinstance(exc, httpx.HTTPError):
        return Unreachable(f"{url}: request failed ({_root_reason(exc)})", "retry")
    return Unreachable(f"{url}: request failed ({type(exc).__name__}: {exc})", "retry")


def _root_reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if "refused" in low:
        return "connection refused"
    if "name or service not known" in low or "nodename nor servname" in low:
        return "unknown host"
    return text.splitlines()[0][:120]


def sniff(data: Buffer) -> str:
    """Guess what kind of bytes these are: gzip, elf, html, protobuf, text or binary."""
    head = bytes(data[:512])
    if not head:
        return "empty"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:4] == b"\x7fELF":
        return "elf"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 512-byte edge is still text.
        if exc.start < len(head) - 4:
            return "binary"
    return "text"


def describe_unreadable(name: str, data: Buffer, expected: str) -> BadInput:
    """A BadInput that says what the bytes look like instead of ``expected``.

    ``expected`` has no article: "goroutine dump", "pprof profile".
    """
    kind = sniff(data)
    looks: dict[str, str] = {
        "empty": "is empty",
        "html": "is an HTML page, not a " + expected,
        "binary": "is binary data, not a " + expected,
        "elf": "is an executable, not a " + expected + " (try `triage binary`)",
        "gzip": "is gzip data (a pprof profile?), not a " + expected + " (try `triage flame`)",
    }
    detail = looks.get(kind, "holds no " + expected)
    return BadInput(f"{name}: {detail}", _hint_for(kind, url="://" in name))


def _hint_for(kind: str, *, url: bool) -> str:
    if kind == "html" and not url:  # a page saved from a browser: there is no URL to check
        return "save the raw answer instead (curl -o FILE URL), or open the URL itself"
    if kind == "html":
        return "check the URL: the server sent a web page (login, proxy or error page)"
    if kind == "empty":
        return "capture the dump again (kubectl logs --previous, or SIGQUIT the process)"
    return "give a goroutine dump, a log containing a Go panic, or a pprof URL"
