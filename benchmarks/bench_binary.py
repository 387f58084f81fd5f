"""Benchmarks of triage.binary on a generated ~50 MB Go binary; prints figures.

Run: ``python benchmarks/bench_binary.py [--runs N]``. The first run generates
and builds the big binary (about a minute on 2 cores; cached in .cache/go/bin).

Figures (medians of N runs, in-process unless marked "process"):
- build info: open + build info + sections + PIE + build id (budget 100 ms);
- 10,000 PCs including the index build, uniform over .text (worst case: nearly
  every PC in a different function) and profile-like (hot functions); budget 1 s;
- whole processes against the peers: ``triage binary`` vs ``go version -m``
  and ``triage binary --pc -`` vs ``go tool addr2line`` on the same 10,000 PCs;
- the DWARF path (pyelftools) for comparison: the CU index, then one CU decoded.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bigbin import build as build_bigbin  # noqa: E402
from tests.support import gotool  # noqa: E402
from triage.binary import open_binary  # noqa: E402

N_PCS = 10_000


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float, float, float]:
    """(median wall, min wall, max wall, median CPU) milliseconds over ``runs`` runs.

    CPU time is reported too because the machines are shared: other processes
    stretch wall time, not the CPU time this process spends.
    """
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return statistics.median(wall), min(wall), max(wall), statistics.median(cpu)


def text_range(path: Path) -> tuple[int, int]:
    with open_binary(path) as binary:
        sec = binary.image.sections[".text"]
        return sec.addr, sec.addr + sec.size


def uniform_pcs(path: Path, seed: int = 1) -> list[int]:
    lo, hi = text_range(path)
    rng = random.Random(seed)
    return [rng.randrange(lo, hi) for _ in range(N_PCS)]


def profile_pcs(path: Path, seed: int = 2) -> list[int]:
    """PCs as a CPU profile has them: a few hundred hot functions, Zipf-weighted."""
    with open_binary(path) as binary:
        table = binary.symbolizer()._t.pcln
        assert table is not None
        funcs = table.functions()
    rng = random.Random(seed)
    hot = rng.sample(funcs, 300)
    weights = [1 / (rank + 1) for rank in range(len(hot))]
    out = []
    for entry, end, _ in rng.choices(hot, weights, k=N_PCS):
        out.append(rng.randrange(entry, end))
    return out


def one_package_pcs(path: Path, package: str = "example.com/bigbin/p3.") -> list[int]:
    """1,000 PCs in the functions of one generated package (one DWARF CU)."""
    with open_binary(path) as binary:
        table = binary.symbolizer()._t.pcln
        assert table is not None
        funcs = [f for f in table.functions() if f[2].startswith(package)]
    rng = random.Random(3)
    return [rng.randrange(entry, end) for entry, end, _ in rng.choices(funcs, k=1000)]


def dwarf_index_once(path: Path) -> None:
    with open_binary(path) as binary:
        binary.symbolizer(prefer="dwarf").lookup(0)


def build_info_once(path: Path) -> None:
    with open_binary(path) as binary:
        binary.build_info()
        _ = (binary.sections, binary.pie, binary.build_id)


def symbolize_once(path: Path, pcs: list[int], prefer: str = "auto") -> None:
    with open_binary(path) as binary:
        sym = binary.symbolizer(prefer=prefer)
        for pc in pcs:
            sym.lookup(pc, return_address=True)


def process_ms(argv: list[str], runs: int, stdin: str = "") -> float:
    """Median wall milliseconds of a whole process (output discarded)."""
    times = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            env=gotool.go_env(),
            cwd=gotool.TARGETS,
        )
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times[1:])


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / (1 << 20):.0f} GiB"
    except OSError:
        pass
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{os.cpu_count()} cores{mem}, {python}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = args.runs
    path = build_bigbin()
    size_mb = path.stat().st_size / 1e6
    with open_binary(path) as binary:
        nfunc = len(binary.symbolizer()._t.pcln or [])
    print(f"machine: {machine()}")
    print(f"binary: {path.name}, {size_mb:.1f} MB, {nfunc} functions, DWARF and .symtab")
    print(f"runs: {runs} (wall median, min-max; CPU median; ms)")

    def row(label: str, figures: tuple[float, float, float, float]) -> None:
        med, lo, hi, cpu = figures
        print(f"  {label:<52} {med:8.1f}  ({lo:.1f}-{hi:.1f})  cpu {cpu:.1f}")

    row(
        "build info (open, parse, sections, PIE, build id)",
        median_ms(lambda: build_info_once(path), runs),
    )
    uniform, hot = uniform_pcs(path), profile_pcs(path)
    row(
        "10k PCs uniform over .text, incl. index build",
        median_ms(lambda: symbolize_once(path, uniform), runs),
    )
    row(
        "10k PCs profile-like (300 hot funcs), incl. index",
        median_ms(lambda: symbolize_once(path, hot), runs),
    )
    one_cu = one_package_pcs(path)
    slow = max(1, runs // 3)
    row("DWARF: CU index (top DIE of every CU)", median_ms(lambda: dwarf_index_once(path), slow))
    row(
        "DWARF: 1k PCs in one package (decodes 1 CU)",
        median_ms(lambda: symbolize_once(path, one_cu, "dwarf"), slow),
    )

    py = [sys.executable, "-m", "triage", "binary", str(path)]
    go = str(gotool.go_binary())
    stdin = "".join(f"{pc:#x}\n" for pc in uniform)
    ours_bi = process_ms([*py, "--json"], runs)
    peer_bi = process_ms([go, "version", "-m", str(path)], runs)
    ours_pc = process_ms([*py, "--pc", "-", "--json"], runs, stdin)
    peer_pc = process_ms([go, "tool", "addr2line", str(path)], runs, stdin)
    print("whole processes (median ms):")
    print(f"  triage binary --json {ours_bi:8.1f}   go version -m     {peer_bi:8.1f}", end="")
    print(f"   ratio {ours_bi / peer_bi:.2f}")
    print(f"  triage --pc - (10k)  {ours_pc:8.1f}   go tool addr2line {peer_pc:8.1f}", end="")
    print(f"   ratio {ours_pc / peer_pc:.2f}")


if __name__ == "__main__":
    main()
