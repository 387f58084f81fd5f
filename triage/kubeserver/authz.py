"""Bearer tokens, users and RBAC-like rules, answering as the real authorizer.

A request is (user, verb, group, resource, subresource, namespace). A user's
rules grant verbs on resources; ``pods/log`` and ``pods/portforward`` are
separate resources, as in RBAC, so a view-only user can read pods but not
their logs. The reason of an allowed review names the binding, like the RBAC
authorizer ("RBAC: allowed by ClusterRoleBinding ..."); a denied one has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ = frozenset({"get", "list", "watch"})
ALL = frozenset({"*"})


@dataclass(frozen=True)
class Rule:
    """Verbs allowed on resources (``*`` wildcards; ``pods/log`` names a subresource)."""

    verbs: frozenset[str]
    resources: frozenset[str]
    groups: frozenset[str] = ALL
    denied_resources: frozenset[str] = frozenset()

    def allows(self, verb: str, group: str, resource: str) -> bool:
        """True when this rule grants ``verb`` on ``group``/``resource``."""
        if resource in self.denied_resources:
            return False
        verb_ok = "*" in self.verbs or verb in self.verbs
        group_ok = "*" in self.groups or group in self.groups
        res_ok = "*" in self.resources or resource in self.resources
        if not res_ok and "/" in resource:
            res_ok = resource.split("/", 1)[0] + "/*" in self.resources
        return verb_ok and group_ok and res_ok


@dataclass(frozen=True)
class User:
    """An authenticated user: name, uid, groups, rules and the binding that grants them.

    ``system:masters`` members are allowed before RBAC runs, so their reviews
    carry no reason: their ``binding`` is empty.
    """

    name: str
    uid: str
    groups: tuple[str, ...]
    rules: tuple[Rule, ...]
    binding: str = ""
    non_resource_paths: frozenset[str] = field(default_factory=lambda: frozenset({"*"}))


# The view ClusterRole reads everything except secrets and the subresources that
# reach into containers: no pods/log, pods/exec, pods/portforward, pods/eviction.
_VIEW = Rule(
    READ,
    ALL,
    denied_resources=frozenset(
        {"pods/log", "pods/portforward", "pods/exec", "pods/attach", "pods/eviction", "secrets"}
    ),
)
_EVERYTHING = Rule(ALL, ALL)


def default_users() -> dict[str, User]:
    """The three test users, keyed by their bearer token."""
    masters = ("system:masters", "system:authenticated")
    return {
        "admin-token": User(
            "admin",
            "triage-admin",
            masters,
            (_EVERYTHING,),
        ),
        "admin2-token": User(
            "admin2",
            "triage-admin2",
            masters,
            (_EVERYTHING,),
        ),
        "viewer-token": User(
            "viewer",
            "triage-viewer",
            ("system:authenticated",),
            (_VIEW,),
            'ClusterRoleBinding "triage-viewer" of ClusterRole "view" to User "viewer"',
        ),
    }


def full_resource(resource: str, subresource: str) -> str:
    """``pods/log`` form used in rules."""
    return f"{resource}/{subresource}" if subresource else resource


class Authorizer:
    """Maps tokens to users and decides requests."""

    def __init__(self, users: dict[str, User] | None = None) -> None:
        self.users = users if users is not None else default_users()

    def token_for(self, name: str) -> str:
        """The bearer token of a user name (for kubeconfigs); KeyError if unknown."""
        for token, user in self.users.items():
            if user.name == name:
                return token
        raise KeyError(name)

    def from_certificate(self, name: str, groups: tuple[str, ...]) -> User:
        """The user a CA-signed client certificate names (CN = user, O = groups).

        A known user keeps their rules; another name is authenticated but only
        ``system:masters`` membership grants anything, as with RBAC and no bindings.
        """
        for user in self.users.values():
            if user.name == name:
                return user
        rules = (_EVERYTHING,) if "system:masters" in groups else ()
        return User(name, "", (*groups, "system:authenticated"), rules)

    def authenticate(self, token: str) -> User | None:
        """The user of a bearer token, or None (the caller answers 401)."""
        return self.users.get(token)

    def decide(
        self, user: User, verb: str, group: str, resource: str, subresource: str
    ) -> str | None:
        """The RBAC reason when allowed ("" for system:masters), None when denied."""
        wanted = full_resource(resource, subresource)
        for rule in user.rules:
            if rule.allows(verb, group, wanted):
                return f"RBAC: allowed by {user.binding}" if user.binding else ""
        return None

    def decide_path(self, user: User, path: str) -> bool:
        """Non-resource URLs (discovery, /version): every authenticated user may read them."""
        return bool(user.non_resource_paths)
