"""From a finding to a proposed action (proposals only: nothing here changes anything).

Pure rules over plain facts, so the workload and node views can offer the
first suggestion one key away from the approval modal:

- the fleet's crash began with the newest revision, and an earlier revision
  has no crash on record (or ran clean): roll back to that revision;
- the pods were OOMKilled: set GOMEMLIMIT to about 90% of the memory limit
  (when there is one), and second, raise the limit;
- every pod of a node fails while the same workloads run elsewhere: cordon,
  then drain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from triage.actions.history import RevisionRow, last_good


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One proposed action, with the CLI words that would do it and why."""

    action: str  # rollback | patch | cordon | drain
    target: str  # deployment/checkout, node/node-1
    why: str
    args: tuple[str, ...] = field(default_factory=tuple)

    @property
    def command(self) -> str:
        """The equivalent ``triage ...`` command line (for runbooks and the footer)."""
        name = self.target.split("/", 1)[1] if self.action in ("cordon", "drain") else self.target
        return " ".join(("triage", self.action, name, *self.args))


def rollback(
    target: str, since_revision: int | None, table: list[RevisionRow]
) -> Suggestion | None:
    """Roll back when the crash began with the newest revision and an older one looks clean."""
    if since_revision is None or not table:
        return None
    newest = max(r.revision for r in table)
    if since_revision != newest:
        return None
    good = last_good(table)
    if good is not None and good < newest:
        return Suggestion(
            "rollback",
            target,
            f"the crash began with revision {newest}; revision {good} ran clean",
            ("--to-revision", str(good)),
        )
    earlier = [r for r in table if r.revision < newest and not r.restarts]
    if not earlier:
        return None
    prev = max(earlier, key=lambda r: r.revision)
    return Suggestion(
        "rollback",
        target,
        f"the crash began with revision {newest}; revision {prev.revision} has no crash on record",
        ("--to-revision", str(prev.revision)),
    )


_QUANTITY = re.compile(r"^(\d+)(Ki|Mi|Gi|Ti|K|M|G|T)?$")
_UNITS = {
    None: 1,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
}


def gomemlimit_for(limit: str) -> str | None:
    """90% of a Kubernetes memory quantity, in MiB as Go spells it (None if unreadable)."""
    m = _QUANTITY.match(limit.strip())
    if m is None:
        return None
    size = int(m.group(1)) * _UNITS[m.group(2)]
    return f"{max(1, size * 9 // 10 // 2**20)}MiB"


def oom(target: str, container: str, memory_limit: str | None) -> list[Suggestion]:
    """OOMKilled pods: GOMEMLIMIT at 90% of the limit first; raising the limit second."""
    out: list[Suggestion] = []
    value = gomemlimit_for(memory_limit) if memory_limit else None
    if value:
        out.append(
            Suggestion(
                "patch",
                target,
                f"OOMKilled at the {memory_limit} limit: a soft Go heap limit below it makes "
                "the GC work harder before the kernel kills",
                (
                    "--template",
                    "gomemlimit",
                    "--set",
                    f"value={value}",
                    "--set",
                    f"container={container}",
                ),
            )
        )
    out.append(
        Suggestion(
            "patch",
            target,
            "OOMKilled: raise the container's memory limit",
            ("--template", "memory-limit", "--set", "value=...", "--set", f"container={container}"),
        )
    )
    return out


def node(name: str, pods: int, failing: int, healthy_elsewhere: bool) -> list[Suggestion]:
    """Every pod on the node fails, and the same workloads run elsewhere: cordon, drain."""
    if pods == 0 or failing < pods or not healthy_elsewhere:
        return []
    why = f"all {pods} pods on node {name} fail while their workloads run elsewhere"
    return [
        Suggestion("cordon", f"node/{name}", why),
        Suggestion("drain", f"node/{name}", why, ("--ignore-daemonsets",)),
    ]
