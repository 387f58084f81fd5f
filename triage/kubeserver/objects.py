"""Builders of realistic Kubernetes objects for seeding the fake cluster.

The shapes follow what a real API server returns for objects made by the
deployment and replicaset controllers and written by a kubelet: owner
references with ``controller: true``, ``pod-template-hash`` labels, the
``deployment.kubernetes.io/revision`` annotation, and container statuses with
``state`` / ``lastState`` exactly where kubectl and the client read them.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
REVISION = "deployment.kubernetes.io/revision"


def rfc3339(moment: dt.datetime) -> str:
    """Second-precision UTC timestamp."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(seconds: float) -> str:
    """A timestamp ``seconds`` before now."""
    return rfc3339(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))


def safe_encode(text: str) -> str:
    """apimachinery's SafeEncodeString: no vowels, no look-alike digits."""
    return "".join(SAFE_ALPHABET[ord(c) % len(SAFE_ALPHABET)] for c in text)


def template_hash(template: JSON) -> str:
    """The ``pod-template-hash`` of a pod template (FNV-1a 32 over its JSON)."""
    h = 0x811C9DC5
    for byte in json.dumps(template, sort_keys=True).encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return safe_encode(str(h))


def pod_suffix(owner: str, index: int) -> str:
    """A stable 5-character pod name suffix, like the generateName ones (27^5 values)."""
    digest = hashlib.sha256(f"{owner}/{index}".encode()).digest()
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:5])


@dataclass
class Termination:
    """A container's last termination (``lastState.terminated``)."""

    exit_code: int = 2
    reason: str = "Error"
    signal: int | None = None
    message: str = ""
    finished_at: str = field(default_factory=lambda: ago(30))
    started_at: str = field(default_factory=lambda: ago(45))

    def as_status(self, container_id: str) -> JSON:
        """The ``terminated`` object of a container status."""
        out: JSON = {"exitCode": self.exit_code}
        if self.signal is not None:
            out["signal"] = self.signal
        out["reason"] = self.reason
        if self.message:
            out["message"] = self.message
        out["startedAt"] = self.started_at
        out["finishedAt"] = self.finished_at
        out["containerID"] = container_id
        return out


@dataclass
class Container:
    """What to seed for one container: spec facts, status and its logs."""

    name: str = "app"
    image: str = "registry.local/app:v1"
    ports: list[JSON] = field(default_factory=list)
    restarts: int = 0
    waiting: str | None = None  # e.g. "CrashLoopBackOff"; None means running
    waiting_message: str = ""
    last: Termination | None = None
    log: str = ""
    previous_log: str | None = None
    probes: JSON = field(default_factory=dict)  # livenessProbe/readinessProbe/...
    env: list[JSON] = field(default_factory=list)
    resources: JSON = field(default_factory=dict)  # requests/limits, as in the spec
    termination_message_policy: str = "File"

    def spec(self) -> JSON:
        """The container as it appears in a pod template."""
        out: JSON = {"name": self.name, "image": self.image}
        if self.ports:
            out["ports"] = [{"protocol": "TCP", **p} for p in self.ports]
        if self.env:
            out["env"] = copy.deepcopy(self.env)
        out["resources"] = copy.deepcopy(self.resources)
        out.update(copy.deepcopy(self.probes))
        out["terminationMessagePath"] = "/dev/termination-log"
        out["terminationMessagePolicy"] = self.termination_message_policy
        out["imagePullPolicy"] = "IfNotPresent"
        return out

    def status(self, pod: str) -> JSON:
        """The container status a kubelet would report."""
        cid = (
            "containerd://"
            + hashlib.sha256(f"{pod}/{self.name}/{self.restarts}".encode()).hexdigest()
        )
        if self.waiting:
            state: JSON = {"waiting": {"reason": self.waiting}}
            if self.waiting_message:
                state["waiting"]["message"] = self.waiting_message
        else:
            state = {"running": {"startedAt": ago(20)}}
        last: JSON = {}
        if self.last is not None:
            prev_id = (
                "containerd://" + hashlib.sha256(f"{pod}/{self.name}/prev".encode()).hexdigest()
            )
            last = {"terminated": self.last.as_status(prev_id)}
        out: JSON = {
            "name": self.name,
            "state": state,
            "lastState": last,
            "ready": self.waiting is None,
            "restartCount": self.restarts,
            "image": self.image,
            "imageID": self.image + "@sha256:" + hashlib.sha256(self.image.encode()).hexdigest(),
            "started": self.waiting is None,
        }
        if not self.waiting:
            out["containerID"] = cid
        return out


def pod_template(labels: dict[str, str], containers: list[Container]) -> JSON:
    """A pod template with the given labels and containers."""
    return {
        "metadata": {"labels": dict(labels)},
        "spec": {
            "containers": [c.spec() for c in containers],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "securityContext": {},
            "schedulerName": "default-scheduler",
        },
    }


def owner_ref(kind: str, obj: JSON) -> JSON:
    """A controller owner reference to ``obj``."""
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def conditions(ready: bool) -> list[JSON]:
    """Pod conditions with Ready/ContainersReady following the containers."""
    flag = "True" if ready else "False"
    t = ago(60)
    return [
        {
            "type": "PodReadyToStartContainers",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": t,
        },
        {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": t},
        {"type": "Ready", "status": flag, "lastProbeTime": None, "lastTransitionTime": t},
        {"type": "ContainersReady", "status": flag, "lastProbeTime": None, "lastTransitionTime": t},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": t},
    ]


@dataclass
class Revision:
    """One revision of a Deployment: its containers and how many pods run it."""

    containers: list[Container]
    pods: int = 0


@dataclass
class Seeded:
    """What :meth:`Cluster.add_deployment` made, by revision number."""

    deployment: JSON
    replicasets: dict[int, JSON] = field(default_factory=dict)
    pods: dict[int, list[JSON]] = field(default_factory=dict)


def workload_status(generation: int, revision: Revision, updated: bool = True) -> JSON:
    ready = revision.pods if all(c.waiting is None for c in revision.containers) else 0
    status: JSON = {
        "observedGeneration": generation,
        "replicas": revision.pods,
        "updatedReplicas": revision.pods if updated else 0,
        "readyReplicas": ready,
        "availableReplicas": ready,
    }
    if revision.pods - ready:
        status["unavailableReplicas"] = revision.pods - ready
    return {k: v for k, v in status.items() if v or k in ("observedGeneration", "replicas")}


def unscheduled() -> JSON:
    """The status of a pod the scheduler found no node for."""
    return {
        "phase": "Pending",
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": ago(0),
                "reason": "Unschedulable",
                "message": "0/1 nodes are available: 1 node(s) were unschedulable.",
            }
        ],
        "qosClass": "BestEffort",
    }
