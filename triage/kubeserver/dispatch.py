"""From an authenticated request to a reply: discovery, authorization, handlers.

Authorization happens before the resource is looked up, as on a real server,
so an anonymous caller asking for an unknown resource gets 403, not 404.
Review resources (self-subject access, rules, whoami) are open to every
authenticated user, as the ``system:basic-user`` role makes them.
"""

from __future__ import annotations

import json
import time
from typing import Any, BinaryIO

from triage.kubeserver import (
    api,
    discovery,
    eviction,
    podlog,
    portforward,
    protobuf,
    reviews,
    routes,
    writes,
)
from triage.kubeserver.authz import User
from triage.kubeserver.cluster import Cluster
from triage.kubeserver.status import (
    ApiError,
    bad_request,
    forbidden,
    forbidden_path,
    method_not_allowed,
    unknown_resource,
)
from triage.kubeserver.wire import Reply, Request, Target

JSON = dict[str, Any]
NOT_FOUND_PAGE = Reply(
    404, b"404 page not found\n", "text/plain; charset=utf-8", {"X-Content-Type-Options": "nosniff"}
)
ANONYMOUS = User("system:anonymous", "", ("system:unauthenticated",), (), "", frozenset())


class Dispatcher:
    """Routes requests for one cluster."""

    def __init__(self, cluster: Cluster, server_address: str, bookmark_interval: float) -> None:
        self.cluster = cluster
        self.server_address = server_address
        self.bookmark_interval = bookmark_interval

    def handle(self, req: Request) -> Reply:
        """Answer a request; ApiErrors propagate to the HTTP layer."""
        faults = self.cluster.faults
        if faults.latency:
            time.sleep(faults.latency)
        injected = faults.take(req.method, req.path)
        if injected is not None:
            raise injected
        route = routes.parse(req.path)
        if route is None:
            return NOT_FOUND_PAGE
        if isinstance(route, routes.Discovery):
            return self._discovery(req, route)
        return self._resource(req, route)

    # -- discovery -----------------------------------------------------------

    def _discovery(self, req: Request, route: routes.Discovery) -> Reply:
        if route.doc == "version":
            return Reply(200, discovery.encode(discovery.VERSION))
        if route.doc == "health":  # open to anyone, as system:public-info-viewer makes it
            return Reply(
                200, b"ok", "text/plain; charset=utf-8", {"X-Content-Type-Options": "nosniff"}
            )
        if req.user is ANONYMOUS:
            raise forbidden_path(req.user.name, req.path)
        aggregated = discovery.aggregated_version(req.accept)
        if route.doc in ("api", "apis") and aggregated in ("v2", "v2beta1"):
            body = discovery.encode(discovery.aggregated(route.doc == "api", aggregated))
            ctype = (
                f"application/json;g=apidiscovery.k8s.io;v={aggregated};as=APIGroupDiscoveryList"
            )
            return Reply(
                200,
                body,
                ctype,
                {"Vary": "Accept", "ETag": discovery.etag(body), "Cache-Control": "public"},
            )
        doc: JSON | None
        if route.doc == "api":
            doc = discovery.api_versions(self.server_address)
        elif route.doc == "apis":
            doc = discovery.api_group_list()
        elif route.doc == "group":
            doc = {"kind": "APIGroup", "apiVersion": "v1", **discovery.api_group(route.group)}
        else:
            doc = discovery.resource_list(route.group, route.version)
        if doc is None:
            return NOT_FOUND_PAGE
        return Reply(200, discovery.encode(doc))

    # -- resources -----------------------------------------------------------

    def _authorize(self, req: Request, route: routes.ResourcePath, verb: str) -> None:
        rtype = route.rtype
        if rtype is not None and rtype.virtual and req.user is not ANONYMOUS:
            return
        if self.cluster.authz.decide(req.user, verb, route.group, route.plural, route.sub) is None:
            raise forbidden(
                req.user.name,
                verb,
                route.plural,
                route.group,
                namespace=route.namespace or "",
                name=route.name,
                subresource=route.sub,
            )

    def _resource(self, req: Request, route: routes.ResourcePath) -> Reply:
        verb = routes.verb(req.method, route, req.flag("watch"))
        self._authorize(req, route, verb)
        rtype = route.rtype
        if rtype is None:
            raise unknown_resource()
        if rtype.virtual:
            return self._review(req, rtype.kind)
        target = Target(rtype, route.namespace if rtype.namespaced else "", route.name, route.sub)
        if rtype.namespaced and route.namespace is None:
            target.namespace = None
        if route.sub:
            return self._subresource(req, target)
        handlers = {
            ("GET", False): lambda: api.list_objects(
                self.cluster, req, target, self.bookmark_interval
            ),
            ("GET", True): lambda: api.read(self.cluster, req, target),
            ("POST", False): lambda: api.create(self.cluster, req, target),
            ("DELETE", True): lambda: api.delete(self.cluster, req, target),
            ("PUT", True): lambda: writes.update(self.cluster, req, target),
            ("PATCH", True): lambda: writes.patch_object(self.cluster, req, target),
        }
        handler = handlers.get((req.method, bool(route.name)))
        if handler is None:
            raise method_not_allowed()
        return handler()

    def _subresource(self, req: Request, target: Target) -> Reply:
        if target.rtype.kind == "Pod" and target.sub == "log" and req.method == "GET":
            return podlog.read_log(self.cluster, req, target)
        if target.rtype.kind == "Pod" and target.sub == "portforward":
            return self._portforward(req, target)
        if target.rtype.kind == "Pod" and target.sub == "eviction" and req.method == "POST":
            return eviction.evict(self.cluster, req, target)
        if target.sub == "scale":
            return writes.scale(self.cluster, req, target)
        if target.sub == "status":
            if req.method == "GET":
                return api.read(self.cluster, req, target)
            if req.method == "PUT":
                return writes.update(self.cluster, req, target)
            if req.method == "PATCH":
                return writes.patch_object(self.cluster, req, target)
        raise method_not_allowed()

    def _portforward(self, req: Request, target: Target) -> Reply:
        api.get_object(self.cluster, target)
        if req.header("Upgrade").lower() != "websocket":
            raise bad_request("Upgrade request required")
        protocol = portforward.choose_protocol(req.header("Sec-WebSocket-Protocol"))
        ports = portforward.parse_ports([v for k, v in req.query if k == "ports"])
        namespace, pod = target.namespace or "", target.name

        def relay(rfile: BinaryIO, wfile: BinaryIO) -> None:
            def resolve(port: int) -> tuple[str, int] | None:
                return self.cluster.backend(namespace, pod, port)

            portforward.Tunnel(rfile, wfile, ports, resolve, pod).run()

        headers = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Accept": portforward.accept_key(req.header("Sec-WebSocket-Key")),
            "Sec-WebSocket-Protocol": protocol,
        }
        return Reply(101, content_type="", headers=headers, upgrade=relay)

    def _review(self, req: Request, kind: str) -> Reply:
        if req.method != "POST":
            raise method_not_allowed()
        ctype = req.header("Content-Type")
        body = protobuf.review_to_json(req.body) if "protobuf" in ctype else api.parse_body(req)
        if kind == "SelfSubjectAccessReview":
            answer = reviews.access_review(self.cluster.authz, req.user, body)
        elif kind == "SelfSubjectRulesReview":
            answer = reviews.rules_review(req.user, body)
        else:
            answer = reviews.self_review(req.user)
        return Reply(201, json.dumps(answer, separators=(",", ":")).encode())


def error_reply(err: ApiError) -> Reply:
    """The Status reply of an error (403s carry nosniff, as the real server's do)."""
    headers = {"X-Content-Type-Options": "nosniff"} if err.code == 403 else {}
    retry = (err.details or {}).get("retryAfterSeconds")
    if retry:
        headers["Retry-After"] = str(retry)
    return Reply(
        err.code, json.dumps(err.status(), separators=(",", ":")).encode(), headers=headers
    )
