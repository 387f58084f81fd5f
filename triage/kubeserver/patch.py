"""The three patch formats a kube-apiserver accepts, for the fields triage touches.

- JSON patch (RFC 6902, ``application/json-patch+json``): add, remove, replace,
  move, copy, test. Any failure (a ``test`` that does not hold, a missing path)
  is the real server's generic 422.
- JSON merge patch (RFC 7386, ``application/merge-patch+json``): maps merge,
  ``null`` deletes, lists are replaced.
- Strategic merge patch (``application/strategic-merge-patch+json``): like a
  merge patch, but lists with a merge key (containers and env by ``name``,
  ports by ``containerPort``...) merge element by element, and the
  ``$patch: replace|delete`` and ``$setElementOrder`` directives are honoured.
"""

from __future__ import annotations

import copy
from typing import Any

from triage.kubeserver.status import ApiError

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# Lists that strategic merge patch merges by key, by field name (k8s.io/api patchMergeKey).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "ports": "containerPort",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
}


def rejected() -> ApiError:
    """The 422 a real server gives for a JSON patch that cannot be applied."""
    return ApiError(
        422, "Invalid", "the server rejected our request due to an error in our request", {}
    )


def unsupported(content_type: str) -> ApiError:
    """415 for a patch type the server does not take."""
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: "
        f"{JSON_PATCH}, {MERGE_PATCH}, {APPLY_PATCH}, {STRATEGIC_PATCH} (got {content_type!r})",
        {},
    )


# -- RFC 6902 ----------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise rejected()
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise rejected()
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise rejected()
    return index


def _parent(doc: Any, tokens: list[str]) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, False)]
        else:
            raise rejected()
    return node


def _get(doc: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, False)]
    raise rejected()


def _remove(doc: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        raise rejected()
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, False))
    raise rejected()


def _add(doc: Any, pointer: str, value: Any, replace: bool = False) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise rejected()
        parent[last] = value
    elif isinstance(parent, list):
        index = _index(parent, last, not replace)
        if replace:
            parent[index] = value
        else:
            parent.insert(index, value)
    else:
        raise rejected()
    return doc


def json_patch(doc: Any, ops: Any) -> Any:
    """Apply RFC 6902 operations to a copy of ``doc``."""
    if not isinstance(ops, list):
        raise rejected()
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "path" not in op:
            raise rejected()
        kind, path = op.get("op"), str(op["path"])
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "replace":
            doc = _add(doc, path, copy.deepcopy(op.get("value")), replace=True)
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise rejected()
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(doc, str(op.get("from", ""))))
            if kind == "move":
                _remove(doc, str(op.get("from", "")))
            doc = _add(doc, path, value)
        else:
            raise rejected()
    return doc


# -- RFC 7386 ----------------------------------------------------------------


def merge_patch(doc: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (returns a new value)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# -- strategic merge patch -----------------------------------------------------


def _merge_list(current: list[Any], patch: list[Any], key: str) -> list[Any]:
    result = copy.deepcopy(current)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise ApiError(
                422, "Invalid", f"map: {item!r} does not contain declared merge key: {key}", {}
            )
        position = next(
            (
                i
                for i, old in enumerate(result)
                if isinstance(old, dict) and old.get(key) == item[key]
            ),
            None,
        )
        directive = item.get("$patch")
        if directive == "delete":
            if position is not None:
                result.pop(position)
            continue
        if position is None:
            result.append(strategic_merge({}, item))
        else:
            result[position] = strategic_merge(result[position], item)
    return result


def strategic_merge(doc: Any, patch: Any) -> Any:
    """Apply a strategic merge patch (returns a new value)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    result = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue  # $setElementOrder/..., $retainKeys, $deleteFromPrimitiveList: order hints
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and key in MERGE_KEYS and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, MERGE_KEYS[key])
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    return result


def apply(content_type: str, doc: Any, patch: Any) -> Any:
    """Apply a patch body of ``content_type`` to ``doc``."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_PATCH:
        return json_patch(doc, patch)
    if not isinstance(patch, dict):
        raise ApiError(400, "BadRequest", "patch body must be a JSON object", None)
    if media == MERGE_PATCH:
        return merge_patch(doc, patch)
    if media == STRATEGIC_PATCH:
        return strategic_merge(doc, patch)
    raise unsupported(content_type)
