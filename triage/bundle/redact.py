"""Keep credentials out of a bundle: a bundle is shared (tickets, chat), a Secret is not.

Objects are copied, never changed in place. What is scrubbed:

* an ``env`` entry whose name looks like a credential (password, secret, token,
  key, credential, auth, cert, private, dsn...) loses its ``value``; a
  ``valueFrom`` (``secretKeyRef``, ``configMapKeyRef``) is a reference, not the
  value, and is kept so the reader knows where the value lives;
* annotations whose name looks like a credential; ``last-applied-configuration``
  (a whole copy of the object, env values included) is parsed and scrubbed the
  same way, or dropped when it cannot be parsed;
* a command-line flag's value (``--db-password=x``, ``-token x``) in a
  container's ``command`` or ``args``, when the flag's name looks like a credential;
* ``managedFields`` (noise that repeats field names, never needed to triage).

Secret objects are never fetched in the first place (see :mod:`triage.bundle.collect`).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

JSON = dict[str, Any]
REDACTED = "<redacted by triage>"
#: env and annotation names that may hold a credential (searched, case-insensitive)
CREDENTIAL_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|key|credential|auth|cert|private|dsn|"
    r"conn(ection)?[-_]?str|session|cookie|signature|salt",
    re.IGNORECASE,
)
#: ``--name=value`` or ``-name=value`` in a container's command line
_FLAG = re.compile(r"^(--?[^=\s]+=)(.+)$", re.DOTALL)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")


def looks_secret(name: str) -> bool:
    """True when an env or annotation name suggests its value is a credential."""
    return bool(CREDENTIAL_NAME.search(name))


def redact(obj: JSON) -> JSON:
    """A scrubbed deep copy of a Kubernetes object (pod, workload, event...)."""
    out = copy.deepcopy(obj)
    _scrub(out)
    return out


def _scrub(node: Any) -> None:
    """Walk every dict: containers anywhere (pod spec, templates), metadata anywhere."""
    if isinstance(node, list):
        for item in node:
            _scrub(item)
        return
    if not isinstance(node, dict):
        return
    for key in _CONTAINER_LISTS:
        for container in node.get(key) or []:
            if isinstance(container, dict):
                _scrub_env(container)
    meta = node.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            meta["annotations"] = _scrub_annotations(annotations)
    for value in node.values():
        _scrub(value)


def _scrub_env(container: JSON) -> None:
    for key in ("command", "args"):
        words = container.get(key)
        if isinstance(words, list):
            container[key] = _scrub_words(words)
    for entry in container.get("env") or []:
        if isinstance(entry, dict) and "value" in entry and looks_secret(str(entry.get("name"))):
            entry["value"] = REDACTED


def _scrub_words(words: list[Any]) -> list[Any]:
    """``--token=x`` and ``--token x`` lose ``x`` (a word after such a flag is its value)."""
    out: list[Any] = []
    for word in words:
        previous = out[-1] if out else None
        if (
            isinstance(word, str)
            and isinstance(previous, str)
            and previous.startswith("-")
            and "=" not in previous
            and not word.startswith("-")
            and looks_secret(previous)
        ):
            out.append(REDACTED)
        else:
            out.append(_scrub_flag(word) if isinstance(word, str) else word)
    return out


def _scrub_flag(word: str) -> str:
    match = _FLAG.match(word)
    if match is None or not looks_secret(match.group(1)):
        return word
    return match.group(1) + REDACTED


def _scrub_annotations(annotations: JSON) -> JSON:
    scrubbed: JSON = {}
    for name, value in annotations.items():
        if name == LAST_APPLIED:
            scrubbed[name] = _scrub_applied(str(value))
        elif looks_secret(name.rpartition("/")[2]):
            scrubbed[name] = REDACTED
        else:
            scrubbed[name] = value
    return scrubbed


def _scrub_applied(text: str) -> str:
    """The applied configuration, scrubbed as the object is; dropped if unreadable."""
    try:
        doc = json.loads(text)
    except ValueError:
        return REDACTED
    if not isinstance(doc, dict):
        return REDACTED
    return json.dumps(redact(doc), sort_keys=True)
