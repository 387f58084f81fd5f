"""Just enough protobuf to read the review bodies kubectl sends.

``kubectl auth can-i`` and ``kubectl auth whoami`` POST
``application/vnd.kubernetes.protobuf`` bodies: the magic ``k8s\\0`` and a
``runtime.Unknown`` envelope whose ``raw`` field holds the object. We answer
JSON (kubectl accepts it) but must read these bodies. Field numbers come from
k8s.io/api generated.proto. Malformed input is a 400, never a crash.
"""

from __future__ import annotations

from typing import Any

from triage.kubeserver.status import bad_request

JSON = dict[str, Any]
MAGIC = b"k8s\x00"
Fields = dict[int, list[bytes | int]]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise bad_request("invalid protobuf body: truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def fields(data: bytes) -> Fields:
    """Top-level fields of a message: number -> values (bytes for length-delimited)."""
    out: Fields = {}
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        value: bytes | int
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise bad_request("invalid protobuf body: truncated field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == 1:
            value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
        elif wire == 5:
            value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
        else:
            raise bad_request(f"invalid protobuf body: wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _text(msg: Fields, number: int) -> str:
    values = msg.get(number)
    if not values or not isinstance(values[0], bytes):
        return ""
    try:
        return values[0].decode()
    except UnicodeDecodeError as exc:
        raise bad_request("invalid protobuf body: bad string") from exc


def _sub(msg: Fields, number: int) -> Fields | None:
    values = msg.get(number)
    if not values or not isinstance(values[0], bytes):
        return None
    return fields(values[0])


def unwrap(body: bytes) -> tuple[str, str, Fields]:
    """(apiVersion, kind, object fields) of a ``k8s\\0`` protobuf envelope."""
    if not body.startswith(MAGIC):
        raise bad_request("invalid protobuf body: missing k8s magic prefix")
    envelope = fields(body[len(MAGIC) :])
    type_meta = _sub(envelope, 1) or {}
    raw = envelope.get(2)
    obj = fields(raw[0]) if raw and isinstance(raw[0], bytes) else {}
    return _text(type_meta, 1), _text(type_meta, 2), obj


_RESOURCE_ATTRS = ("namespace", "verb", "group", "version", "resource", "subresource", "name")


def review_to_json(body: bytes) -> JSON:
    """A protobuf review (access, rules or self-subject) as its JSON equivalent."""
    api_version, kind, obj = unwrap(body)
    out: JSON = {"apiVersion": api_version, "kind": kind}
    if kind == "SelfSubjectAccessReview":
        spec = _sub(obj, 2) or {}
        json_spec: JSON = {}
        resource = _sub(spec, 1)
        if resource is not None:
            json_spec["resourceAttributes"] = {
                name: _text(resource, i) for i, name in enumerate(_RESOURCE_ATTRS, start=1)
            }
        non_resource = _sub(spec, 2)
        if non_resource is not None:
            json_spec["nonResourceAttributes"] = {
                "path": _text(non_resource, 1),
                "verb": _text(non_resource, 2),
            }
        out["spec"] = json_spec
    elif kind == "SelfSubjectRulesReview":
        spec = _sub(obj, 2) or {}
        out["spec"] = {"namespace": _text(spec, 1)}
    return out
