"""Pod, ReplicaSet and ControllerRevision JSON shaped like a real kube-apiserver's.

The shapes (field names, nesting, where ``lastState.terminated`` and
``pod-template-hash`` live) follow the recorded answers in
``/work/shared/reference/kube-apiserver/transcript.jsonl`` (ops
``pods.get.crashloop-status``, ``replicasets.list.checkout``,
``controllerrevisions.list``); the values are the test's.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

#: the termination message of the transcript's crash-looping checkout pod (partial
#: traceback: FallbackToLogsOnError keeps the log's tail, no trailing newline)
CHECKOUT_MESSAGE = (
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x523f26]\n\n"
    "goroutine 21 [running]:\nmain.ownerEmail(...)\n\t/src/checkout/main.go:49\n"
    "main.(*Notifier).formatNotification(0x3b010e29a060?, 0x3b010e314060)\n"
    "\t/src/checkout/main.go:58 +0x2c6\n"
    "main.(*Notifier).notifyOwner(0x3b010e314078, 0xffffffffffffffff?)\n"
    "\t/src/checkout/main.go:67 +0x32\nmain.processJob(...)\n\t/src/checkout/main.go:71\n"
    "main.worker(0x3b010e314078, 0x3b010e304150, 0x3b010e306030, 0x3b010e322000, 0x0?)\n"
    "\t/src/checkout/main.go:91 +0x7b\ncreated by main.main in goroutine 1\n"
    "\t/src/checkout/main.go:110 +0x265"
)


def terminated(
    exit_code: int,
    reason: str = "Error",
    message: str = "",
    finished: str = "2026-12-05T10:16:12Z",
    signal: int | None = None,
) -> JSON:
    out: JSON = {
        "exitCode": exit_code,
        "reason": reason,
        "startedAt": "2026-12-05T10:16:00Z",
        "finishedAt": finished,
    }
    if message:
        out["message"] = message
    if signal is not None:
        out["signal"] = signal
    return out


def container_status(
    name: str = "app",
    *,
    waiting: str | None = None,
    running: bool = False,
    term: JSON | None = None,
    last: JSON | None = None,
    restarts: int = 0,
    ready: bool | None = None,
) -> JSON:
    state: JSON = {}
    if waiting is not None:
        state["waiting"] = {
            "reason": waiting,
            "message": "back-off 5m0s restarting failed container",
        }
    elif term is not None:
        state["terminated"] = term
    elif running:
        state["running"] = {"startedAt": "2026-12-05T10:16:12Z"}
    return {
        "name": name,
        "state": state,
        "lastState": {"terminated": last} if last else {},
        "ready": bool(running) if ready is None else ready,
        "restartCount": restarts,
        "image": "registry.local/app:v7",
        "imageID": "",
    }


def pod(
    name: str,
    *,
    namespace: str = "tx1",
    owner: tuple[str, str] | None = None,
    labels: dict[str, str] | None = None,
    statuses: list[JSON] | None = None,
    created: str = "2026-12-05T09:00:00Z",
    node: str = "tx1-node",
    phase: str = "Running",
    containers: list[JSON] | None = None,
    annotations: dict[str, str] | None = None,
) -> JSON:
    meta: JSON = {
        "name": name,
        "namespace": namespace,
        "uid": f"uid-{name}",
        "resourceVersion": "3013",
        "creationTimestamp": created,
        "labels": labels or {},
    }
    if annotations:
        meta["annotations"] = annotations
    if owner is not None:
        meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": owner[0],
                "name": owner[1],
                "uid": f"uid-{owner[1]}",
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    return {
        "metadata": meta,
        "spec": {
            "containers": containers or [{"name": "app", "image": "registry.local/app:v7"}],
            "nodeName": node,
        },
        "status": {
            "phase": phase,
            "containerStatuses": statuses if statuses is not None else [],
            "startTime": created,
        },
    }


def rs_pod(deployment: str, template_hash: str, suffix: str, **kw: Any) -> JSON:
    labels = {"app": deployment, "pod-template-hash": template_hash}
    return pod(
        f"{deployment}-{template_hash}-{suffix}",
        owner=("ReplicaSet", f"{deployment}-{template_hash}"),
        labels=labels,
        **kw,
    )


def replicaset(deployment: str, template_hash: str, revision: int, namespace: str = "tx1") -> JSON:
    return {
        "metadata": {
            "name": f"{deployment}-{template_hash}",
            "namespace": namespace,
            "labels": {"app": deployment, "pod-template-hash": template_hash},
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": deployment,
                    "uid": f"uid-{deployment}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {"replicas": 3},
        "status": {"replicas": 3},
    }


def controller_revision(owner: str, kind: str, value: str, revision: int) -> JSON:
    return {
        "metadata": {
            "name": f"{owner}-{value}",
            "namespace": "tx1",
            "labels": {"controller.kubernetes.io/hash": value},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": kind, "name": owner, "controller": True}
            ],
        },
        "revision": revision,
    }
