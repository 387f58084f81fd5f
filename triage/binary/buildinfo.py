"""Go build information from the ``.go.buildinfo`` blob, as ``go version -m`` reads it.

The linker writes a 32-byte header (``\\xff Go buildinf:``, pointer size, flags)
followed, since Go 1.18, by the toolchain version and the module info as two
uvarint-length-prefixed strings; before 1.18 the header held two pointers to Go
string headers instead. The module info is the text of ``debug.BuildInfo.String``
framed by two 16-byte sentinels. Layout read from the Go source,
``src/debug/buildinfo/buildinfo.go`` and ``src/runtime/debug/mod.go``.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from triage.binary.elf import PF_W, ElfImage
from triage.binary.goquote import quoted_prefix, unquote
from triage.errors import BadInput

MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
ALIGN = 16
FLAG_BIG_ENDIAN = 0x1
FLAG_INLINE = 0x2


class Module(NamedTuple):
    """A module line (``mod``/``dep``), with its ``=>`` replacement if any."""

    path: str
    version: str
    sum: str = ""
    replace: Module | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON shape: path, version, sum, and replace (null or {path, version, sum})."""
        rep = self.replace
        return {
            "path": self.path,
            "version": self.version,
            "sum": self.sum,
            "replace": {"path": rep.path, "version": rep.version, "sum": rep.sum} if rep else None,
        }


class BuildSetting(NamedTuple):
    """A ``build`` line: ``raw_*`` exactly as printed, ``key``/``value`` unquoted."""

    key: str
    value: str
    raw_key: str
    raw_value: str


class BuildInfo(NamedTuple):
    """What ``go version -m`` prints about a binary."""

    go_version: str
    path: str = ""
    main: Module | None = None
    deps: tuple[Module, ...] = ()
    settings: tuple[BuildSetting, ...] = ()

    def setting(self, key: str) -> str | None:
        """The unquoted value of build setting ``key`` (e.g. ``vcs.revision``), or None."""
        for s in self.settings:
            if s.key == key:
                return s.value
        return None

    def lines(self) -> list[str]:
        """The tab-separated lines ``go version -m`` prints under the file name."""
        out: list[str] = []
        if self.path:
            out.append(f"path\t{self.path}")
        if self.main is not None:
            out.extend(_module_lines("mod", self.main))
        for dep in self.deps:
            out.extend(_module_lines("dep", dep))
        out.extend(f"build\t{s.raw_key}={s.raw_value}" for s in self.settings)
        return out


def _module_lines(word: str, mod: Module) -> list[str]:
    if mod.replace is None:
        return [f"{word}\t{mod.path}\t{mod.version}\t{mod.sum}"]
    rep = mod.replace
    # debug.BuildInfo.String ends a replacement with an extra newline, so
    # `go version -m` prints an empty line after it; so do we.
    return [
        f"{word}\t{mod.path}\t{mod.version}",
        f"=>\t{rep.path}\t{rep.version}\t{rep.sum}",
        "",
    ]


def read_build_info(image: ElfImage) -> BuildInfo:
    """Find and decode the build info blob; BadInput when the file is not a Go binary."""
    blob = find_blob(image)
    if blob is None:
        raise BadInput(
            f"{image.name}: not a Go binary (no Go build info in it)",
            "give the service's Go executable (check with `file`)",
        )
    if len(blob) < HEADER_SIZE:
        raise _corrupt(image, "header cut short")
    flags = blob[15]
    if flags & FLAG_INLINE:
        version, rest = _uvarint_string(image, blob, HEADER_SIZE)
        modinfo, _ = _uvarint_string(image, blob, rest)
    else:
        version, modinfo = _pointer_strings(image, blob, flags)
    if not version:
        raise _corrupt(image, "empty Go version")
    # strip the 16-byte sentinels cmd/go puts around the module info
    modinfo = modinfo[16:-16] if len(modinfo) >= 33 and modinfo[-17] == "\n" else ""
    return parse_modinfo(image.name, version, modinfo)


def _corrupt(image: ElfImage, why: str) -> BadInput:
    return BadInput(
        f"{image.name}: corrupt Go build info ({why})",
        "copy the binary again; `go version -m` on it should agree",
    )


def find_blob(image: ElfImage) -> memoryview | None:
    """The blob from the ``.go.buildinfo`` section, else a search of writable segments."""
    data = image.section_data(".go.buildinfo")
    if data is not None:
        return data if bytes(data[: len(MAGIC)]) == MAGIC else None
    for seg in image.segments:
        if not seg.flags & PF_W:
            continue
        view = image.view_at(seg.vaddr)
        if view is None:
            continue
        pos = _aligned_find(bytes(view[: min(len(view), 1 << 22)]), seg.vaddr)
        if pos >= 0:
            return view[pos:]
    return None


def _aligned_find(data: bytes, base: int) -> int:
    start = 0
    while True:
        i = data.find(MAGIC, start)
        if i < 0 or (base + i) % ALIGN == 0:
            return i
        start = i + 1


def _uvarint_string(image: ElfImage, blob: memoryview, pos: int) -> tuple[str, int]:
    length = shift = 0
    while True:
        if pos >= len(blob) or shift > 63:
            raise _corrupt(image, "string length runs past the section")
        b = blob[pos]
        pos += 1
        length |= (b & 0x7F) << shift
        if b < 0x80:
            break
        shift += 7
    if pos + length > len(blob):
        raise _corrupt(image, "string runs past the section")
    return bytes(blob[pos : pos + length]).decode("utf-8", "replace"), pos + length


def _pointer_strings(image: ElfImage, blob: memoryview, flags: int) -> tuple[str, str]:
    """Go < 1.18: the header holds pointers to the version and modinfo string headers."""
    ptr = blob[14]
    if ptr not in (4, 8):
        raise _corrupt(image, f"pointer size {ptr}")
    order = ">" if flags & FLAG_BIG_ENDIAN else "<"
    fmt = order + ("Q" if ptr == 8 else "I")
    vers_ptr = struct.unpack_from(fmt, blob, 16)[0]
    mod_ptr = struct.unpack_from(fmt, blob, 16 + ptr)[0]
    return _go_string(image, fmt, ptr, vers_ptr), _go_string(image, fmt, ptr, mod_ptr)


def _go_string(image: ElfImage, fmt: str, ptr: int, addr: int) -> str:
    hdr = image.read(addr, 2 * ptr)
    if hdr is None:
        return ""
    data_addr = struct.unpack_from(fmt, hdr, 0)[0]
    length = struct.unpack_from(fmt, hdr, ptr)[0]
    data = image.read(data_addr, length) if length < (1 << 24) else None
    return data.decode("utf-8", "replace") if data is not None else ""


def parse_modinfo(name: str, go_version: str, text: str) -> BuildInfo:
    """Parse the module info text (the reverse of ``debug.BuildInfo.String``)."""
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[BuildSetting] = []
    last: str | None = None  # "main" or "dep": which module a "=>" line replaces
    for lineno, line in enumerate(text.split("\n")[:-1] if text else [], start=1):
        word, _, rest = line.partition("\t")
        try:
            if word == "path":
                path = rest
            elif word == "mod":
                main, last = _module(rest), "main"
            elif word == "dep":
                deps.append(_module(rest))
                last = "dep"
            elif word == "=>":
                rep = _replacement(rest)
                if last == "main" and main is not None:
                    main = Module(main.path, main.version, main.sum, rep)
                elif last == "dep":
                    d = deps[-1]
                    deps[-1] = Module(d.path, d.version, d.sum, rep)
                else:
                    raise ValueError("replacement with no module on the line before")
                last = None
            elif word == "build":
                settings.append(_setting(rest))
        except ValueError as exc:
            raise BadInput(
                f"{name}: corrupt Go build info (line {lineno}: {exc})",
                "`go version -m` on the binary should report the same",
            ) from None
    return BuildInfo(go_version, path, main, tuple(deps), tuple(settings))


def _module(rest: str) -> Module:
    elem = rest.split("\t")
    if len(elem) not in (2, 3):
        raise ValueError(f"expected 2 or 3 columns, got {len(elem)}")
    return Module(elem[0], elem[1], elem[2] if len(elem) == 3 else "")


def _replacement(rest: str) -> Module:
    elem = rest.split("\t")
    if len(elem) != 3:
        raise ValueError(f"expected 3 columns for a replacement, got {len(elem)}")
    return Module(elem[0], elem[1], elem[2])


def _setting(kv: str) -> BuildSetting:
    if not kv:
        raise ValueError("build line missing '='")
    if kv[0] in '"`':
        raw_key = quoted_prefix(kv)
        if len(raw_key) == len(kv) or kv[len(raw_key)] != "=":
            raise ValueError("build line missing '=' after quoted key")
        key, raw_value = unquote(raw_key), kv[len(raw_key) + 1 :]
    else:
        raw_key, sep, raw_value = kv.partition("=")
        if not sep or not raw_key:
            raise ValueError("build line missing key or '='")
        key = raw_key
    value = unquote(raw_value) if raw_value[:1] in ('"', "`") else raw_value
    return BuildSetting(key, value, raw_key, raw_value)
