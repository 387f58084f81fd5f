"""Discovery documents: /version, /api, /apis, resource lists, aggregated discovery.

Built from :mod:`triage.kubeserver.resources` so what is advertised is exactly
what is routed. kubectl asks ``/api`` and ``/apis`` for the aggregated
``APIGroupDiscoveryList`` (v2, else v2beta1); the Python client asks the
legacy documents, with trailing slashes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from triage.kubeserver.resources import (
    GROUPS,
    ResourceType,
    group_versions,
    in_group_version,
)

JSON = dict[str, Any]

VERSION: JSON = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0-triage",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.23.9",
    "compiler": "gc",
    "platform": "linux/amd64",
}

AGGREGATED = "as=APIGroupDiscoveryList"


def api_versions(server_address: str) -> JSON:
    """``GET /api``: the core group's versions."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _group_version(group: str, version: str) -> JSON:
    return {"groupVersion": f"{group}/{version}", "version": version}


def api_group(group: str) -> JSON:
    """One group of ``/apis`` (also served alone at ``/apis/{group}``)."""
    versions = [_group_version(group, v) for v in group_versions(group)]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list() -> JSON:
    """``GET /apis``: every non-core group."""
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [api_group(g) for g in GROUPS]}


def _legacy_entry(r: ResourceType) -> list[JSON]:
    entry: JSON = {
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    entries = [entry]
    for sub in r.subresources:
        sub_entry: JSON = {
            "name": f"{r.plural}/{sub.name}",
            "singularName": "",
            "namespaced": r.namespaced,
        }
        if sub.group:
            sub_entry["group"] = sub.group
            sub_entry["version"] = sub.version
        sub_entry["kind"] = sub.kind
        sub_entry["verbs"] = list(sub.verbs)
        entries.append(sub_entry)
    return entries


def resource_list(group: str, version: str) -> JSON | None:
    """``GET /api/v1`` or ``/apis/{group}/{version}``; None if not served."""
    served = in_group_version(group, version)
    if not served:
        return None
    body: JSON = {"kind": "APIResourceList"}
    if group:
        body["apiVersion"] = "v1"
    body["groupVersion"] = f"{group}/{version}" if group else version
    body["resources"] = [e for r in served for e in _legacy_entry(r)]
    return body


def _aggregated_resource(r: ResourceType) -> JSON:
    entry: JSON = {
        "resource": r.plural,
        "responseKind": {"group": "", "version": "", "kind": r.kind},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    if r.subresources:
        entry["subresources"] = [
            {
                "subresource": s.name,
                "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                "verbs": list(s.verbs),
            }
            for s in r.subresources
        ]
    return entry


def _aggregated_group(group: str) -> JSON:
    metadata: JSON = (
        {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
    )
    versions = [
        {
            "version": v,
            "resources": [_aggregated_resource(r) for r in in_group_version(group, v)],
            "freshness": "Current",
        }
        for v in (group_versions(group) if group else ["v1"])
    ]
    return {"metadata": metadata, "versions": versions}


def aggregated(core: bool, version: str) -> JSON:
    """The ``APIGroupDiscoveryList`` for ``/api`` (core) or ``/apis`` (groups)."""
    groups = [""] if core else list(GROUPS)
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": [_aggregated_group(g) for g in groups],
    }


def aggregated_version(accept: str) -> str | None:
    """``v2`` or ``v2beta1`` when the Accept header asks for aggregated discovery."""
    for part in accept.split(","):
        if AGGREGATED in part and "g=apidiscovery.k8s.io" in part:
            for param in part.split(";"):
                if param.strip().startswith("v="):
                    return param.strip()[2:]
    return None


def etag(body: bytes) -> str:
    """A quoted strong ETag over the document, as the real server sends."""
    return '"' + hashlib.sha512(body).hexdigest().upper() + '"'


def encode(doc: JSON) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(doc, separators=(",", ":")).encode()
