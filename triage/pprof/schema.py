"""The profile.proto schema, built at run time for protobuf's C (upb) backend.

No protoc is needed: the messages of ``profile.proto`` (kept beside this file
as the reference) are described here as a table, turned into a
FileDescriptorProto and loaded into a private descriptor pool. Parsing then runs
in C. Two messages are triage's own, for speed: ``ProfileShell`` is Profile with
its samples left as raw bytes, and ``Columns`` reads every sample's location ids
and values in one parse (see decode.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

PACKAGE = "perftools.profiles"

# (field name, number, type, repeated, message type name or "")
_Field = tuple[str, int, str, bool, str]

_MESSAGES: dict[str, list[_Field]] = {
    "Profile": [
        ("sample_type", 1, "message", True, "ValueType"),
        ("sample", 2, "message", True, "Sample"),
        ("mapping", 3, "message", True, "Mapping"),
        ("location", 4, "message", True, "Location"),
        ("function", 5, "message", True, "Function"),
        ("string_table", 6, "string", True, ""),
        ("drop_frames", 7, "int64", False, ""),
        ("keep_frames", 8, "int64", False, ""),
        ("time_nanos", 9, "int64", False, ""),
        ("duration_nanos", 10, "int64", False, ""),
        ("period_type", 11, "message", False, "ValueType"),
        ("period", 12, "int64", False, ""),
        ("comment", 13, "int64", True, ""),
        ("default_sample_type", 14, "int64", False, ""),
        ("doc_url", 15, "int64", False, ""),
    ],
    "ValueType": [("type", 1, "int64", False, ""), ("unit", 2, "int64", False, "")],
    "Sample": [
        ("location_id", 1, "uint64", True, ""),
        ("value", 2, "int64", True, ""),
        ("label", 3, "message", True, "Label"),
    ],
    "Label": [
        ("key", 1, "int64", False, ""),
        ("str", 2, "int64", False, ""),
        ("num", 3, "int64", False, ""),
        ("num_unit", 4, "int64", False, ""),
    ],
    "Mapping": [
        ("id", 1, "uint64", False, ""),
        ("memory_start", 2, "uint64", False, ""),
        ("memory_limit", 3, "uint64", False, ""),
        ("file_offset", 4, "uint64", False, ""),
        ("filename", 5, "int64", False, ""),
        ("build_id", 6, "int64", False, ""),
        ("has_functions", 7, "bool", False, ""),
        ("has_filenames", 8, "bool", False, ""),
        ("has_line_numbers", 9, "bool", False, ""),
        ("has_inline_frames", 10, "bool", False, ""),
    ],
    "Location": [
        ("id", 1, "uint64", False, ""),
        ("mapping_id", 2, "uint64", False, ""),
        ("address", 3, "uint64", False, ""),
        ("line", 4, "message", True, "Line"),
        ("is_folded", 5, "bool", False, ""),
    ],
    "Line": [
        ("function_id", 1, "uint64", False, ""),
        ("line", 2, "int64", False, ""),
        ("column", 3, "int64", False, ""),
    ],
    "Function": [
        ("id", 1, "uint64", False, ""),
        ("name", 2, "int64", False, ""),
        ("system_name", 3, "int64", False, ""),
        ("filename", 4, "int64", False, ""),
        ("start_line", 5, "int64", False, ""),
    ],
    "Columns": [("location_id", 1, "uint64", True, ""), ("value", 2, "int64", True, "")],
}


def _shell_fields() -> list[_Field]:
    """Profile with ``sample`` as raw bytes: decode.py splits samples itself."""
    return [
        ("sample", 2, "bytes", True, "") if f[0] == "sample" else f for f in _MESSAGES["Profile"]
    ]


def _unpacked_fields(name: str) -> list[_Field]:
    return list(_MESSAGES[name])


@cache
def _pool() -> Any:
    descriptor_pb2 = protobuf_module("google.protobuf.descriptor_pb2")
    descriptor_pool = protobuf_module("google.protobuf.descriptor_pool")
    fdp = descriptor_pb2.FieldDescriptorProto
    types = {
        "int64": fdp.TYPE_INT64,
        "uint64": fdp.TYPE_UINT64,
        "bool": fdp.TYPE_BOOL,
        "string": fdp.TYPE_STRING,
        "bytes": fdp.TYPE_BYTES,
        "message": fdp.TYPE_MESSAGE,
    }
    proto = descriptor_pb2.FileDescriptorProto(
        name="triage/pprof/profile.proto", package=PACKAGE, syntax="proto3"
    )
    messages = dict(_MESSAGES)
    messages["ProfileShell"] = _shell_fields()
    messages["UnpackedSample"] = _unpacked_fields("Sample")
    for name, fields in messages.items():
        message = proto.message_type.add(name=name)
        for field_name, number, kind, repeated, type_name in fields:
            field = message.field.add(
                name=field_name,
                number=number,
                type=types[kind],
                label=fdp.LABEL_REPEATED if repeated else fdp.LABEL_OPTIONAL,
            )
            if type_name:
                field.type_name = f".{PACKAGE}.{type_name}"
            if name == "UnpackedSample" and repeated and kind != "message":
                field.options.packed = False
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return pool


@cache
def message_class(name: str) -> Any:
    """The generated class of message ``name`` (e.g. "Profile", "Columns")."""
    message_factory = protobuf_module("google.protobuf.message_factory")
    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(f"{PACKAGE}.{name}"))


def backend() -> str:
    """Which protobuf implementation runs: "upb" (C) is expected and fastest."""
    return str(protobuf_module("google.protobuf.internal.api_implementation").Type())


def protobuf_module(name: str) -> Any:
    """Import a protobuf module untyped (the runtime ships no type stubs)."""
    import importlib

    return importlib.import_module(name)
