"""``triage patch KIND/NAME --template T --set k=v``: a template's patch, preconditioned.

The patch carries the resourceVersion the plan was built from (a
``metadata.resourceVersion`` for merge and strategic patches, one more
``replace`` for a JSON patch), so a concurrent change gets a 409 and a new
plan rather than being overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.actions import paths, templates
from triage.actions.base import Progress, RequestAction
from triage.actions.executor import Executor
from triage.actions.model import JSON_PATCH, ApiRequest, Check, ObjectRef, Plan, Risk
from triage.actions.rollout import wait_rolled_out
from triage.errors import BadInput

_ROLLING = ("deployments", "statefulsets", "daemonsets")


@dataclass
class Patch(RequestAction):
    """Apply a patch template to one object."""

    resource: str
    namespace: str
    target: str
    template: str
    values: dict[str, str] = field(default_factory=dict)
    name = "patch"

    def plan(self, ex: Executor) -> Plan:
        """Load the template, read the object, render the body with its precondition."""
        tpl = templates.load(self.template)
        if tpl.kinds and self.resource not in tpl.kinds:
            raise BadInput(
                f"template {tpl.name} does not apply to {self.resource}",
                "it applies to: " + ", ".join(tpl.kinds),
            )
        obj_path = paths.path(self.resource, self.namespace, self.target)
        obj = ex.read(obj_path)
        meta = obj["metadata"]
        body = templates.render(tpl, self.values, obj)
        rv = meta["resourceVersion"]
        if tpl.content_type == JSON_PATCH:
            if not isinstance(body, list):
                raise BadInput(f"{tpl.source}: a json patch is a list of operations")
            body = [*body, {"op": "replace", "path": "/metadata/resourceVersion", "value": rv}]
        else:
            if not isinstance(body, dict):
                raise BadInput(f"{tpl.source}: a {tpl.name} patch must be a mapping")
            body.setdefault("metadata", {})["resourceVersion"] = rv
        kind = paths.KINDS[self.resource][1]
        ref = ObjectRef(
            kind,
            self.target,
            self.namespace if paths.KINDS[self.resource][2] else "",
            paths.api_version(self.resource),
            meta.get("uid", ""),
            rv,
        )
        values = ", ".join(f"{k}={v}" for k, v in sorted(self.values.items()))
        return Plan(
            self.name,
            ref,
            Risk.HIGH,
            f"patch {kind.lower()}/{self.target} with template {tpl.name}"
            + (f" ({values})" if values else ""),
            requests=[
                ApiRequest(
                    "PATCH",
                    obj_path,
                    body,
                    tpl.content_type,
                    what=f"patching {kind.lower()} {self.target}",
                )
            ],
            checks=[
                Check(
                    "patch",
                    self.resource,
                    paths.group(self.resource),
                    namespace=ref.namespace,
                    name=self.target,
                )
            ],
            before={obj_path: obj},
            notes=[tpl.description] if tpl.description else [],
        )

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Workloads: wait for the rollout; anything else: the patch was accepted."""
        if self.resource in _ROLLING:
            return wait_rolled_out(
                ex, plan.requests[0].path, plan.target.kind, progress, deadline, poll=self.poll
            )
        return f"{plan.target.label} patched"
