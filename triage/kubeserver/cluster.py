"""The fake cluster's state, with the seeding methods tests and the demo call.

A :class:`Cluster` owns the object store, the container logs and the
authorizer. Seeding goes through the same store writes the HTTP API uses, so
seeded objects get resourceVersions, uids and watch events like any other.
"""

from __future__ import annotations

import copy
import ipaddress
import threading
import time
from collections.abc import Callable
from typing import Any

from triage.kubeserver.authz import Authorizer
from triage.kubeserver.faults import Faults
from triage.kubeserver.logs import LogBook
from triage.kubeserver.objects import (
    REVISION,
    Container,
    Revision,
    Seeded,
    Termination,
    ago,
    conditions,
    owner_ref,
    pod_suffix,
    pod_template,
    template_hash,
    unscheduled,
    workload_status,
)
from triage.kubeserver.resources import by_kind
from triage.kubeserver.store import Store

JSON = dict[str, Any]


class Cluster:
    """In-memory cluster state behind the API server."""

    def __init__(self, authorizer: Authorizer | None = None, events: bool = True) -> None:
        self.store = Store()
        self.logs = LogBook()
        self.authz = authorizer or Authorizer()
        self._ips = iter(ipaddress.ip_network("10.244.0.0/16").hosts())
        self._backends: dict[tuple[str, str, int], tuple[str, int]] = {}
        # How pods of an image behave when a controller creates them (else: running, ready).
        self.image_states: dict[str, Container] = {}
        # Before image_states: (predicate on a template's container spec, behaviour).
        # The first match wins, so a spec change that is not an image change (a
        # GOMEMLIMIT env var, a raised memory limit) can change how new pods behave.
        self.spec_states: list[tuple[Callable[[JSON], bool], Container]] = []
        # Whether seeding and controllers record Events, as the real components do.
        self.record_events = events
        # Controllers run one at a time, as one kube-controller-manager leader would.
        self.reconcile_lock = threading.RLock()
        self.faults = Faults()  # injected failures and latency
        self._event_serial = time.time_ns()

    # -- generic -------------------------------------------------------------

    def put(self, kind: str, obj: JSON) -> JSON:
        """Store a new object of ``kind`` (a copy); return the stored version."""
        rtype = by_kind(kind)
        stored = self.store.create(rtype.store_key, copy.deepcopy(obj), rtype.plural, rtype.group)
        return copy.deepcopy(stored.obj)

    def get(self, kind: str, name: str, namespace: str = "") -> JSON | None:
        """A deep copy of the current object, or None."""
        rtype = by_kind(kind)
        stored = self.store.get(rtype.store_key, (namespace, name))
        return copy.deepcopy(stored.obj) if stored else None

    def update(self, kind: str, obj: JSON) -> JSON:
        """Replace an object (a new resourceVersion; watchers see MODIFIED)."""
        rtype = by_kind(kind)
        stored = self.store.replace(rtype.store_key, copy.deepcopy(obj), rtype.plural, rtype.group)
        return copy.deepcopy(stored.obj)

    def delete(self, kind: str, name: str, namespace: str = "") -> None:
        """Delete an object (watchers see MODIFIED then DELETED)."""
        rtype = by_kind(kind)
        self.store.delete(rtype.store_key, (namespace, name), rtype.plural, rtype.group)
        if kind == "Pod":
            self.logs.forget(namespace, name)

    # -- pods backed by real processes ---------------------------------------

    def back_port(self, namespace: str, pod: str, port: int, address: tuple[str, int]) -> None:
        """Make the pod's ``port`` reach ``address`` (a loopback process) through port-forward."""
        self._backends[(namespace, pod, port)] = address

    def back_image_port(self, image: str, port: int, address: tuple[str, int]) -> None:
        """Make ``port`` of every pod running ``image`` reach ``address`` (new pods too)."""
        self._backends[("", image, port)] = address

    def backend(self, namespace: str, pod: str, port: int) -> tuple[str, int] | None:
        """Where a port-forward to the pod's ``port`` connects, if it is backed."""
        found = self._backends.get((namespace, pod, port))
        if found is not None:
            return found
        obj = self.get("Pod", pod, namespace)
        for container in ((obj or {}).get("spec") or {}).get("containers") or []:
            found = self._backends.get(("", container.get("image", ""), port))
            if found is not None:
                return found
        return None

    def containers_for(self, template: JSON) -> list[Container]:
        """Seeding facts for the containers of a pod a controller creates from ``template``.

        A container spec matched by a ``spec_states`` predicate behaves as its
        Container; else as its image's ``image_states`` entry; else it runs ready.
        """
        out = []
        for spec in (template.get("spec") or {}).get("containers") or []:
            known = next((c for match, c in self.spec_states if match(spec)), None)
            if known is None:
                known = self.image_states.get(spec.get("image", ""))
            fact = copy.deepcopy(known) if known else Container()
            fact.name, fact.image = spec["name"], spec.get("image", "")
            out.append(fact)
        return out

    def next_serial(self) -> int:
        """A number never handed out before (generated names, event names)."""
        with self.reconcile_lock:
            self._event_serial += 1
            return self._event_serial

    def free_pod_name(self, namespace: str, owner: str, index: int) -> str:
        """``owner-xxxxx``: a stable generated name no pod in the namespace has yet."""
        while True:
            name = f"{owner}-{pod_suffix(owner, index)}"
            if self.get("Pod", name, namespace) is None:
                return name
            index += 1_000_003

    def add_event(
        self,
        regarding: JSON,
        kind: str,
        reason: str,
        message: str,
        *,
        component: str,
        warning: bool = False,
        count: int = 1,
        field_path: str = "",
    ) -> JSON | None:
        """Record a core Event about ``regarding`` as a controller or kubelet would."""
        if not self.record_events:
            return None
        meta = regarding["metadata"]
        serial = self.next_serial()
        involved = {
            "kind": kind,
            "namespace": meta.get("namespace", "default"),
            "name": meta["name"],
            "uid": meta["uid"],
            "apiVersion": by_kind(kind).api_version,
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if field_path:
            involved["fieldPath"] = field_path
        return self.put(
            "Event",
            {
                "metadata": {
                    "name": f"{meta['name']}.{serial:x}",
                    "namespace": involved["namespace"],
                },
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "source": {"component": component},
                "firstTimestamp": ago(600),
                "lastTimestamp": ago(30),
                "count": count,
                "type": "Warning" if warning else "Normal",
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": "",
            },
        )

    def crash_container(
        self,
        namespace: str,
        pod: str,
        container: str,
        termination: Termination,
        *,
        log: str = "",
        waiting: str = "CrashLoopBackOff",
    ) -> JSON:
        """A container dies and restarts: its log becomes the previous one, the status says so.

        ``restartCount`` grows, ``lastState.terminated`` is ``termination``, the
        state is ``waiting`` (CrashLoopBackOff) and the pod is not ready; watchers
        see one MODIFIED event. ``log`` is what the dead container printed.
        """
        current = self.get("Pod", pod, namespace)
        if current is None:
            raise KeyError(f"pod {namespace}/{pod}")
        key = (namespace, pod, container)
        if log:
            self.logs.write(key, log)
        self.logs.restart(key)
        status = current["status"]
        for cs in status.get("containerStatuses") or []:
            if cs["name"] == container:
                cs["restartCount"] = int(cs.get("restartCount", 0)) + 1
                cs["lastState"] = {"terminated": termination.as_status(cs.get("containerID", ""))}
                cs["state"] = {"waiting": {"reason": waiting}}
                cs["ready"] = False
                cs["started"] = False
                cs.pop("containerID", None)
        status["conditions"] = conditions(
            all(cs.get("ready") for cs in status.get("containerStatuses") or [])
        )
        return self.update("Pod", current)

    def _started(self, pod: str, containers: list[Container], phase: str = "Running") -> JSON:
        """The status a kubelet reports once the pod's containers have started."""
        ip = str(next(self._ips))
        statuses = [c.status(pod) for c in containers]
        return {
            "phase": phase,
            "conditions": conditions(all(s["ready"] for s in statuses)),
            "hostIP": "172.18.0.2",
            "hostIPs": [{"ip": "172.18.0.2"}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": ago(3600),
            "containerStatuses": statuses,
            "qosClass": "BestEffort",
        }

    def bind_pod(self, pod: JSON, node: str) -> JSON:
        """Schedule a pending pod on ``node``; its containers start as their image behaves."""
        containers = self.containers_for({"spec": pod["spec"]})
        pod["spec"]["nodeName"] = node
        pod["status"] = self._started(pod["metadata"]["name"], containers)
        bound = self.update("Pod", pod)
        for c in containers:
            key = (pod["metadata"]["namespace"], pod["metadata"]["name"], c.name)
            if c.previous_log is not None:
                self.logs.write(key, c.previous_log, previous=True)
            self.logs.write(key, c.log)
        return bound

    # -- seeding -------------------------------------------------------------

    def add_namespace(self, name: str) -> JSON:
        """A namespace in phase Active."""
        return self.put(
            "Namespace",
            {
                "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            },
        )

    def add_node(self, name: str, unschedulable: bool = False) -> JSON:
        """A Ready node (optionally cordoned)."""
        spec: JSON = {"podCIDR": "10.244.0.0/24"}
        if unschedulable:
            spec["unschedulable"] = True
        return self.put(
            "Node",
            {
                "metadata": {
                    "name": name,
                    "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                },
                "spec": spec,
                "status": {
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": ago(5),
                            "lastTransitionTime": ago(3600),
                        }
                    ],
                    "addresses": [
                        {"type": "InternalIP", "address": "172.18.0.2"},
                        {"type": "Hostname", "address": name},
                    ],
                    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                    "nodeInfo": {
                        "machineID": "0" * 32,
                        "systemUUID": "0" * 32,
                        "bootID": "0" * 32,
                        "kernelVersion": "6.1.0",
                        "osImage": "Debian GNU/Linux 12 (bookworm)",
                        "containerRuntimeVersion": "containerd://1.7.0",
                        "kubeletVersion": "v1.32.0",
                        "kubeProxyVersion": "v1.32.0",
                        "operatingSystem": "linux",
                        "architecture": "amd64",
                    },
                },
            },
        )

    def add_deployment(
        self,
        namespace: str,
        name: str,
        revisions: list[Revision],
        node: str = "node-1",
        labels: dict[str, str] | None = None,
    ) -> Seeded:
        """A Deployment with one ReplicaSet per revision (1-based) and their pods.

        The last revision is the Deployment's current template; its ReplicaSet
        has the Deployment's replicas, older ones keep the pods they are given
        (normally 0, as after a finished rollout).
        """
        selector = dict(labels or {"app": name})
        current = revisions[-1]
        template = pod_template(selector, current.containers)
        deployment = self.put(
            "Deployment",
            {
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "creationTimestamp": ago(86400),
                    "generation": len(revisions),
                    "labels": dict(selector),
                    "annotations": {REVISION: str(len(revisions))},
                },
                "spec": {
                    "replicas": current.pods,
                    "selector": {"matchLabels": dict(selector)},
                    "template": template,
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
                    },
                    "revisionHistoryLimit": 10,
                    "progressDeadlineSeconds": 600,
                },
                "status": workload_status(len(revisions), current),
            },
        )
        seeded = Seeded(deployment)
        for number, revision in enumerate(revisions, start=1):
            rs = self._add_replicaset(deployment, number, revision, selector)
            seeded.replicasets[number] = rs
            if revision.pods:
                self.add_event(
                    deployment,
                    "Deployment",
                    "ScalingReplicaSet",
                    f"Scaled up replica set {rs['metadata']['name']} from 0 to {revision.pods}",
                    component="deployment-controller",
                )
            seeded.pods[number] = [
                self.add_pod(
                    namespace,
                    self.free_pod_name(namespace, rs["metadata"]["name"], i),
                    revision.containers,
                    owner=rs,
                    node=node,
                    labels=rs["spec"]["template"]["metadata"]["labels"],
                )
                for i in range(revision.pods)
            ]
        return seeded

    def _add_replicaset(
        self, deployment: JSON, number: int, revision: Revision, selector: dict[str, str]
    ) -> JSON:
        template = pod_template(selector, revision.containers)
        hash_ = template_hash(template)
        template["metadata"]["labels"]["pod-template-hash"] = hash_
        name = f"{deployment['metadata']['name']}-{hash_}"
        return self.put(
            "ReplicaSet",
            {
                "metadata": {
                    "name": name,
                    "namespace": deployment["metadata"]["namespace"],
                    "creationTimestamp": ago(86400 - 3600 * number),
                    "labels": dict(template["metadata"]["labels"]),
                    "annotations": {
                        REVISION: str(number),
                        "deployment.kubernetes.io/desired-replicas": str(
                            deployment["spec"]["replicas"]
                        ),
                        "deployment.kubernetes.io/max-replicas": str(
                            deployment["spec"]["replicas"] + 1
                        ),
                    },
                    "ownerReferences": [owner_ref("Deployment", deployment)],
                    "generation": 1,
                },
                "spec": {
                    "replicas": revision.pods,
                    "selector": {"matchLabels": dict(template["metadata"]["labels"])},
                    "template": template,
                },
                "status": workload_status(1, revision, updated=False),
            },
        )

    def add_pod(
        self,
        namespace: str,
        name: str,
        containers: list[Container],
        *,
        owner: JSON | None = None,
        node: str = "node-1",
        labels: dict[str, str] | None = None,
        phase: str = "Running",
        age: float = 3600,
        template_spec: JSON | None = None,
    ) -> JSON:
        """A scheduled pod with kubelet-like status; its containers' logs are written too."""
        metadata: JSON = {
            "name": name,
            "namespace": namespace,
            "creationTimestamp": ago(age),
            "labels": dict(labels or {}),
        }
        if owner is not None:
            metadata["generateName"] = owner["metadata"]["name"] + "-"
            metadata["ownerReferences"] = [owner_ref("ReplicaSet", owner)]
        template = pod_template(labels or {}, containers)
        if template_spec is not None:
            template["spec"] = copy.deepcopy(template_spec)
        spec = dict(
            template["spec"],
            nodeName=node,
            serviceAccountName="default",
            enableServiceLinks=True,
            priority=0,
        )
        if not node:
            del spec["nodeName"]
            pod = self.put("Pod", {"metadata": metadata, "spec": spec, "status": unscheduled()})
            if owner is not None:
                self.add_event(
                    owner,
                    "ReplicaSet",
                    "SuccessfulCreate",
                    f"Created pod: {name}",
                    component="replicaset-controller",
                )
            return pod
        pod = self.put(
            "Pod",
            {"metadata": metadata, "spec": spec, "status": self._started(name, containers, phase)},
        )
        if owner is not None:
            self.add_event(
                owner,
                "ReplicaSet",
                "SuccessfulCreate",
                f"Created pod: {name}",
                component="replicaset-controller",
            )
        for c in containers:
            if c.waiting == "CrashLoopBackOff":
                self.add_event(
                    pod,
                    "Pod",
                    "BackOff",
                    f"Back-off restarting failed container {c.name} in pod "
                    f"{name}_{namespace}({pod['metadata']['uid']})",
                    component="kubelet",
                    warning=True,
                    count=max(1, c.restarts),
                    field_path=f"spec.containers{{{c.name}}}",
                )
        for c in containers:
            key = (namespace, name, c.name)
            if c.previous_log is not None:
                self.logs.write(key, c.previous_log, previous=True)
            self.logs.write(key, c.log)
        return pod
