"""Reading API JSON defensively: a field of the wrong type reads as empty (pure).

The API server's objects are well formed, but a proxy, a mutating webhook or a
recorded file may not be, and bad input is normal input: ``obj`` and ``objs``
let the model read ``pod["status"]["containerStatuses"]`` without a type check
at every step.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def obj(value: object) -> JSON:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def objs(value: object) -> list[JSON]:
    """The JSON objects of a list (other items and non-lists are dropped)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def at(value: object, *path: str) -> JSON:
    """``obj(value[path[0]][path[1]]...)``, empty wherever a step is not an object."""
    out = obj(value)
    for key in path:
        out = obj(out.get(key))
    return out
