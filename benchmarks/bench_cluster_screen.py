"""The cluster screen on 5,000 pods across 200 deployments (issue 11, point 8).

The project's API server runs in a child process (this script with ``--serve``),
seeded as ``bench_crashes.py`` seeds it, so the app's event loop does not share
a GIL with the server. The app runs headless (``App.run_test``, 200x50) in this
process and the script measures:

- **first render**: from creating the app to the cluster screen showing every
  pod's workload (connect, list pods, ReplicaSets and ControllerRevisions, build
  the model, draw); budget 1.5 s;
- **burst stall**: the server rewrites 500 pods (500 MODIFIED watch events) at
  once; a probe task on the app's event loop sleeps 5 ms in a loop and records
  how late it wakes; the worst lateness while the burst is applied is the UI
  stall. Budget 100 ms.

    python benchmarks/bench_cluster_screen.py --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_BUDGET = 1.5
STALL_BUDGET = 0.100


def serve(args: argparse.Namespace) -> None:
    """Child: seed, print the kubeconfig path, then apply a burst per ``burst N`` line."""
    from benchmarks.bench_crashes import seed
    from tests.support.kube import running_kube
    from triage.kubeserver.resources import by_kind

    with tempfile.TemporaryDirectory() as tmp, running_kube(Path(tmp)) as kube:
        seed(kube.cluster, args.deployments, args.pods, args.crashing, args.namespaces)
        print(kube.kubeconfig(), flush=True)
        for line in sys.stdin:
            n = int(line.split()[1])
            pods = kube.cluster.store.objects(by_kind("Pod").store_key)[:n]
            for pod in pods:
                status = pod["status"]["containerStatuses"][0]
                status["restartCount"] = int(status.get("restartCount") or 0) + 1
                kube.cluster.update("Pod", pod)
            print("done", flush=True)


async def measure(
    server: subprocess.Popen[str], kubeconfig: str, total: int, burst: int
) -> tuple[float, float, float, int]:
    """(seconds to the first full render, CPU seconds of this process meanwhile, worst
    loop lateness in the burst, restarts seen)."""
    from triage.cluster.kubeconfig import ConnectOptions
    from triage.config import load_config
    from triage.ui.app import Launch, TriageApp
    from triage.ui.keymap import load_keymap
    from triage.ui.screens.cluster import ClusterScreen

    config, warnings = load_config()
    start = time.perf_counter()
    cpu_start = time.process_time()
    options = ConnectOptions(kubeconfig=kubeconfig, all_namespaces=True)
    app = TriageApp(Launch(cluster=options), config, load_keymap("default"), warnings)

    def pods() -> int:
        screen = app.screen
        if not isinstance(screen, ClusterScreen):
            return 0
        return sum(len(w.pods) for w in screen.workloads)

    def restarts() -> int:
        screen = app.screen
        return sum(w.restarts for w in screen.workloads) if isinstance(screen, ClusterScreen) else 0

    async with app.run_test(size=(200, 50)) as pilot:
        while pods() < total:
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame with the rows is drawn
        first = time.perf_counter() - start
        first_cpu = time.process_time() - cpu_start
        before = restarts()
        worst = 0.0
        done = asyncio.Event()

        async def probe() -> None:
            nonlocal worst
            while not done.is_set():
                t = time.perf_counter()
                await asyncio.sleep(0.005)
                worst = max(worst, time.perf_counter() - t - 0.005)

        task = asyncio.create_task(probe())
        proc = server
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"burst {burst}\n")
        proc.stdin.flush()
        await asyncio.to_thread(proc.stdout.readline)
        deadline = time.perf_counter() + 10
        while restarts() < before + burst and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # the last batch drawn
        done.set()
        await task
        seen = restarts() - before
    return first, first_cpu, worst, seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--deployments", type=int, default=200)
    parser.add_argument("--pods", type=int, default=25, help="pods per deployment")
    parser.add_argument("--crashing", type=int, default=4, help="crash-looping deployments")
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    child = [sys.executable, __file__, "--serve"] + [
        f"--{k}={getattr(args, k)}" for k in ("deployments", "pods", "crashing", "namespaces")
    ]
    server = subprocess.Popen(child, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    kubeconfig = server.stdout.readline().strip()
    total = args.deployments * args.pods
    firsts: list[float] = []
    cpus: list[float] = []
    stalls: list[float] = []
    try:
        for _ in range(args.runs):
            first, cpu, stall, seen = asyncio.run(measure(server, kubeconfig, total, args.burst))
            cpus.append(cpu)
            if seen < args.burst:
                raise SystemExit(f"only {seen} of {args.burst} updates reached the screen")
            firsts.append(first)
            stalls.append(stall)
    finally:
        server.terminate()
        server.wait()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    first_med, stall_max = statistics.median(firsts), max(stalls)
    print(f"cluster screen, {total} pods in {args.deployments} deployments, -A, 200x50 headless")
    print(
        f"  first render: median {first_med:.2f} s (runs: {', '.join(f'{t:.2f}' for t in firsts)})"
        f"  budget {FIRST_BUDGET} s: {'met' if first_med <= FIRST_BUDGET else 'MISSED'}"
    )
    print(
        "  CPU of the app process to the first render (both threads): "
        + ", ".join(f"{c:.2f}" for c in cpus)
        + " s (run 1 includes importing textual's screens and kubernetes)"
    )
    print(
        f"  {args.burst}-update burst, worst event-loop stall: {stall_max * 1000:.0f} ms "
        f"(runs: {', '.join(f'{s * 1000:.0f}' for s in stalls)})"
        f"  budget {STALL_BUDGET * 1000:.0f} ms: {'met' if stall_max <= STALL_BUDGET else 'MISSED'}"
    )
    print(f"  peak RSS of the app process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
