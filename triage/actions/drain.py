"""``kubectl drain`` on the API: cordon, classify the node's pods, evict, wait.

The pods are classified as kubectl's filters do (drain/filters.go), first
match deciding: DaemonSet pods are refused unless ``--ignore-daemonsets``
(skipped then; a DaemonSet that no longer exists: deleted with ``--force``),
mirror pods are skipped, emptyDir data is refused unless
``--delete-emptydir-data``, pods with no controller are refused unless
``--force``. Any refusal aborts before anything changes (the node is not even
cordoned). Evictions (policy/v1) run concurrently; a 429 (a disruption budget
says not now) is retried after a pause (5 s, as kubectl) until the timeout;
each pod is then awaited until 404 or a new UID. The preview sends every
eviction with ``dryRun`` so the plan names the pods a budget blocks and why.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from triage.actions import paths
from triage.actions.base import Progress, RequestAction, sleep_until
from triage.actions.diff import unified
from triage.actions.executor import Executor
from triage.actions.model import (
    JSON,
    ActionFailed,
    ApiRequest,
    Check,
    Diff,
    NotFound,
    Plan,
    Risk,
    TooManyRequests,
)
from triage.actions.nodes import cordon_request, node_ref, wait_gone
from triage.errors import TriageError

MIRROR = "kubernetes.io/config.mirror"


@dataclass(frozen=True, slots=True)
class DrainFlags:
    """kubectl drain's options."""

    ignore_daemonsets: bool = False
    delete_emptydir_data: bool = False
    force: bool = False
    disable_eviction: bool = False
    grace_period: int = -1
    #: pause after a 429 before trying the eviction again
    retry_pause: float = 5.0


@dataclass(slots=True)
class PodPlan:
    """One pod of the node and what the drain does with it."""

    namespace: str
    name: str
    uid: str
    verdict: str  # evict | delete | skip | refuse
    why: str = ""
    blocked: str = ""  # the budget's words when the dry run says 429

    @property
    def label(self) -> str:
        """``shop/catalog-abc``."""
        return f"{self.namespace}/{self.name}"


def _finished(pod: JSON) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _controller(pod: JSON) -> JSON | None:
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def classify(pod: JSON, flags: DrainFlags, daemonset_exists: bool) -> tuple[str, str]:
    """(verdict, why) by kubectl's filters, in their order."""
    meta = pod.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return "skip", "already terminating"
    owner = _controller(pod)
    if owner and owner.get("kind") == "DaemonSet" and not _finished(pod):
        if not daemonset_exists and flags.force:
            return "delete", "its DaemonSet is gone (--force)"
        if not flags.ignore_daemonsets:
            return "refuse", "DaemonSet-managed (use --ignore-daemonsets to ignore)"
        return "skip", "DaemonSet-managed"
    if MIRROR in (meta.get("annotations") or {}):
        return "skip", "mirror pod (static, managed by the kubelet)"
    volumes = (pod.get("spec") or {}).get("volumes") or []
    if not (_finished(pod) or flags.delete_emptydir_data) and any("emptyDir" in v for v in volumes):
        return "refuse", "has local storage (emptyDir; use --delete-emptydir-data to override)"
    if owner is None and not _finished(pod):
        if not flags.force:
            return "refuse", "declares no controller (use --force to override)"
        return "delete" if flags.disable_eviction else "evict", "no controller (--force)"
    return ("delete" if flags.disable_eviction else "evict"), ""


def eviction_request(pod: PodPlan, flags: DrainFlags, dry: bool = False) -> ApiRequest:
    """The policy/v1 Eviction (or, with --disable-eviction, the DELETE) of one pod."""
    options: JSON = {}
    if flags.grace_period >= 0:
        options["gracePeriodSeconds"] = flags.grace_period
    if dry and pod.verdict != "delete":
        options["dryRun"] = ["All"]
    pod_path = paths.path("pods", pod.namespace, pod.name)
    if pod.verdict == "delete":
        return ApiRequest(
            "DELETE",
            pod_path,
            {"apiVersion": "v1", "kind": "DeleteOptions", **options},
            what=f"deleting pod {pod.label}",
        )
    body: JSON = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": pod.name, "namespace": pod.namespace},
    }
    if options:
        body["deleteOptions"] = options
    return ApiRequest("POST", pod_path + "/eviction", body, what=f"evicting pod {pod.label}")


_HINT = "the node stays cordoned: retry, or uncordon it"


def _serialised(progress: Progress, lock: threading.Lock) -> Progress:
    """Progress lines from many eviction threads, one at a time (no interleaving)."""

    def say(text: str) -> None:
        with lock:
            progress(text)

    return say


def _failure_line(node: str, failures: dict[str, tuple[str, bool]]) -> str:
    """One line: ``timed out`` or ``failed``, the pods grouped by why (a budget's words)."""
    by_why: dict[str, list[str]] = {}
    for pod, (why, _) in sorted(failures.items()):
        by_why.setdefault(why, []).append(pod)
    head = "timed out" if any(late for _, late in failures.values()) else "failed"
    parts = [f"{why}: {', '.join(pods)}" for why, pods in by_why.items()]
    return f"drain of node/{node} {head}; " + "; ".join(parts)


@dataclass
class Drain(RequestAction):
    """Empty a node before maintenance, or of a sick node's pods."""

    node: str
    flags: DrainFlags = field(default_factory=DrainFlags)
    name = "drain"
    #: seconds between polls of an evicted pod (kubectl: 1 s)
    gone_poll: float = 1.0

    def plan(self, ex: Executor) -> Plan:
        """Read the node and its pods; refuse before any change if a pod is refused."""
        node_path = paths.path("nodes", "", self.node)
        node = ex.read(node_path)
        listed = ex.read(paths.path("pods"), (("fieldSelector", f"spec.nodeName={self.node}"),))
        pods = [self._pod_plan(ex, pod) for pod in listed.get("items") or []]
        refused = [p for p in pods if p.verdict == "refuse"]
        if refused:
            raise ActionFailed(
                f"cannot drain node/{self.node}, nothing was changed: "
                + "; ".join(f"{p.label}: {p.why}" for p in refused),
            )
        moving = [p for p in pods if p.verdict in ("evict", "delete")]
        plan = Plan(
            self.name,
            node_ref(node),
            Risk.HIGH,
            f"drain node/{self.node}: cordon, then "
            + ("delete" if self.flags.disable_eviction else "evict")
            + f" {len(moving)} pod(s)",
            checks=self._checks(moving),
            before={node_path: node},
            data={"pods": pods},
        )
        if not (node.get("spec") or {}).get("unschedulable"):
            plan.requests.append(cordon_request(self.node, True))
        plan.requests.extend(eviction_request(p, self.flags) for p in moving)
        for p in pods:
            if p.verdict == "skip":
                plan.notes.append(f"skip {p.label}: {p.why}")
        return plan

    def _pod_plan(self, ex: Executor, pod: JSON) -> PodPlan:
        meta = pod["metadata"]
        owner = _controller(pod)
        exists = True
        if owner and owner.get("kind") == "DaemonSet" and self.flags.force:
            try:
                ex.read(paths.path("daemonsets", meta["namespace"], str(owner.get("name"))))
            except NotFound:
                exists = False
        verdict, why = classify(pod, self.flags, exists)
        return PodPlan(meta["namespace"], meta["name"], meta.get("uid", ""), verdict, why)

    def _checks(self, moving: list[PodPlan]) -> list[Check]:
        checks = [Check("patch", "nodes", name=self.node), Check("list", "pods")]
        for ns in sorted({p.namespace for p in moving}):
            if self.flags.disable_eviction:
                checks.append(Check("delete", "pods", namespace=ns))
            else:
                checks.append(Check("create", "pods", subresource="eviction", namespace=ns))
        return checks

    def preview(self, ex: Executor, plan: Plan) -> None:
        """Dry-run the cordon (diff) and every eviction (which ones a budget blocks, why)."""
        node_path = paths.path("nodes", "", self.node)
        for request in plan.requests:
            if request.path == node_path:
                after = ex.send(request, dry_run=True)
                title = plan.target.label
                plan.diffs.append(Diff(title, unified(plan.before[node_path], after, title)))
        for pod in plan.data["pods"]:
            if pod.verdict not in ("evict", "delete"):
                continue
            try:
                if pod.verdict == "delete":  # DELETE: ?dryRun=All, as every client sends it
                    ex.send(eviction_request(pod, self.flags), dry_run=True)
                else:  # an Eviction: deleteOptions.dryRun, as kubectl sends it
                    ex.send(eviction_request(pod, self.flags, dry=True))
            except TooManyRequests as exc:
                pod.blocked = "; ".join(exc.causes) or exc.message
                plan.notes.append(f"blocked now: {pod.label}: {pod.blocked}")
            except NotFound:
                plan.notes.append(f"already gone: {pod.label}")
            except TriageError as exc:
                plan.notes.append(f"would fail: {pod.label}: {exc.message}")

    def execute(
        self, ex: Executor, plan: Plan, progress: Progress, deadline: float
    ) -> list[ApiRequest]:
        """Cordon, then evict every pod concurrently; wait for each to be gone."""
        sent: list[ApiRequest] = []
        plan.data["sent"] = sent
        lock = threading.Lock()
        progress = _serialised(progress, threading.Lock())
        if plan.requests and plan.requests[0].path == paths.path("nodes", "", self.node):
            progress(f"node/{self.node} cordoned")
            ex.send(plan.requests[0])
            sent.append(plan.requests[0])
        moving = [p for p in plan.data["pods"] if p.verdict in ("evict", "delete")]
        failures: dict[str, tuple[str, bool]] = {}

        def one(pod: PodPlan) -> None:
            problem = self._move(ex, pod, progress, deadline, sent=sent, lock=lock)
            if problem:
                with lock:
                    failures[pod.label] = problem

        if moving:
            with ThreadPoolExecutor(min(16, len(moving))) as pool:
                list(pool.map(one, moving))
        plan.data["failures"] = failures
        if failures:
            raise ActionFailed(_failure_line(self.node, failures), _HINT)
        return sent

    def _move(
        self,
        ex: Executor,
        pod: PodPlan,
        progress: Progress,
        deadline: float,
        *,
        sent: list[ApiRequest],
        lock: threading.Lock,
    ) -> tuple[str, bool] | None:
        """Evict (retrying on 429) and wait for one pod; None when gone, else
        (why not, whether the time ran out)."""
        request = eviction_request(pod, self.flags)
        while True:
            try:
                ex.send(request)
                with lock:
                    sent.append(request)
                break
            except NotFound:
                return None
            except TooManyRequests as exc:
                why = "; ".join(exc.causes) or exc.message
                if time.monotonic() + self.flags.retry_pause > deadline:
                    return f"still blocked ({why})", True
                progress(f"{pod.label}: {why}; will retry after {self.flags.retry_pause:g}s")
                sleep_until(deadline, self.flags.retry_pause)
            except TriageError as exc:  # kubectl: any other answer fails that pod only
                return exc.message, False
        verb = "deleted" if pod.verdict == "delete" else "evicted"
        pod_path = paths.path("pods", pod.namespace, pod.name)
        try:
            gone = wait_gone(ex, pod_path, pod.uid, deadline, self.gone_poll)
        except TriageError as exc:
            return exc.message, False
        if not gone:
            return f"{verb} but not gone yet", True
        progress(f"pod/{pod.name} {verb}")
        return None

    def verify(self, ex: Executor, plan: Plan, progress: Progress, deadline: float) -> str:
        """Every pod moved: say how many, and how many were left alone."""
        pods = plan.data["pods"]
        moved = sum(1 for p in pods if p.verdict in ("evict", "delete"))
        skipped = sum(1 for p in pods if p.verdict == "skip")
        tail = f", {skipped} skipped" if skipped else ""
        return f"node/{self.node} drained ({moved} pod(s) moved{tail})"
