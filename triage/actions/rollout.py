"""Waiting for a workload to finish rolling out, by ``kubectl rollout status``'s rules."""

from __future__ import annotations

import time

from triage.actions.base import Progress, sleep_until
from triage.actions.executor import Executor
from triage.actions.model import JSON, ActionFailed


def deployment_state(dep: JSON) -> tuple[bool, str]:
    """(done, what kubectl would print) for one Deployment read."""
    name = dep["metadata"]["name"]
    spec, status = dep.get("spec") or {}, dep.get("status") or {}
    generation = int(dep["metadata"].get("generation") or 0)
    if int(status.get("observedGeneration") or 0) < generation:
        return False, f'waiting for deployment "{name}" spec update to be observed'
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            return False, f'deployment "{name}" exceeded its progress deadline'
    want = int(spec.get("replicas", 1))
    updated = int(status.get("updatedReplicas") or 0)
    replicas = int(status.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    if updated < want:
        return False, f"{updated} out of {want} new replicas have been updated"
    if replicas > updated:
        return False, f"{replicas - updated} old replicas are pending termination"
    if available < updated:
        return False, f"{available} of {updated} updated replicas are available"
    return True, f'deployment "{name}" successfully rolled out'


def generic_state(obj: JSON) -> tuple[bool, str]:
    """StatefulSets and DaemonSets: the controller has seen the change (pods not followed)."""
    name = obj["metadata"]["name"]
    generation = int(obj["metadata"].get("generation") or 0)
    seen = int((obj.get("status") or {}).get("observedGeneration") or 0)
    if seen < generation:
        return False, f'waiting for "{name}" spec update to be observed'
    return True, f'"{name}" spec update observed by its controller'


def wait_rolled_out(
    ex: Executor, path: str, kind: str, progress: Progress, deadline: float, *, poll: float
) -> str:
    """Poll until rolled out; ActionFailed ("timed out") at the deadline, saying where it stood."""
    last = ""
    started = time.monotonic()
    while True:
        obj = ex.read(path)
        done, text = deployment_state(obj) if kind == "Deployment" else generic_state(obj)
        if done:
            return text
        if text != last:
            progress(f"Waiting: {text}")
            last = text
        if not sleep_until(deadline, poll):
            waited = time.monotonic() - started
            raise ActionFailed(
                f"timed out after {waited:.0f}s waiting for the rollout: {text}",
                "look at the pods (triage crashes, kubectl get pods) and decide",
            )
