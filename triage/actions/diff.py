"""Before/after diffs of objects (YAML, unified); highlighting is the UI's business."""

from __future__ import annotations

import copy
import difflib
from typing import Any

from triage.actions.model import JSON

#: fields that change on every write and say nothing about the change
_NOISE = ("managedFields", "resourceVersion", "generation")


def clean(obj: JSON) -> JSON:
    """The object without bookkeeping fields (managedFields, resourceVersion, generation)."""
    out = copy.deepcopy(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in _NOISE:
            meta.pop(key, None)
    return out


def to_yaml(obj: Any) -> str:
    """Block YAML with keys in the object's order, as kubectl prints it."""
    import yaml  # type: ignore[import-untyped]

    return str(yaml.safe_dump(obj, default_flow_style=False, sort_keys=False, width=100))


def unified(before: JSON, after: JSON, title: str) -> str:
    """A unified diff of two objects as YAML ("" when equal apart from bookkeeping)."""
    old = to_yaml(clean(before)).splitlines(keepends=True)
    new = to_yaml(clean(after)).splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"{title} (live)", f"{title} (after, server dry run)")
    return "".join(lines)
