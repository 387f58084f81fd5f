"""Benchmark: decode + call tree of a large real profile, against ``go tool pprof -top``.

Usage::

    python benchmarks/bench_pprof.py                 # make the profile, 5 rounds
    python benchmarks/bench_pprof.py --rounds 3 --profile big.pb.gz   # reuse a file

The profile comes from tests/targets/profiled: with every allocation sampled
(``-memrate=1``), ``/load?kind=wide&depth=9`` allocates at the end of 4^9 call
paths from two sites, so ``/debug/pprof/allocs`` holds ~500,000 distinct stacks
(about 23 MB uncompressed). Each round runs, one after the other on the same
file: triage's pipeline in a fresh interpreter (timing decode, tree and top
table separately), the whole ``triage flame FILE --top 10`` command, and
``go tool pprof -top -symbolize=none FILE``. Medians are printed, and the
ratio triage/pprof is taken round by round (the same round, the same machine
state) before its median is taken.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support import gotool  # noqa: E402

_INNER = """
import gc, json, sys, time
t0 = time.perf_counter()
from triage.pprof.decode import decode
from triage.pprof.stacks import tree_for
from triage.pprof.views import top_rows
data = open(sys.argv[1], "rb").read()
t1 = time.perf_counter()
profile = decode(data, sys.argv[1])
t2 = time.perf_counter()
tree = tree_for(profile)
t3 = time.perf_counter()
rows = top_rows(tree)[:10]
t4 = time.perf_counter()
print(json.dumps({"import+read": t1 - t0, "decode": t2 - t1, "tree": t3 - t2, "top": t4 - t3,
                  "samples": len(profile), "locations": len(profile.locations),
                  "nodes": tree.node_count(), "functions": len(tree.functions or {})}))
"""


def make_profile(out: Path, depth: int) -> Path:
    """Start the profiled target with every allocation sampled and fetch the wide profile."""
    import httpx

    binary = gotool.build("profiled")
    proc = subprocess.Popen(
        [str(binary), "-memrate=1", "-parked=0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip().removeprefix("listening on ")
        with httpx.Client(base_url=url, timeout=300) as http:
            http.get("/load", params={"kind": "wide", "depth": str(depth)}).raise_for_status()
            resp = http.get("/debug/pprof/allocs")
            resp.raise_for_status()
            out.write_bytes(resp.content)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)
    return out


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=REPO)
    return time.perf_counter() - start, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, help="use this profile instead of making one")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--depth", type=int, default=9)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pprof-"))
    path = args.profile or make_profile(tmp / "wide.pb.gz", args.depth)
    import gzip

    raw_size = len(gzip.decompress(path.read_bytes()))
    print(
        f"profile: {path} {path.stat().st_size / 1e6:.1f} MB gzipped, {raw_size / 1e6:.1f} MB raw"
    )
    pprof = gotool.run_go("tool", "-n", "pprof").strip()
    go_cmd = [str(gotool.go_binary()), "tool", "pprof", "-top", "-symbolize=none", str(path)]
    env = gotool.go_env()
    timed([pprof, "-top", "-symbolize=none", str(path)], env)  # warm the page cache
    phases: dict[str, list[float]] = {}
    whole, gotimes, ratios, inner_ratios = [], [], [], []
    info: dict[str, float] = {}
    for round_ in range(args.rounds):
        _, out = timed([sys.executable, "-c", _INNER, str(path)])
        info = json.loads(out)
        for key in ("import+read", "decode", "tree", "top"):
            phases.setdefault(key, []).append(info[key])
        t_triage, _ = timed([sys.executable, "-m", "triage", "flame", str(path), "--top", "10"])
        t_go, _ = timed(go_cmd, env)
        whole.append(t_triage)
        gotimes.append(t_go)
        ratios.append(t_triage / t_go)
        inner_ratios.append((info["decode"] + info["tree"] + info["top"]) / t_go)
        print(f"round {round_ + 1}: triage {t_triage:.2f}s, go tool pprof {t_go:.2f}s", flush=True)
    med = statistics.median
    print(
        f"samples {info['samples']:.0f}, locations {info['locations']:.0f}, "
        f"tree nodes {info['nodes']:.0f}, functions {info['functions']:.0f}"
    )
    for key, values in phases.items():
        print(
            f"  {key:<12} median {med(values):.3f}s  (min {min(values):.3f}, max {max(values):.3f})"
        )
    inner = [sum(v[i] for k, v in phases.items() if k != "import+read") for i in range(args.rounds)]
    print(f"decode+tree+top (in process)   median {med(inner):.2f}s")
    print(f"triage flame --top 10 (process) median {med(whole):.2f}s")
    print(f"go tool pprof -top (process)    median {med(gotimes):.2f}s")
    print(
        f"ratio triage process / pprof    median {med(ratios):.2f} (per round: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + ")"
    )
    print(f"ratio in-process / pprof        median {med(inner_ratios):.2f}")


if __name__ == "__main__":
    main()
