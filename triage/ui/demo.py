"""``triage demo``: every part of triage, tried for real on an embedded crashing cluster.

Starts :class:`triage.demo.session.DemoSession` (API server in-process on
loopback, a private kubeconfig in a temp dir, Go-backed or recorded pods) and
opens the cluster screen on it with a one-line hint; ``--serve`` instead prints
the kubeconfig path and serves until Ctrl-C, for the CLI and kubectl from
another shell. SIGTERM and SIGHUP end it like Ctrl-C: the temp dir is removed
and no child process is left.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from triage.errors import BadInput

if TYPE_CHECKING:
    from triage.demo.session import DemoSession

EPILOG = """\
from another shell, with `triage demo --serve` running:
  export KUBECONFIG=<the path it prints>
  triage crashes -A
  triage analyze deployment/checkout
  triage rollback deployment/checkout --confirm checkout
  triage patch deployment/indexer -n search --template gomemlimit --set value=450MiB
  triage drain node-3
  kubectl get pods -A
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    p = sub.add_parser(
        "demo",
        help="try triage on an embedded crashing cluster (no kubeconfig, loopback only)",
        description="Start a realistic cluster in-process (a crash loop after a bad rollout, a "
        "goroutine leak, an OOMKill, lock contention, a PDB, three nodes) and open the cluster "
        "screen on it. Actions change it for real. Nothing of yours is read or written: the "
        "kubeconfig lives in a temp dir removed on exit.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--serve",
        "--no-ui",
        dest="serve",
        action="store_true",
        help="no UI: print the kubeconfig path and serve until Ctrl-C",
    )
    p.add_argument(
        "--backing",
        choices=("auto", "go", "recorded"),
        default="auto",
        help="pods backed by the real Go programs (needs Go and a checkout), by recorded "
        "artefacts, or auto (Go when possible)",
    )
    p.add_argument("--theme", help="dark, light, high-contrast, mono (default: config file)")
    p.add_argument("--keymap", help="default, vim or emacs (default: config file)")
    p.set_defaults(func=run_demo)


def hint() -> str:
    """What to try first, with the keys the cluster screen really binds."""
    from triage.ui.keys import KEYS

    def key(binding_id: str) -> str:
        return KEYS[binding_id].keys.split(",")[0]

    rollback = next(
        (spec.keys.split(",")[0] for spec in KEYS.values() if "rollback" in spec.action), None
    )
    how = f"{rollback} to roll back" if rollback else "`triage rollback` to roll back"
    return (
        f"demo: checkout crashes since revision 7: {key('cluster.open')} on a checkout pod, "
        f"{key('pod.crash')} for the crash, {how}"
    )


@contextmanager
def _exit_on_signals() -> Iterator[None]:
    """SIGTERM/SIGHUP raise SystemExit in the main thread, so every ``finally`` runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = {s: signal.signal(s, leave) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_demo(args: argparse.Namespace) -> int:
    """Start the demo; the UI on it, or ``--serve``."""
    from triage.demo.golive import GoMissing
    from triage.demo.session import DemoSession

    if not args.serve:
        from triage.ui.launch import keys_from_terminal

        keys_from_terminal()  # no terminal: one line now, before any build or server
    if args.backing != "recorded" and not args.serve:
        print("triage demo: starting (the first run builds the Go programs)…", file=sys.stderr)
    with _exit_on_signals():
        try:
            demo = DemoSession(args.backing).start()
        except GoMissing as exc:
            raise BadInput(str(exc), "or run `triage demo --backing recorded`") from None
        try:
            return _serve(demo) if args.serve else _ui(demo, args)
        finally:
            demo.close()


def _ui(demo: DemoSession, args: argparse.Namespace) -> int:
    from triage.cluster.kubeconfig import ConnectOptions
    from triage.ui.launch import start

    options = ConnectOptions(kubeconfig=str(demo.kubeconfig), all_namespaces=True)
    return start(targets=[], args=args, cluster=options, hint=hint())


def _serve(demo: DemoSession) -> int:
    assert demo.server is not None and demo.backends is not None
    print(f"triage demo: a cluster on {demo.server.url} ({demo.backends.kind} backing)")
    print(f"export KUBECONFIG={demo.kubeconfig}")
    print("then: triage crashes -A | triage analyze deployment/checkout | kubectl get pods -A")
    print("serving; Ctrl-C to stop", flush=True)
    with suppress(KeyboardInterrupt):
        threading.Event().wait()
    return 0
