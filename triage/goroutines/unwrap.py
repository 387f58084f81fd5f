"""Undo framing that wraps the whole input before the dump scanner reads it.

Per-line prefixes (timestamps, ``app-1 | ``) are stripped by the scanner
around each dump; what is undone here applies to every line at once:

* text given as ``str`` is encoded back to bytes;
* CRLF line ends (logs copied from Windows machines and some CI systems);
* ``go test -json`` (test2json, as CI keeps it and gotestsum writes it): each
  line ``{"Action":"output",...,"Output":"goroutine 1 [running]:\\n"}`` stands
  for its ``Output`` text, so panics and race reports inside tests read like
  any other crash. Lines that are not test2json events are kept as they are.

Each step makes a copy, and the dumps found in it point at that copy
(:attr:`Dump.source_is_input` is False), never at the input's offsets.
"""

from __future__ import annotations

import json

from triage.sources import Buffer

_OUTPUT_MARK = b'"Action":"output"'
#: test2json is looked for in this much of the input (a full search would cost a
#: pass over every big dump); :func:`unwrap_test_json` still reads all of it
DETECT_WINDOW = 1 << 20


def encode_text(text: str) -> bytes:
    """Text as the bytes it was decoded from (``surrogateescape``); a lone surrogate of any
    other origin is kept as its three bytes, which read back as U+FFFD, never an error."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def unwrap(data: Buffer | str) -> tuple[Buffer, bool]:
    """The bytes to scan, and whether they are a copy rather than ``data`` itself."""
    copied = isinstance(data, str)
    buf: Buffer = encode_text(data) if isinstance(data, str) else data
    if buf[:65536].find(b"\r\n") >= 0:
        buf = bytes(buf).replace(b"\r\n", b"\n")
        copied = True
    if looks_like_test_json(buf):
        buf = unwrap_test_json(buf)
        copied = True
    return buf, copied


def looks_like_test_json(buf: Buffer, *, everywhere: bool = False) -> bool:
    """True when the input (its first MiB unless ``everywhere``) holds test2json output events."""
    return buf.find(_OUTPUT_MARK, 0, len(buf) if everywhere else DETECT_WINDOW) >= 0


def unwrap_test_json(buf: Buffer) -> bytes:
    """Replace every test2json line by its ``Output`` text; drop its other events."""
    out: list[bytes] = []
    pos = 0
    size = len(buf)
    while pos < size:
        nl = buf.find(b"\n", pos)
        end = size if nl < 0 else nl + 1
        line = bytes(buf[pos:end])
        pos = end
        brace = line.find(b'{"')
        if brace < 0 or b'"Action":' not in line:
            out.append(line)
            continue
        event = _event(line[brace:])
        if event is None:
            out.append(line)
            continue
        text = event.get("Output")
        if event.get("Action") == "output" and isinstance(text, str):
            out.append(text.encode("utf-8", "surrogatepass"))
    return b"".join(out)


def _event(text: bytes) -> dict[str, object] | None:
    """The test2json event on a line, or None if it is not one."""
    try:
        event = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return event if isinstance(event, dict) and "Action" in event else None
