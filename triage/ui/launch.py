"""The app's entry points: bare ``triage``, ``triage open PATH...``, ``triage attach URL``.

Kept light: argparse only; textual is imported when the app starts.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.pprof.query import ProfileQuery


def _ui_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--binary",
        metavar="PATH",
        help="the service's Go executable: build info panel, known runtime bugs, crash PCs named",
    )
    p.add_argument("--theme", help="dark, light, high-contrast, mono (default: config file)")
    p.add_argument("--keymap", help="default, vim or emacs (default: config file)")
    p.add_argument(
        "--source-root",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="a checkout or module cache to show frames' source from (repeatable)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``open`` and ``attach``."""
    p = sub.add_parser(
        "open",
        help="open dumps, crash logs and profiles in the workspace",
        description="Open goroutine dumps, logs holding Go crashes, pprof profiles and Go "
        "binaries in the interactive workspace.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files (- for stdin)")
    _ui_options(p)
    p.set_defaults(func=run_open)
    a = sub.add_parser(
        "attach",
        help="watch a live Go process: goroutines, profiles, health and /metrics",
        description="Attach to a Go process's base URL (net/http/pprof, e.g. a "
        "kubectl port-forward to 127.0.0.1:6060): goroutine snapshots with growth, "
        "profiles on demand (p), /healthz /readyz /livez and /metrics.",
    )
    a.add_argument("url", help="base URL, e.g. http://127.0.0.1:6060")
    _ui_options(a)
    a.set_defaults(func=run_attach)


def run_attach(args: argparse.Namespace) -> int:
    """``triage attach``."""
    return start(paths=[], args=args, url=args.url)


def run_flame(args: argparse.Namespace) -> int:
    """``triage flame FILE`` on a terminal: the workspace with the flame graph in front.

    The flags (type, focus, ignore, hide, show, module) become the workspace's
    profile query, so the flame view shows what the top table would.
    """
    from triage.commands.flame import query_from_args

    return start(paths=[args.source], args=args, pane="flame", query=query_from_args(args))


def run_open(args: argparse.Namespace) -> int:
    """``triage open``."""
    return start(paths=args.paths, args=args)


def run_start(args: argparse.Namespace | None = None) -> int:
    """Bare ``triage``: the start screen."""
    return start(paths=[], args=args)


def start(
    *,
    paths: list[str],
    args: argparse.Namespace | None,
    url: str | None = None,
    pane: str = "goroutines",
    query: ProfileQuery | None = None,
) -> int:
    """Build the app from the config files and the flags, and run it."""
    import os

    from triage.config import load_config
    from triage.preload import Preload

    mono = os.environ.get("NO_COLOR") is not None  # before Textual removes it from the env
    config, warnings = load_config()
    # Read the files on the other core while the UI imports and draws.
    preload = (
        Preload(list(paths), config.thresholds).start() if paths and "-" not in paths else None
    )
    from triage.ui.keymap import load_keymap

    keymap = load_keymap(getattr(args, "keymap", None) or config.keymap)
    from triage.ui.app import Launch, TriageApp

    launch = Launch(
        paths=paths,
        url=url,
        theme=getattr(args, "theme", None),
        source_roots=list(getattr(args, "source_root", []) or []),
        binary=getattr(args, "binary", None),
        mono=mono,
        pane=pane,
        preload=preload,
        query=query,
    )
    try:
        TriageApp(launch, config, keymap, warnings).run()
    finally:
        if preload is not None:
            preload.cancel()  # quit before the files were read: no orphan left scanning
    return 0
