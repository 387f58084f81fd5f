"""Re-record the committed samples from the real Go targets.

Usage (from the repository root): python tests/samples/record.py

checkout-sigquit.log
    The ``leaky`` service with 600 goroutines in the usual shapes, 300
    leaked request goroutines, 60 handlers stuck on a downstream socket read
    and 60 on an outbound HTTP call, killed with SIGQUIT (what a liveness-probe
    timeout or ``kill -QUIT`` gives); its stderr as ``kubectl logs --previous
    --timestamps`` would show it, after a few ordinary log lines.
"""

from __future__ import annotations

import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.support.targets import hang_requests, leaky  # noqa: E402


def record_sigquit() -> None:
    with leaky("-spawn", "600") as svc:
        svc.get("/leak?n=300")
        hang_requests(svc.url + "/downstream?mode=read", 60)
        hang_requests(svc.url + "/downstream?mode=http", 60)
        svc.proc.send_signal(signal.SIGQUIT)
        _, err = svc.proc.communicate(timeout=30)
    start = datetime(2026, 11, 22, 3, 14, 7, tzinfo=UTC)
    lines = [
        'level=info msg="listening" addr=:8080',
        'level=info msg="cache warmed" entries=18230',
        'level=warn msg="slow downstream" service=inventory p99=2.3s',
        *err.splitlines(),
    ]
    out = []
    for i, line in enumerate(lines):
        stamp = (start + timedelta(microseconds=i * 37)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        out.append(f"{stamp} {line}")
    (HERE / "checkout-sigquit.log").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    record_sigquit()
