"""``triage crashes -A --json`` on 5,000 pods across 200 deployments (issue 11, point 8).

Starts the project's API server in this process (loopback, threads), seeds
200 deployments of 25 pods in 10 namespaces — ``--crashing`` of them
crash-looping with a real Go panic (the ``crashers`` target's nil dereference)
as their previous log — and times the whole ``triage crashes -A --json``
process (interpreter start, kubernetes import, lists, log reads, engine,
JSON). Peak RSS is the child's. Budget: 1.5 s median.

    python benchmarks/bench_crashes.py --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster.seed import panic_log  # noqa: E402
from tests.support.kube import running_kube  # noqa: E402
from triage.kubeserver import Container, Revision, Termination  # noqa: E402

BUDGET = 1.5


def seed(cluster: object, deployments: int, pods: int, crashing: int, namespaces: int) -> None:
    """Seed the fleet; every ``deployments // crashing``-th deployment crash-loops."""
    log = panic_log()
    healthy = Container("app", "registry.local/app:v1", log="level=info msg=ready\n")
    broken = Container(
        "app",
        "registry.local/app:v2",
        restarts=5,
        waiting="CrashLoopBackOff",
        last=Termination(exit_code=2, reason="Error", message=log[-4096:]),
        previous_log=log,
        log="level=info msg=starting\n",
    )
    step = max(deployments // max(crashing, 1), 1)
    for ns in range(namespaces):
        cluster.add_namespace(f"team-{ns}")  # type: ignore[attr-defined]
    for i in range(deployments):
        revisions = [Revision([healthy], pods)]
        if crashing and i % step == 0 and i // step < crashing:
            revisions = [Revision([healthy], 0), Revision([broken], pods)]
        cluster.add_deployment(  # type: ignore[attr-defined]
            f"team-{i % namespaces}", f"svc-{i:03d}", revisions
        )


def run_once(kubeconfig: Path) -> tuple[float, float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (user+sys) of the child and of the server (this
    process), and the child's JSON."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage",
            "crashes",
            "-A",
            "--json",
            "--kubeconfig",
            str(kubeconfig),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    server = (server_after.ru_utime - server_before.ru_utime) + (
        server_after.ru_stime - server_before.ru_stime
    )
    if proc.returncode != 0 or proc.stderr:
        raise SystemExit(f"triage crashes failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, cpu, server, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--deployments", type=int, default=200)
    parser.add_argument("--pods", type=int, default=25, help="pods per deployment")
    parser.add_argument("--crashing", type=int, default=4, help="crash-looping deployments")
    parser.add_argument("--namespaces", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_kube(Path(tmp)) as kube:
        t0 = time.perf_counter()
        seed(kube.cluster, args.deployments, args.pods, args.crashing, args.namespaces)
        total = args.deployments * args.pods
        print(f"seeded {total} pods in {time.perf_counter() - t0:.1f} s")
        config = kube.kubeconfig()
        run_once(config)  # warm the server's serialisation caches and the OS page cache
        times: list[float] = []
        cpus: list[float] = []
        servers: list[float] = []
        doc: dict[str, object] = {}
        for _ in range(args.runs):
            elapsed, cpu, server, doc = run_once(config)
            times.append(elapsed)
            cpus.append(cpu)
            servers.append(server)
        workloads = doc["workloads"]
        assert isinstance(workloads, list)
        crashing = sum(len(w["pods"]) for w in workloads)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        median = statistics.median(times)
        print(
            f"triage crashes -A --json: {total} pods, {len(workloads)} crashing workloads, "
            f"{crashing} crashing pods (logs read and analysed)"
        )
        print(
            f"  median {median:.2f} s  min {min(times):.2f} s  max {max(times):.2f} s  "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
        print(f"  CPU of the triage process (user+sys): median {statistics.median(cpus):.2f} s")
        print(f"  CPU of the API server meanwhile: median {statistics.median(servers):.2f} s")
        print(f"  peak RSS of the triage process: {peak:.0f} MB")
        print(f"  budget {BUDGET} s: {'met' if median <= BUDGET else 'MISSED'}")
        sig = workloads[0]["signature"] if workloads else None
        print(f"  first signature: {sig['summary'] if sig else None}")


if __name__ == "__main__":
    main()
