"""Replaying the recorded real kube-apiserver exchanges, and comparing answers' shapes.

Shapes, not values: status code, media type, ``kind``, Status ``reason`` /
``code`` / ``details`` keys and cause reasons, list metadata keys, items
without kind/apiVersion, top-level key sets, discovery entries we serve,
watch framing and event types. Uids, timestamps, resourceVersions and log
text differ by nature and are not compared.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from triage.kubeserver.authz import READ, Rule, User, default_users
from triage.kubeserver.resources import RESOURCES

JSON = dict[str, Any]
TRANSCRIPT = Path(__file__).with_name("transcript.jsonl")

# Ops not replayed, and why. Requests whose protobuf body the transcript only
# summarises (kubectl's auth can-i / whoami / can-i --list) are skipped too:
# test_kubectl.py sends those live.
SKIPPED = {
    "portforward.python-websocket": "websocket upgrade: covered by test_portforward.py",
    "portforward.kubectl-websocket-tunnel": "kubectl SPDY-in-websocket port-forward is not served",
    "portforward.kubectl-spdy-legacy": "kubectl SPDY port-forward is not served",
    "logs.follow": "a follow never ends by itself: covered by test_client_logs.py",
    "watch.pods.bookmarks": "waits 60 s for a bookmark from a recorded resourceVersion",
    "watch.kubectl-table": "watches from a recorded resourceVersion",
}

_POD = re.compile(r"(?:checkout|catalog)-[a-z0-9]{8,10}-[a-z0-9]{5}")
_OBJECT_META = ("name", "uid", "resourceVersion", "creationTimestamp")


@dataclass
class Exchange:
    """One recorded request/response."""

    seq: int
    op: str
    request: JSON
    response: JSON


def load() -> list[Exchange]:
    """Every exchange of the transcript, in wire order."""
    out = []
    for line in TRANSCRIPT.read_text().splitlines():
        d = json.loads(line)
        out.append(Exchange(d["seq"], d["op"], d["request"], d["response"]))
    return out


def extra_users() -> dict[str, User]:
    """The transcript's other identities: a pod reader (no pods/log) and a user with no rights."""
    users = default_users()
    users["podreader-token"] = User(
        "podreader",
        "triage-podreader",
        ("system:authenticated",),
        (Rule(READ, frozenset({"pods", "events", "nodes"}), frozenset({""})),),
        'RoleBinding "podreader" of Role "podreader" to User "podreader"',
    )
    users["noaccess-token"] = User("noaccess", "triage-noaccess", ("system:authenticated",), ())
    return users


def token_for(op: str) -> str | None:
    """The bearer token the recorded client used, from the op's name."""
    for user in ("viewer", "podreader", "noaccess"):
        if user in op:
            return f"{user}-token"
    if "anonymous" in op:
        return None
    if "bad-credential" in op:
        return "not-a-valid-token"
    return "admin-token"


def _decode_token(value: str) -> JSON:
    data: JSON = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    return data


class NameMap:
    """Recorded pod names -> ours, role by role (crashing v7, running v6, catalog), in sorted order.

    Sorted order is kept within each role so that continue tokens (which hold a
    name) cut our lists where they cut the recorded ones.
    """

    def __init__(
        self, exchanges: list[Exchange], crashing: list[str], running: list[str], catalog: list[str]
    ) -> None:
        pools = {
            "checkout-68c66446d8": sorted(crashing),
            "checkout-": sorted(running),
            "catalog-": sorted(catalog),
        }
        recorded: set[str] = set()
        for ex in exchanges:
            req = ex.request
            recorded.update(_POD.findall(req["path"] + json.dumps(req.get("body"))))
            token = req["query"].get("continue", "")
            if token.startswith("eyJ"):
                recorded.update(_POD.findall(_decode_token(token)["start"]))
        self.seen: dict[str, str] = {}
        for key, pool in pools.items():
            mine = sorted(n for n in recorded if n.startswith(key) and n not in self.seen)
            for i, name in enumerate(mine):
                self.seen[name] = pool[i % len(pool)]

    def __call__(self, text: str) -> str:
        return _POD.sub(lambda m: self.seen.get(m.group(0), m.group(0)), text)

    def token(self, value: str) -> str:
        """A recorded continue token with the pod name inside it mapped too."""
        data = _decode_token(value)
        data["start"] = self(data["start"])
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def replay(http: httpx.Client, ex: Exchange, names: NameMap) -> httpx.Response:
    """Send one recorded request to our server."""
    req = ex.request
    headers = {k: v for k, v in req["headers"].items() if k.lower() in ("accept", "content-type")}
    token = token_for(ex.op)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    query = dict(req["query"])
    if (
        "continue" in query
        and _POD.search(ex.op + "x") is None
        and query["continue"].startswith("eyJ")
    ):
        query["continue"] = names.token(query["continue"])
    if query.get("watch") == "true" and "timeoutSeconds" in query:
        query["timeoutSeconds"] = "1"
    body = req.get("body")
    content = names(json.dumps(body)).encode() if body is not None else None
    return http.request(
        req["method"], names(req["path"]), params=query, headers=headers, content=content
    )


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip()


def _status_problems(real: JSON, ours: JSON) -> list[str]:
    problems = []
    for key in ("reason", "code", "status"):
        if real.get(key) != ours.get(key):
            problems.append(f"{key}: real {real.get(key)!r}, ours {ours.get(key)!r}")
    if set(real) != set(ours):
        problems.append(f"Status keys: real {sorted(real)}, ours {sorted(ours)}")
    if "details" in real and "details" in ours:
        if set(real["details"]) != set(ours["details"]):
            problems.append(
                f"details keys: real {sorted(real['details'])}, ours {sorted(ours['details'])}"
            )
        real_causes = [c.get("reason") for c in real["details"].get("causes", [])]
        our_causes = [c.get("reason") for c in ours["details"].get("causes", [])]
        if real_causes != our_causes:
            problems.append(f"cause reasons: real {real_causes}, ours {our_causes}")
    return problems


def _discovery_problems(real: JSON, ours: JSON) -> list[str]:
    """Each recorded entry for a resource or subresource we serve must match ours."""
    problems = []
    group, _, version = real.get("groupVersion", "").rpartition("/")
    mine = {r["name"]: r for r in ours.get("resources", [])}
    for entry in real.get("resources", []):
        name = entry["name"]
        rtype = next(
            (
                r
                for r in RESOURCES
                if (r.group, r.version, r.plural) == (group, version, name.split("/")[0])
            ),
            None,
        )
        if rtype is None or ("/" in name and rtype.subresource(name.split("/")[1]) is None):
            continue
        if name not in mine:
            problems.append(f"discovery lacks {name}")
            continue
        for key in ("kind", "namespaced", "group", "version", "verbs"):
            if entry.get(key) != mine[name].get(key):
                problems.append(
                    f"{name}.{key}: real {entry.get(key)!r}, ours {mine[name].get(key)!r}"
                )
    return problems


def _object_problems(real: JSON, ours: JSON) -> list[str]:
    problems = []
    real_keys = set(real) - {"_trimmed"}
    if real_keys != set(ours):
        problems.append(f"keys: real {sorted(real_keys)}, ours {sorted(ours)}")
    if real.get("kind") == "Status":
        return problems + _status_problems(real, ours)
    if "items" in real:
        meta_real, meta_ours = set(real.get("metadata", {})), set(ours.get("metadata", {}))
        if meta_real != meta_ours:
            problems.append(f"list metadata: real {sorted(meta_real)}, ours {sorted(meta_ours)}")
        if any("kind" in i or "apiVersion" in i for i in ours.get("items") or []):
            problems.append("list items carry kind/apiVersion")
        if real["items"] and ours.get("items"):
            # Items differ in optional fields (an event's count): some shape must be shared.
            real_shapes = {frozenset(set(i) - {"_trimmed"}) for i in real["items"]}
            our_shapes = {frozenset(i) for i in ours["items"]}
            if not real_shapes & our_shapes:
                problems.append(
                    f"item keys: real {sorted(map(sorted, real_shapes))}, "
                    f"ours {sorted(map(sorted, our_shapes))}"
                )
    elif real.get("kind") == "APIResourceList":
        problems += _discovery_problems(real, ours)
    elif isinstance(real.get("metadata"), dict) and "name" in real["metadata"]:
        missing = [
            k for k in _OBJECT_META if k in real["metadata"] and k not in ours.get("metadata", {})
        ]
        if missing:
            problems.append(f"metadata lacks {missing}")
    return problems


def _watch_problems(real: JSON, ours: str) -> list[str]:
    problems = []
    events = []
    for line in ours.splitlines():
        event = json.loads(line)
        if set(event) != {"type", "object"}:
            problems.append(f"watch line keys {sorted(event)}")
        events.append(event)
    real_types = [e["type"] for e in real["events"]]
    our_types = [e["type"] for e in events]
    if "ERROR" in real_types:
        if our_types != ["ERROR"]:
            return [*problems, f"watch: real {real_types}, ours {our_types}"]
        return problems + _status_problems(real["events"][0]["object"], events[0]["object"])
    if set(our_types) - set(real_types):
        problems.append(
            f"watch event types: real {sorted(set(real_types))}, ours {sorted(set(our_types))}"
        )
    return problems


def compare(ex: Exchange, got: httpx.Response) -> list[str]:
    """What differs in shape between the recorded answer and ours."""
    real = ex.response
    problems = []
    if real["status"] != got.status_code:
        return [f"status: real {real['status']}, ours {got.status_code}: {got.text[:200]}"]
    real_type = real["headers"].get("Content-Type", "")
    our_type = got.headers.get("Content-Type", "")
    body = real.get("body")
    if "protobuf" in real_type:
        if _media(our_type) != "application/json":
            problems.append(f"content-type for a protobuf+json Accept: ours {our_type}")
        if isinstance(body, dict) and body.get("kind") and got.json().get("kind") != body["kind"]:
            problems.append(f"kind: real {body['kind']}, ours {got.json().get('kind')}")
        return problems
    if real_type != our_type:
        problems.append(f"content-type: real {real_type!r}, ours {our_type!r}")
    if isinstance(body, dict) and body.get("_stream") == "watch":
        return problems + _watch_problems(body, got.text)
    if isinstance(body, str):
        if body.startswith("404 page not found") and got.text != body:
            problems.append(f"text: real {body!r}, ours {got.text!r}")
        if bool(body) != bool(got.text):
            problems.append("text body emptiness differs")
        return problems
    if isinstance(body, dict):
        problems += _object_problems(body, got.json())
    return problems
