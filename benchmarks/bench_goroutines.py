"""Goroutine engine: parse + group + diagnose of 10,000 and 100,000-goroutine dumps.

Dumps are fetched from the ``leaky`` target (``/debug/pprof/goroutine?debug=2``
after ``-spawn N``). Each run is a fresh process, so peak RSS is the pipeline's
own; the time is measured inside the process around read + parse + group +
diagnose (interpreter start-up excluded; ``triage analyze`` whole-command time
is reported separately). Median of RUNS runs. "serial" is the library's
default; "2 cores" is what ``triage analyze`` does (a large dump's second half
parsed in a forked child, see triage/goroutines/parallel.py).

Usage: python benchmarks/bench_goroutines.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.targets import leaky  # noqa: E402

CACHE = REPO / ".cache" / "bench"

_PIPELINE = """
import json, resource, sys, time
t0 = time.perf_counter()
from triage.sources import load_file
from triage.goroutines import analyze
from triage.goroutines.parser import parse  # noqa: F401 - imported before timing
from triage.goroutines.diagnose import diagnose  # noqa: F401
from pathlib import Path
t1 = time.perf_counter()
payload = load_file(Path(sys.argv[1]))
result = analyze(payload.data, parallel=sys.argv[2] == "parallel")  # parse + group + diagnose
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": t2 - t1, "imports": t1 - t0, "rss": rss,
                  "goroutines": sum(d.dump.goroutine_count for d in result.dumps),
                  "groups": sum(len(d.groups) for d in result.dumps)}))
"""


def dump(n: int, *, trimpath: bool = False) -> Path:
    """A debug=2 dump of a process with about ``n`` goroutines (cached).

    ``trimpath`` builds the service with ``-trimpath`` (as many release builds
    are): shorter file names, a smaller dump for the same goroutines.
    """
    path = CACHE / f"goroutines-{n}{'-trimpath' if trimpath else ''}.txt"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        flags = ("-trimpath",) if trimpath else ()
        with leaky("-spawn", str(n), build_flags=flags) as svc:
            body = svc.get("/debug/pprof/goroutine?debug=2", timeout=120).content
        path.write_bytes(body)
    return path


def run_pipeline(path: Path, mode: str = "serial") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _PIPELINE, str(path), mode],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    result: dict[str, float] = json.loads(out.stdout)
    return result


def run_cli(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "triage", "analyze", str(path), "--json"],
        stdout=subprocess.DEVNULL, check=True, cwd=REPO,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.runs} runs")
    print(f"{'dump':>26} {'MB':>6} {'serial s':>9} {'2 cores s':>9} {'peak RSS MB':>12} "
          f"{'RSS/input':>9} {'CLI s':>7}")  # fmt: skip
    for n, trim in ((10_000, False), (100_000, False), (100_000, True)):
        path = dump(n, trimpath=trim)
        size = path.stat().st_size
        runs, pruns = [], []
        for _ in range(args.runs):  # alternate, so drifting machine speed hits both alike
            runs.append(run_pipeline(path))
            pruns.append(run_pipeline(path, "parallel"))
        secs = statistics.median(r["seconds"] for r in runs)
        psecs = statistics.median(r["seconds"] for r in pruns)
        rss = statistics.median(r["rss"] for r in runs)
        cli = statistics.median(run_cli(path) for _ in range(args.runs))
        label = f"{int(runs[0]['goroutines'])} goroutines" + (" trimpath" if trim else "")
        print(f"{label:>26} {size / 1e6:6.1f} {secs:9.3f} {psecs:9.3f} {rss / 1e6:12.0f} "
              f"{rss / size:9.2f} {cli:7.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
