"""The resource types this server serves, one table for routing and discovery.

Each entry is what a real kube-apiserver advertises for that resource (group,
version, plural, kind, scope, verbs, short names, subresources), so discovery,
routing, authorization and error messages all read the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

RW_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Subresource:
    """A subresource as discovery lists it (``pods/log``, ``deployments/scale``)."""

    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str = ""  # set when the subresource answers in another group (Eviction, Scale)
    version: str = ""


@dataclass(frozen=True)
class ResourceType:
    """One REST resource: where it lives and what it accepts."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = RW_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    storage: str = ""  # shared storage key (events in two groups), else plural
    virtual: bool = False  # create-only review resources, never stored

    @property
    def api_version(self) -> str:
        """``v1`` for the core group, else ``group/version``."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def store_key(self) -> str:
        """The storage bucket: events.k8s.io and core events share one."""
        return self.storage or self.plural

    def subresource(self, name: str) -> Subresource | None:
        """The named subresource, or None if this type has none by that name."""
        for sub in self.subresources:
            if sub.name == name:
                return sub
        return None


_STATUS_VERBS = ("get", "patch", "update")

RESOURCES: tuple[ResourceType, ...] = (
    ResourceType(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        False,
        short_names=("ns",),
        subresources=(Subresource("status", "Namespace", _STATUS_VERBS),),
    ),
    ResourceType(
        "",
        "v1",
        "nodes",
        "node",
        "Node",
        False,
        short_names=("no",),
        subresources=(Subresource("status", "Node", _STATUS_VERBS),),
    ),
    ResourceType(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        True,
        short_names=("po",),
        categories=("all",),
        subresources=(
            Subresource("eviction", "Eviction", ("create",), "policy", "v1"),
            Subresource("log", "Pod", ("get",)),
            Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
            Subresource("status", "Pod", _STATUS_VERBS),
        ),
    ),
    ResourceType("", "v1", "events", "event", "Event", True, short_names=("ev",)),
    ResourceType(
        "apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", True
    ),
    ResourceType(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        True,
        short_names=("ds",),
        categories=("all",),
        subresources=(Subresource("status", "DaemonSet", _STATUS_VERBS),),
    ),
    ResourceType(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        True,
        short_names=("deploy",),
        categories=("all",),
        subresources=(
            Subresource("scale", "Scale", _STATUS_VERBS, "autoscaling", "v1"),
            Subresource("status", "Deployment", _STATUS_VERBS),
        ),
    ),
    ResourceType(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        True,
        short_names=("rs",),
        categories=("all",),
        subresources=(
            Subresource("scale", "Scale", _STATUS_VERBS, "autoscaling", "v1"),
            Subresource("status", "ReplicaSet", _STATUS_VERBS),
        ),
    ),
    ResourceType(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        True,
        short_names=("sts",),
        categories=("all",),
        subresources=(
            Subresource("scale", "Scale", _STATUS_VERBS, "autoscaling", "v1"),
            Subresource("status", "StatefulSet", _STATUS_VERBS),
        ),
    ),
    ResourceType(
        "events.k8s.io",
        "v1",
        "events",
        "event",
        "Event",
        True,
        short_names=("ev",),
        storage="events",
    ),
    ResourceType(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        "PodDisruptionBudget",
        True,
        short_names=("pdb",),
        subresources=(Subresource("status", "PodDisruptionBudget", _STATUS_VERBS),),
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        False,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        False,
        verbs=("create",),
        virtual=True,
    ),
    ResourceType(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        False,
        verbs=("create",),
        virtual=True,
    ),
)

# Groups in the order /apis lists them (core is served under /api).
GROUPS: tuple[str, ...] = (
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "policy",
)

_BY_PATH: dict[tuple[str, str, str], ResourceType] = {
    (r.group, r.version, r.plural): r for r in RESOURCES
}

_BY_KIND: dict[str, ResourceType] = {}
for _r in RESOURCES:
    _BY_KIND.setdefault(_r.kind, _r)


def lookup(group: str, version: str, plural: str) -> ResourceType | None:
    """The resource served at ``/apis/{group}/{version}/{plural}``, if any."""
    return _BY_PATH.get((group, version, plural))


def by_kind(kind: str) -> ResourceType:
    """The resource of a kind (core Event for ``Event``); KeyError if unknown."""
    return _BY_KIND[kind]


def group_versions(group: str) -> list[str]:
    """The versions served for a group (only v1 here)."""
    return sorted({r.version for r in RESOURCES if r.group == group})


def in_group_version(group: str, version: str) -> list[ResourceType]:
    """Resources served at one group/version, in discovery order (by plural)."""
    return sorted(
        (r for r in RESOURCES if r.group == group and r.version == version),
        key=lambda r: r.plural,
    )
