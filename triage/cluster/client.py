"""The one module that imports ``kubernetes``: config loading and raw REST calls.

We use the official client for what it does well — kubeconfig users (token,
client certificate, exec plugins with token refresh, auth providers), TLS,
in-cluster config and the port-forward websocket — and talk REST ourselves:
every answer is read with ``_preload_content=False`` semantics and parsed as
plain JSON dicts, because the client's model deserialisation of 5,000 pods takes
seconds and the generated ``CoreV1Api`` module alone takes over a second to
import. Everything above this module works on dicts.

Errors: every API answer >= 400 and every transport failure becomes a
:class:`~triage.errors.TriageError` with one line (:mod:`triage.cluster.apierrors`).
Safe reads (GET) are retried with backoff on 429/5xx and on transport errors.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from triage.cluster import apierrors
from triage.cluster.kubeconfig import ConnectOptions, Selection, select
from triage.errors import BadInput, Forbidden, TriageError, Unreachable

JSON = dict[str, Any]

#: resource -> (API prefix, namespaced)
RESOURCES: dict[str, tuple[str, bool]] = {
    "pods": ("/api/v1", True),
    "events": ("/api/v1", True),
    "namespaces": ("/api/v1", False),
    "nodes": ("/api/v1", False),
    "deployments": ("/apis/apps/v1", True),
    "replicasets": ("/apis/apps/v1", True),
    "statefulsets": ("/apis/apps/v1", True),
    "daemonsets": ("/apis/apps/v1", True),
    "controllerrevisions": ("/apis/apps/v1", True),
    "poddisruptionbudgets": ("/apis/policy/v1", True),
}
#: pauses between attempts of a safe read answered 429/5xx
_BACKOFF = (0.2, 0.6, 1.5)
#: pauses after a transport failure (refused, reset, timeout): fewer, a restart blip
_TRANSPORT_BACKOFF = (0.25,)
#: items per list page: kubectl pages by 500 to spare etcd on huge clusters; a crash
#: report needs every pod anyway, and 5,000 keeps a namespace of that size to one
#: round trip (paging costs the server a fresh cursor each time) while still
#: bounding one answer to ~10 MB
LIST_CHUNK = 5000
#: (connect, read) seconds for ordinary calls
TIMEOUT = (5.0, 30.0)


def resource_path(resource: str, namespace: str | None, name: str | None = None) -> str:
    """``/api/v1/namespaces/ns/pods/name``; ``namespace`` None means all namespaces."""
    prefix, namespaced = RESOURCES[resource]
    path = prefix
    if namespaced and namespace:
        path += f"/namespaces/{quote(namespace, safe='')}"
    path += f"/{resource}"
    if name is not None:
        path += f"/{quote(name, safe='')}"
    return path


@dataclass(frozen=True, slots=True)
class Access:
    """A SelfSubjectAccessReview answer."""

    allowed: bool
    reason: str


class WatchStream:
    """The events of one watch response; :meth:`close` ends it from another thread."""

    def __init__(self, raw: Any, failed: Callable[[str], TriageError]) -> None:
        self._raw = raw
        self._failed = failed
        self._closed = False

    def __iter__(self) -> Iterator[JSON]:
        import urllib3

        buffer = b""
        try:
            for chunk in self._raw.stream(65536):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.strip():
                        yield json.loads(line)
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            if not self._closed:
                raise self._failed(str(exc)) from None
        finally:
            self._raw.release_conn()

    def close(self) -> None:
        """Unblock a reader waiting for the next event (urllib3's ``shutdown``)."""
        self._closed = True
        with contextlib.suppress(Exception):
            self._raw.shutdown()


class KubeClient:
    """Raw JSON access to one cluster context (thread-safe: urllib3 pools are)."""

    def __init__(
        self,
        api_client: Any,
        selection: Selection,
        all_namespaces: bool,
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        self._api = api_client
        #: (connect, read) seconds of ordinary calls
        self.timeout = timeout
        self.selection = selection
        self.context = selection.context
        self.namespace = selection.namespace
        self.all_namespaces = all_namespaces
        self.server = str(api_client.configuration.host)

    # -- plumbing ---------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        what: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        timeout: tuple[float, float] | None = None,
        accept: str = "application/json",
        content_type: str = "application/json",
        raw_errors: bool = False,
    ) -> Any:
        """One HTTP exchange; the raw urllib3 response (status < 400, or any status
        with ``raw_errors``) or an error."""
        import urllib3

        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        attempts = len(_BACKOFF) + 1 if method == "GET" else 1
        transport_failures = 0
        for attempt in range(attempts):
            try:
                m, url, hdrs, payload, _ = self._api.param_serialize(
                    method,
                    path,
                    query_params=list(query or []),
                    header_params=dict(headers),
                    body=body,
                    auth_settings=["BearerToken"],
                )
                rest = self._api.call_api(
                    m,
                    url,
                    header_params=hdrs,
                    body=payload,
                    _request_timeout=timeout or self.timeout,
                )
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                error: TriageError = apierrors.transport_error(
                    str(exc), self.server, what, context=self.context
                )
                transport_failures += 1
            except Exception as exc:  # ApiException(status=0) for TLS, ApiValueError
                if type(exc).__name__ == "ConfigException":  # an exec token refresh failed
                    raise Forbidden(
                        f"{what}: refreshing the credentials of context {self.context} "
                        f"failed ({_one_line(str(exc))})",
                        "log in again (e.g. your cloud's login command) and retry",
                    ) from None
                error = apierrors.transport_error(
                    f"{getattr(exc, 'reason', '') or exc}",
                    self.server,
                    what,
                    context=self.context,
                )
                transport_failures += 1
            else:
                raw = rest.response
                if raw.status < 400 or raw_errors:
                    return raw
                data = raw.data
                raw.release_conn()
                error = apierrors.api_error(raw.status, data, what, context=self.context)
                if raw.status not in apierrors.RETRYABLE:
                    raise error
                delay = apierrors.retry_after(raw.headers.get("Retry-After"))
                if delay is not None and attempt < attempts - 1:
                    time.sleep(delay)
                    continue
            if transport_failures:
                if transport_failures > len(_TRANSPORT_BACKOFF) or method != "GET":
                    break
                time.sleep(_TRANSPORT_BACKOFF[transport_failures - 1])
            elif attempt < attempts - 1:
                time.sleep(_BACKOFF[attempt])
        raise error

    def _json(self, method: str, path: str, what: str, **kw: Any) -> JSON:
        raw = self._request(method, path, what, **kw)
        data = raw.data
        raw.release_conn()  # back to the pool for the next call (threads share it)
        try:
            with _collector_paused():
                doc = json.loads(data)
        except ValueError:
            raise BadInput(f"{what}: the API server's answer is not JSON") from None
        if not isinstance(doc, dict):
            raise BadInput(f"{what}: the API server's answer is not a JSON object")
        return doc

    def send(
        self,
        method: str,
        path: str,
        what: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        """Any request, every HTTP answer returned as ``(status, parsed JSON or None)``:
        the caller decides what a 404, 409 or 429 means (actions do); a transport
        failure still raises. Writes are never retried here."""
        raw = self._request(
            method, path, what, query=query, body=body, content_type=content_type, raw_errors=True
        )
        status, data = int(raw.status), raw.data
        raw.release_conn()
        try:
            return status, json.loads(data)
        except ValueError:
            return status, None

    # -- reads --------------------------------------------------------------------

    def list(
        self,
        resource: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> tuple[list[JSON], str]:
        """Every item (following ``continue``) and the list's resourceVersion."""
        where = f"in namespace {namespace}" if namespace else "in all namespaces"
        what = f"listing {resource} {where}"
        items: list[JSON] = []
        token = ""
        while True:
            query = [("limit", str(LIST_CHUNK))]
            if label_selector:
                query.append(("labelSelector", label_selector))
            if field_selector:
                query.append(("fieldSelector", field_selector))
            if token:
                query.append(("continue", token))
            doc = self._json("GET", resource_path(resource, namespace), what, query=query)
            items.extend(i for i in doc.get("items") or [] if isinstance(i, dict))
            meta = doc.get("metadata") or {}
            token = str(meta.get("continue") or "")
            if not token:
                return items, str(meta.get("resourceVersion") or "")

    def get(self, resource: str, namespace: str | None, name: str) -> JSON:
        """One object."""
        kind = resource.rstrip("s")
        what = f"reading {kind} {name}" + (f" in namespace {namespace}" if namespace else "")
        return self._json("GET", resource_path(resource, namespace, name), what)

    def read_log(
        self,
        namespace: str,
        pod: str,
        *,
        container: str | None = None,
        previous: bool = False,
        tail_lines: int | None = None,
        limit_bytes: int | None = None,
        timestamps: bool = False,
    ) -> bytes:
        """A container's log (``previous``: the last terminated run's)."""
        query: list[tuple[str, str]] = []
        if timestamps:
            query.append(("timestamps", "true"))
        if container:
            query.append(("container", container))
        if previous:
            query.append(("previous", "true"))
        if tail_lines is not None:
            query.append(("tailLines", str(tail_lines)))
        if limit_bytes is not None:
            query.append(("limitBytes", str(limit_bytes)))
        which = "previous " if previous else ""
        what = f"reading the {which}log of pod {pod} in namespace {namespace}"
        path = resource_path("pods", namespace, pod) + "/log"
        raw = self._request("GET", path, what, query=query, accept="*/*")
        data = bytes(raw.data)
        raw.release_conn()
        return data

    def can_i(
        self,
        verb: str,
        resource: str,
        namespace: str | None,
        *,
        subresource: str = "",
        group: str = "",
    ) -> Access:
        """Ask the API server (SelfSubjectAccessReview) whether we may ``verb resource``."""
        attrs: JSON = {"verb": verb, "resource": resource, "group": group}
        if namespace:
            attrs["namespace"] = namespace
        if subresource:
            attrs["subresource"] = subresource
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attrs},
        }
        what = f"checking permission {verb} {resource}{'/' + subresource if subresource else ''}"
        doc = self._json(
            "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", what, body=body
        )
        status = doc.get("status") or {}
        return Access(bool(status.get("allowed")), str(status.get("reason") or ""))

    def watch(
        self,
        resource: str,
        namespace: str | None,
        resource_version: str,
        *,
        timeout_seconds: int = 300,
        label_selector: str | None = None,
    ) -> WatchStream:
        """Start a watch from ``resource_version`` (bookmarks on); iterate the result for
        raw ``{"type", "object"}`` events until the server ends it."""
        query = [
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("resourceVersion", resource_version),
            ("timeoutSeconds", str(timeout_seconds)),
        ]
        if label_selector:
            query.append(("labelSelector", label_selector))
        what = f"watching {resource}"
        raw = self._request(
            "GET",
            resource_path(resource, namespace),
            what,
            query=query,
            timeout=(self.timeout[0], timeout_seconds + 30.0),
        )

        def failed(text: str) -> TriageError:
            return apierrors.transport_error(text, self.server, what, context=self.context)

        return WatchStream(raw, failed)

    def open_port(
        self, namespace: str, pod: str, port: int
    ) -> tuple[socket.socket, Callable[[], str | None]]:
        """A socket connected to ``port`` of ``pod`` through the API server's port-forward.

        Returns the socket and a function giving the error channel's text (None if
        none). This is what ``kubernetes.stream.portforward`` does, minus the
        generated ``CoreV1Api`` (a second of import time): the same websocket
        channel protocol (``v4.channel.k8s.io``), one websocket per connection.
        """
        from kubernetes.stream import ws_client

        path = resource_path("pods", namespace, pod) + "/portforward"
        what = f"port-forwarding to {pod}:{port} in namespace {namespace}"
        _, url, headers, _, _ = self._api.param_serialize(
            "GET",
            path,
            query_params=[("ports", str(port))],
            header_params={},
            auth_settings=["BearerToken"],
        )
        try:
            forward = ws_client.portforward_call(  # type: ignore[no-untyped-call]
                self._api.configuration, "GET", url, headers=headers
            )
        except Exception as exc:
            raise apierrors.handshake_error(
                str(getattr(exc, "reason", "") or exc), self.server, what, context=self.context
            ) from None
        return forward.socket(port), lambda: forward.error(port)

    def close(self) -> None:
        """Release pooled connections."""
        self._api.close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic GC while parsing a list: 5,000 pods are ~300,000 fresh dicts and
    strings, none of them cyclic garbage, and the collector re-scanning them every
    700 allocations costs about a third of the parse."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def _captured_logs() -> Iterator[list[str]]:
    """The client logs (rather than raises) exec-plugin failures; catch those lines."""
    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = _Keep(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)


def connect(options: ConnectOptions) -> KubeClient:
    """Load the kubeconfig (or in-cluster config) as kubectl would; no request is made."""
    sel = select(options)
    from kubernetes.client import ApiClient, Configuration
    from kubernetes.config.config_exception import ConfigException

    config = type.__call__(Configuration)
    try:
        with _captured_logs() as logged:
            if sel.in_cluster:
                from kubernetes.config.incluster_config import load_incluster_config

                load_incluster_config(client_configuration=config)  # type: ignore[no-untyped-call]
            else:
                _load_kubeconfig(sel, config)
    except ConfigException as exc:
        raise BadInput(f"kubeconfig context {sel.context}: {_one_line(str(exc))}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput(
            f"kubeconfig context {sel.context} is incomplete or broken ({_one_line(str(exc))})",
            "check its cluster, user and certificate entries",
        ) from None
    failures = [m for m in logged if "exec" in m.lower()]
    if failures:
        raise Forbidden(
            f"the credential plugin of context {sel.context} failed: {_one_line(failures[-1])}",
            "log in again (e.g. your cloud's login command) and retry",
        )
    config.retries = False
    config.connection_pool_maxsize = 16
    timeout = TIMEOUT
    if options.request_timeout:
        timeout = (min(TIMEOUT[0], options.request_timeout), options.request_timeout)
    return KubeClient(ApiClient(configuration=config), sel, options.all_namespaces, timeout)


def _load_kubeconfig(sel: Selection, config: Any) -> None:
    from kubernetes.config.kube_config import KubeConfigLoader, KubeConfigMerger

    merger = KubeConfigMerger(sel.merged_path)  # type: ignore[no-untyped-call]
    if merger.config is None:
        raise Unreachable("no kubeconfig could be read")
    loader = KubeConfigLoader(  # type: ignore[no-untyped-call]
        config_dict=merger.config, active_context=sel.context, config_base_path=None
    )
    loader.load_and_set(config)  # type: ignore[no-untyped-call]


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
