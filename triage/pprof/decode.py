"""Decode gzipped or raw profile.proto bytes into a :class:`~triage.pprof.model.Profile`.

The protobuf runtime's C backend does the parsing. Samples are the bulk of a
large profile, and walking 300,000 Sample messages from Python costs seconds,
so they are parsed as raw bytes, joined with a ``location_id = 0`` marker after
each (id 0 is reserved by the format), and parsed once more as a single
``Columns`` message: two flat lists of ids and values, cut at the markers. The
protobuf rules that repeated fields concatenate and that packed and unpacked
encodings mix freely make this exact for any valid profile; a profile that
breaks the format is reported as bad input rather than guessed at.
"""

from __future__ import annotations

import zlib
from typing import Any

from triage.errors import BadInput
from triage.pprof.model import Function, Label, Line, Location, Mapping, Profile, ValueType
from triage.pprof.schema import message_class, protobuf_module
from triage.sources import Buffer, sniff

#: refuse to inflate a profile beyond this many bytes (a gzip bomb, or the wrong file)
MAX_PROFILE_BYTES = 2 << 30
#: ...or beyond this many times its gzipped size, once past RATIO_FLOOR (profiles
#: compress 2-10x; a gzip bomb about 1000x)
MAX_RATIO = 100
RATIO_FLOOR = 64 << 20
_MARKER = b"\x08\x00"  # field 1 (location_id), varint 0
_HINT = "give a pprof profile: a file from /debug/pprof/... or go test -cpuprofile"


def decode(data: Buffer, name: str = "profile", *, max_bytes: int = MAX_PROFILE_BYTES) -> Profile:
    """Decode a profile; raise BadInput with one line when the bytes are not one."""
    from triage.pprof.build import gc_paused

    with gc_paused():
        return _decode(data, name, max_bytes)


def _decode(data: Buffer, name: str, max_bytes: int) -> Profile:
    raw = inflate(data, name, max_bytes=max_bytes)
    shell = _parse_shell(raw)
    strings = list(shell.string_table) if shell is not None else []
    if shell is None or not strings or strings[0] != "" or not shell.sample_type:
        raise _not_a_profile(raw, name, data)
    text = _Strings(strings, name)
    sample_types = [ValueType(text[vt.type], text[vt.unit]) for vt in shell.sample_type]
    raw_samples: list[bytes] = list(shell.sample)
    stacks, values, used = _columns(raw_samples, len(sample_types), name)
    mappings = {m.id: _mapping(m, text) for m in shell.mapping}
    functions = {f.id: _function(f, text) for f in shell.function}
    locations = {loc.id: _location(loc, functions, mappings, name) for loc in shell.location}
    _check_locations(used, locations, name)
    period_type = None
    if shell.HasField("period_type"):
        period_type = ValueType(text[shell.period_type.type], text[shell.period_type.unit])
    return Profile(
        sample_types=sample_types,
        stacks=stacks,
        values=values,
        locations=locations,
        functions=functions,
        mappings=mappings,
        default_sample_type=text[shell.default_sample_type],
        period_type=period_type,
        period=shell.period,
        time_nanos=shell.time_nanos,
        duration_nanos=shell.duration_nanos,
        comments=[text[i] for i in shell.comment],
        drop_frames=text[shell.drop_frames],
        keep_frames=text[shell.keep_frames],
        doc_url=text[shell.doc_url],
        name=name,
        _label_reader=_LabelReader(raw_samples, text),
    )


def inflate(
    data: Buffer, name: str, *, max_bytes: int = MAX_PROFILE_BYTES, max_ratio: int = MAX_RATIO
) -> bytes | bytearray:
    """Gunzip ``data`` if it is gzip (every member), within the size and ratio limits.

    Inflated bytes go straight into one growing buffer (no list of pieces
    joined at the end, which held two copies at once), and inflation stops as
    soon as a limit is passed: a gzip bomb costs at most the limit in memory.
    """
    if bytes(data[:2]) != b"\x1f\x8b":
        if len(data) > max_bytes:
            raise _too_large(name, max_bytes)
        return bytes(data)
    limit = min(max_bytes, max(RATIO_FLOOR, max_ratio * len(data)))
    out = bytearray()
    rest = memoryview(data)
    while rest.nbytes:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        _inflate_member(inflater, rest, out, limit, name)
        if limit < len(out):
            raise _too_large(name, max_bytes) if limit == max_bytes else _bomb(name, max_ratio)
        rest = memoryview(inflater.unused_data)
        if rest.nbytes and bytes(rest[:2]) != b"\x1f\x8b":
            break  # trailing garbage after the last member, as gzip(1) tolerates
    return out


def _inflate_member(
    inflater: Any, chunk: memoryview, out: bytearray, limit: int, name: str
) -> None:
    """Inflate one gzip member into ``out``, stopping once ``out`` passes ``limit``."""
    try:
        while len(out) <= limit:
            piece = inflater.decompress(chunk, min(1 << 20, limit + 1 - len(out)))
            out += piece
            chunk = memoryview(inflater.unconsumed_tail)
            if inflater.eof or (not piece and not chunk.nbytes):
                break
    except zlib.error as exc:
        raise BadInput(f"{name}: corrupt gzip data ({exc})", "fetch the profile again") from None
    if len(out) <= limit and not inflater.eof:
        raise BadInput(
            f"{name}: truncated gzip data (the download or copy was cut short)",
            "fetch the profile again",
        )


def _bomb(name: str, ratio: int) -> BadInput:
    return BadInput(
        f"{name}: gzip data inflates more than {ratio} times its size, and past "
        f"{RATIO_FLOOR >> 20} MiB (a gzip bomb, or not a profile)",
        "profiles compress a few times at most: fetch the profile again",
    )


def _too_large(name: str, max_bytes: int) -> BadInput:
    return BadInput(
        f"{name}: profile larger than {max_bytes >> 20} MiB uncompressed",
        "collect a shorter or smaller profile (fewer seconds, a lower sampling rate)",
    )


def _parse(message: str, data: bytes, name: str, what: str) -> Any:
    """Parse one message of the profile; corrupt bytes are BadInput naming ``what``."""
    try:
        return message_class(message).FromString(data)
    except protobuf_module("google.protobuf.message").DecodeError:
        raise BadInput(
            f"{name}: corrupt profile ({what} data is not valid protobuf)",
            "fetch the profile again; if it keeps failing, the profiler wrote a broken file",
        ) from None


def _parse_shell(raw: bytes | bytearray) -> Any:
    """The parsed shell message, or None when the bytes are not valid protobuf."""
    try:
        return message_class("ProfileShell").FromString(raw)
    except protobuf_module("google.protobuf.message").DecodeError:
        return None


def _not_a_profile(raw: bytes | bytearray, name: str, original: Buffer) -> BadInput:
    """Say what the bytes look like (text, HTML, ...) since they are no profile.

    Only asked after parsing failed: a small raw profile can look like text.
    """
    kind = sniff(bytes(raw[:512]))
    looks = {"html": "an HTML page", "text": "text", "empty": "empty", "elf": "an executable"}
    phrase = looks.get(kind)
    if kind == "text" and raw.lstrip().startswith(b"goroutine "):
        phrase = "a goroutine dump in text (try `triage analyze`)"
    gz = bytes(original[:2]) == b"\x1f\x8b"
    if phrase is None:
        what = "is not a pprof profile (protobuf decoding failed)"
        if gz:
            what = "is gzip data that holds no pprof profile (protobuf decoding failed)"
    else:
        what = f"is gzip data holding {phrase}" if gz else f"is {phrase}"
        what += ", not a pprof profile"
    return BadInput(f"{name}: {what}", _HINT)


class _Strings:
    """string_table lookups that turn a bad index into BadInput."""

    def __init__(self, table: list[str], name: str) -> None:
        self.table = table
        self.name = name

    def __getitem__(self, index: int) -> str:
        try:
            if index < 0:
                raise IndexError(index)
            return self.table[index]
        except IndexError:
            raise BadInput(
                f"{self.name}: corrupt profile (string index {index} out of range)", _HINT
            ) from None


def _columns(
    samples: list[bytes], width: int, name: str
) -> tuple[list[tuple[int, ...]], list[int], set[int]]:
    """Every sample's location ids (as tuples), values (flat) and the set of ids used."""
    if not samples:
        return [], [], set()
    columns = _parse("Columns", _MARKER.join(samples) + _MARKER, name, "sample")
    ids: list[int] = list(columns.location_id)
    values: list[int] = list(columns.value)
    stacks: list[tuple[int, ...]] = []
    append = stacks.append
    find = ids.index
    start = 0
    try:
        while True:
            end = find(0, start)
            append(tuple(ids[start:end]))
            start = end + 1
    except ValueError:
        pass
    if len(stacks) != len(samples) or start != len(ids):
        raise BadInput(f"{name}: corrupt profile (a sample refers to location 0)", _HINT)
    if len(values) != width * len(samples):
        raise BadInput(
            f"{name}: corrupt profile (samples do not all have {width} values)",
            _HINT,
        )
    used = set(ids)
    used.discard(0)
    return stacks, values, used


def _mapping(m: Any, text: _Strings) -> Mapping:
    return Mapping(
        id=m.id,
        memory_start=m.memory_start,
        memory_limit=m.memory_limit,
        file_offset=m.file_offset,
        filename=text[m.filename],
        build_id=text[m.build_id],
        has_functions=m.has_functions,
        has_filenames=m.has_filenames,
        has_line_numbers=m.has_line_numbers,
        has_inline_frames=m.has_inline_frames,
    )


def _function(f: Any, text: _Strings) -> Function:
    return Function(
        id=f.id,
        name=text[f.name],
        system_name=text[f.system_name],
        filename=text[f.filename],
        start_line=f.start_line,
    )


def _location(
    loc: Any, functions: dict[int, Function], mappings: dict[int, Mapping], name: str
) -> Location:
    lines = []
    for line in loc.line:
        function = functions.get(line.function_id)
        if function is None:
            raise BadInput(
                f"{name}: corrupt profile (location {loc.id} names missing function "
                f"{line.function_id})",
                _HINT,
            )
        lines.append(Line(function, line.line, line.column))
    return Location(
        id=loc.id,
        address=loc.address,
        mapping=mappings.get(loc.mapping_id),
        lines=tuple(lines),
        is_folded=loc.is_folded,
    )


def _check_locations(used: set[int], locations: dict[int, Location], name: str) -> None:
    missing = used.difference(locations)
    if missing:
        raise BadInput(
            f"{name}: corrupt profile (samples refer to {len(missing)} missing locations, "
            f"e.g. {min(missing)})",
            _HINT,
        )


class _LabelReader:
    """Decode one sample's labels on demand from its raw bytes."""

    def __init__(self, samples: list[bytes], text: _Strings) -> None:
        self.samples = samples
        self.text = text

    def __call__(self, index: int) -> tuple[Label, ...]:
        """Sample ``index``'s labels; BadInput when its bytes turn out corrupt only now."""
        sample = _parse("Sample", self.samples[index], self.text.name, f"sample {index} label")
        text = self.text
        return tuple(
            Label(
                key=text[label.key],
                value=text[label.str],
                num=label.num if label.str == 0 else None,
                num_unit=text[label.num_unit],
            )
            for label in sample.label
        )
