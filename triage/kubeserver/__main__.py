"""Run the API server by hand: ``python -m triage.kubeserver --kubeconfig PATH [--crash-log FILE]``.

Seeds the ``shop`` scenario (a crash-looping ``checkout``, a PDB-guarded
``catalog``), writes kubeconfigs for admin, admin2 and viewer next to PATH,
and serves on 127.0.0.1 until interrupted. For checking triage and kubectl
against it in tmux.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import tempfile
import threading
from pathlib import Path

from triage.kubeserver import KubeServer, kubeconfig
from triage.kubeserver.scenarios import seed_shop
from triage.kubeserver.tlscert import TLSUnavailable, make_cert


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM; exit 2 on bad arguments."""
    parser = argparse.ArgumentParser(prog="python -m triage.kubeserver", description=__doc__)
    parser.add_argument("--kubeconfig", type=Path, required=True, help="admin kubeconfig to write")
    parser.add_argument(
        "--crash-log", type=Path, help="text the crashing pods printed (a Go panic)"
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free)")
    parser.add_argument(
        "--no-tls", action="store_true", help="plain HTTP (kubectl then sends no token)"
    )
    args = parser.parse_args(argv)
    try:
        crash_log = (
            args.crash_log.read_text() if args.crash_log else "panic: (no --crash-log given)\n"
        )
    except OSError as exc:
        print(f"cannot read --crash-log: {exc.strerror}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="triage-kubeserver-") as tmp:
        try:
            cert = None if args.no_tls else make_cert(Path(tmp))
        except TLSUnavailable as exc:
            print(f"{exc}; or pass --no-tls", file=sys.stderr)
            return 2
        server = KubeServer(port=args.port, tls=cert).start()
        try:
            server.cluster.add_namespace("default")
            seed_shop(server.cluster, crash_log)
            for user in ("admin", "admin2", "viewer"):
                path = (
                    args.kubeconfig
                    if user == "admin"
                    else args.kubeconfig.with_name(f"{args.kubeconfig.name}-{user}")
                )
                text = kubeconfig.render(
                    server.url,
                    user,
                    server.token(user),
                    namespace="shop",
                    ca_cert=cert.ca if cert else None,
                )
                print(f"{user}: {kubeconfig.write(path, text)}", flush=True)
            print(f"serving {server.url}; Ctrl-C to stop", flush=True)
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
