"""What the user names, parsed once into a typed target.

Every entry point (the CLI, the start screen's prompt, the recent list, the
app's launch) turns the user's words into one of these frozen values, and the
code below them dispatches on the type instead of re-reading the string:

* :class:`FileTarget`: a file on disk (dump, log, profile or Go binary);
* :class:`StdinTarget`: ``-``, the bytes piped in;
* :class:`UrlTarget`: an ``http(s)://`` pprof base URL or endpoint;
* :class:`BundleTarget`: a ``.tar.gz`` incident bundle (``triage bundle``; read by the workspace);
* :class:`KubeTarget`: a Kubernetes workload in kubectl's ``TYPE/NAME`` grammar.

Core module: no textual, no kubernetes, no I/O beyond a ``stat`` of the path.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Final

from triage.errors import BadInput

#: kubectl's spellings (singular, plural, short name; case-insensitive, optional
#: ``.apps``/``.v1.apps`` group suffix) to the resource they name
KUBE_ALIASES: Final[dict[str, str]] = {
    "po": "pod",
    "pod": "pod",
    "pods": "pod",
    "deploy": "deployment",
    "deployment": "deployment",
    "deployments": "deployment",
    "sts": "statefulset",
    "statefulset": "statefulset",
    "statefulsets": "statefulset",
    "ds": "daemonset",
    "daemonset": "daemonset",
    "daemonsets": "daemonset",
}
#: the group suffixes kubectl accepts after an apps/v1 resource (``deployment.apps/x``)
_APPS_GROUPS = (".v1.apps", ".apps")  # longest first
#: a DNS-1123 subdomain: what Kubernetes accepts as a pod or workload name
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
#: a DNS-1123 label: what Kubernetes accepts as a namespace
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
BUNDLE_SUFFIXES = (".tar.gz", ".tgz")


@dataclass(frozen=True, slots=True)
class FileTarget:
    """A file on disk, as the user spelled it (relative paths stay relative)."""

    path: str
    kind: ClassVar[str] = "file"

    @property
    def label(self) -> str:
        """Titles name the file as given."""
        return self.path


@dataclass(frozen=True, slots=True)
class StdinTarget:
    """``-``: the bytes piped into triage.

    ``spool_fd`` is set once the app has read all of stdin up front (into an
    unlinked temporary file, so nothing is left behind on any exit); loading
    then reads that copy, and fd 0 is free to be the terminal.
    """

    spool_fd: int | None = field(default=None, compare=False)
    kind: ClassVar[str] = "stdin"
    label: ClassVar[str] = "stdin"


@dataclass(frozen=True, slots=True)
class UrlTarget:
    """An http(s) URL: a pprof base to attach to, or one endpoint to fetch once.

    ``base`` is True for a service's base URL (``http://127.0.0.1:6060``,
    ``…/debug/pprof``): the workspace attaches to it live. An endpoint
    (``…/debug/pprof/heap``) is fetched once, like a file. ``triage attach``
    says base explicitly, so a base behind a path prefix works too.
    """

    url: str
    base: bool
    kind: ClassVar[str] = "url"

    @classmethod
    def of(cls, url: str) -> UrlTarget:
        """The target for ``url``, base or endpoint told apart by its path."""
        rest = url.split("://", 1)[-1]
        path = rest.partition("/")[2].partition("?")[0].rstrip("/")
        return cls(url, base=path in ("", "debug/pprof"))

    @property
    def label(self) -> str:
        """Titles show the URL as given."""
        return self.url


@dataclass(frozen=True, slots=True)
class BundleTarget:
    """A ``.tar.gz`` incident bundle: many sources in one file, so it is never read as
    one profile (:func:`triage.workspace.load_bundle` reads it)."""

    path: str
    kind: ClassVar[str] = "bundle"

    @property
    def label(self) -> str:
        """Titles name the bundle file as given."""
        return self.path


@dataclass(frozen=True, slots=True)
class KubeTarget:
    """A pod or workload in a cluster, in kubectl's terms.

    ``namespace``, ``context`` and ``kubeconfig`` are None when the user left
    them to the kubeconfig's current context, as kubectl does.
    """

    resource: str  # "pod" | "deployment" | "statefulset" | "daemonset"
    name: str
    namespace: str | None = None
    context: str | None = None
    kubeconfig: str | None = None
    #: ``attach --direct``: reach the pod's IP (from a bastion inside the cluster
    #: network) instead of port-forwarding through the API server
    direct: bool = field(default=False, compare=False)

    @property
    def kind(self) -> str:
        """The resource, for the recent list: ``pod``, ``deployment``..."""
        return self.resource

    @property
    def ref(self) -> str:
        """``deployment/api``: the kubectl spelling."""
        return f"{self.resource}/{self.name}"

    @property
    def label(self) -> str:
        """``deployment/api in prod on gke-eu``: where, as far as the user said."""
        text = self.ref
        if self.namespace:
            text += f" in {self.namespace}"
        if self.context:
            text += f" on {self.context}"
        return text


Target = FileTarget | StdinTarget | UrlTarget | BundleTarget | KubeTarget


@dataclass(frozen=True, slots=True)
class ClusterScope:
    """``-n/--namespace``, ``--context`` and ``--kubeconfig`` from the command line.

    Any of them set means the user is talking about a cluster, so a bare NAME
    (that is no existing file) names a pod, as in ``kubectl logs NAME``.
    """

    namespace: str | None = None
    context: str | None = None
    kubeconfig: str | None = None

    @property
    def given(self) -> bool:
        """True when the user named any part of a cluster context."""
        return any((self.namespace, self.context, self.kubeconfig))


def cluster_options(p: argparse.ArgumentParser) -> None:
    """Add ``-n/--namespace``, ``--context``, ``--kubeconfig``, spelled as kubectl spells them."""
    p.add_argument("-n", "--namespace", metavar="NS", help="namespace of a pod/NAME target")
    p.add_argument("--context", metavar="NAME", help="kubeconfig context of a cluster target")
    p.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file of a cluster target")


def cluster_scope(args: argparse.Namespace) -> ClusterScope:
    """The cluster flags of a parsed command line (all None for a command without them)."""
    return ClusterScope(
        getattr(args, "namespace", None),
        getattr(args, "context", None),
        getattr(args, "kubeconfig", None),
    )


def parse_target(spec: str, scope: ClusterScope | None = None) -> Target:
    """Turn one thing the user named into a target; BadInput when it cannot be one.

    The order settles spellings that could be two things:

    1. ``-`` is stdin; ``http://`` and ``https://`` are URLs.
    2. **A path that exists wins.** ``pod/api`` is a file if ``./pod/api``
       exists, because a file the user can see is a surer reading than a guess
       at a cluster; to name the pod, run triage from another directory. Such a
       file ending in ``.tar.gz``/``.tgz`` is a bundle.
    3. ``TYPE/NAME`` with a kubectl resource spelling is a Kubernetes reference.
    4. A bare ``NAME`` is a pod only when ``scope`` says the user asked for a
       cluster (``-n``, ``--context``, ``--kubeconfig``); otherwise it is a file
       path (which the loader will report as missing).
    """
    scope = scope or ClusterScope()
    text = spec.strip()
    if not text:
        raise BadInput("an empty name was given", "name a file, - for stdin, or a URL")
    if text == "-":
        return StdinTarget()
    if text.lower().startswith(("http://", "https://")):
        return UrlTarget.of(text)
    if _exists(text):
        return _file_or_bundle(text)
    kube = _kube_ref(text, scope)
    if kube is not None:
        return kube
    return _file_or_bundle(text)


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long: not an existing path
        return False


def _file_or_bundle(path: str) -> FileTarget | BundleTarget:
    if path.lower().endswith(BUNDLE_SUFFIXES):
        return BundleTarget(path)
    return FileTarget(path)


def _kube_ref(text: str, scope: ClusterScope) -> KubeTarget | None:
    """A KubeTarget for ``TYPE/NAME`` (or a bare NAME in a cluster scope), else None."""
    if "/" in text:
        kind, _, name = text.partition("/")
        resource = _resource(kind)
        if resource is None:
            return None  # a relative path such as logs/crash.log
        if not _DNS_SUBDOMAIN.fullmatch(name) or len(name) > 253:
            raise BadInput(
                f"{text}: {name or 'an empty name'!r} is not a valid {resource} name",
                "names are lower-case letters, digits, '-' and '.' (kubectl get "
                f"{resource}s lists them)",
            )
    elif scope.given and _DNS_SUBDOMAIN.fullmatch(text) and len(text) <= 253:
        resource, name = "pod", text
    else:
        return None
    _check_namespace(scope.namespace)
    return KubeTarget(resource, name, scope.namespace, scope.context, scope.kubeconfig)


def _resource(kind: str) -> str | None:
    """The resource a kubectl type spelling names; None when it names none."""
    low = kind.lower()
    for suffix in _APPS_GROUPS:
        if low.endswith(suffix):
            resource = KUBE_ALIASES.get(low.removesuffix(suffix))
            return resource if resource != "pod" else None  # pods are in the core group
    return KUBE_ALIASES.get(low)


def _check_namespace(namespace: str | None) -> None:
    if namespace is not None and (not _DNS_LABEL.fullmatch(namespace) or len(namespace) > 63):
        raise BadInput(
            f"{namespace!r} is not a valid namespace",
            "namespaces are lower-case letters, digits and '-' (kubectl get namespaces)",
        )


def parse_targets(specs: list[str], scope: ClusterScope | None = None) -> list[Target]:
    """Every name on a command line, parsed; stdin may be named only once."""
    targets = [parse_target(spec, scope) for spec in specs]
    if sum(isinstance(t, StdinTarget) for t in targets) > 1:
        raise BadInput("- (stdin) was named more than once", "name it once")
    return targets


def cluster_unavailable(target: KubeTarget, command: str) -> BadInput:
    """The one line for a cluster target given to a command that cannot read one
    (``flame``: a profile of a pod comes from ``triage attach``)."""
    return BadInput(
        f"{target.label}: `triage {command}` cannot read a cluster target yet",
        f"triage attach {target.ref} and press p for a profile",
    )
