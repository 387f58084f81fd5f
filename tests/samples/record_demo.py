"""Re-record the demo's Go artefacts (``triage/demo/data/``) from the real Go targets.

Usage (from the repository root): ``python tests/samples/record_demo.py``

``triage demo`` serves these when no Go toolchain is at hand; with one it runs
the same targets live. Every file is listed with how it was made in
``triage/demo/data/MANIFEST.txt`` (this script writes it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import httpx  # noqa: E402

from tests.support import gotool  # noqa: E402
from tests.support.targets import leaky  # noqa: E402

OUT = HERE.parents[1] / "triage" / "demo" / "data"
#: goroutines leaked before each recorded step (the leak grows while you watch)
LEAK_STEPS = (0, 25, 55, 90)
MANIFEST: list[str] = []


def _save(name: str, data: bytes, how: str) -> None:
    (OUT / name).write_bytes(data)
    MANIFEST.append(f"{name}\t{len(data)}\t{how}")


def record_panic() -> None:
    binary = gotool.build("crashers")
    proc = subprocess.run(
        [str(binary), "nil"], capture_output=True, text=True, timeout=60, check=False
    )
    log = "starting checkout v7\nlistening on :6060\n" + proc.stderr
    _save("panic.log", log.encode(), f"crashers nil (exit {proc.returncode}), stderr")


def record_leak() -> None:
    with leaky("-spawn", "20") as svc:
        leaked = 0
        for step, total in enumerate(LEAK_STEPS):
            if total > leaked:
                svc.get(f"/leak?n={total - leaked}")
                leaked = total
            for debug in (1, 2):
                body = svc.get(f"/debug/pprof/goroutine?debug={debug}").content
                _save(
                    f"leak-{step}-debug{debug}.txt",
                    body,
                    f"leaky -spawn 20; GET /leak up to {total}; "
                    f"GET /debug/pprof/goroutine?debug={debug}",
                )
            _save(
                f"leak-{step}-metrics.txt",
                svc.get("/metrics").content,
                f"leaky -spawn 20; GET /leak up to {total}; GET /metrics",
            )
        _save("heap.pb.gz", svc.get("/debug/pprof/heap").content, "leaky; GET /debug/pprof/heap")
        _save(
            "goroutine.pb.gz",
            svc.get("/debug/pprof/goroutine").content,
            "leaky; GET /debug/pprof/goroutine (protobuf)",
        )


def record_contention() -> None:
    binary = gotool.build("profiled")
    proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().removeprefix("listening on ")
        httpx.get(url + "/load?kind=mutex&ms=1500", timeout=30)
        _save(
            "mutex.pb.gz",
            httpx.get(url + "/debug/pprof/mutex", timeout=30).content,
            "profiled; GET /load?kind=mutex&ms=1500; GET /debug/pprof/mutex",
        )

        def load() -> None:
            time.sleep(0.2)
            httpx.get(url + "/load?kind=cpu&ms=2000", timeout=30)

        threading.Thread(target=load).start()
        cpu = httpx.get(url + "/debug/pprof/profile?seconds=2", timeout=30).content
        _save(
            "cpu.pb.gz",
            cpu,
            "profiled; GET /load?kind=cpu&ms=2000 while GET /debug/pprof/profile?seconds=2",
        )
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    record_panic()
    record_leak()
    record_contention()
    go = gotool.run_go("version").strip()
    lines = [
        "# triage demo artefacts, recorded from tests/targets by tests/samples/record_demo.py",
        f"# {go}; {time.strftime('%Y-%m-%d')}",
        "# file\tbytes\thow it was made",
        *MANIFEST,
    ]
    (OUT / "MANIFEST.txt").write_text("\n".join(lines) + "\n")

    print(f"wrote {len(MANIFEST)} files to {OUT}")


if __name__ == "__main__":
    os.chdir(HERE.parents[1])
    main()
