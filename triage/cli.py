"""The ``triage`` command: argparse front end and the one place errors become exit codes.

Subcommands live in their own modules and register themselves through
``register(subparsers)``; each sets ``func`` to a callable taking the parsed
arguments and returning an exit code. Modules are light at import time so
``triage --help`` and the app's first frame stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from triage import __version__
from triage.errors import EXIT_FAILURE, TriageError

#: subcommand modules, in the order ``--help`` lists them
COMMAND_MODULES = (
    "triage.commands.analyze",
    "triage.commands.flame",
    "triage.commands.binary",
    "triage.commands.crashes",
    "triage.commands.bundle",
    "triage.commands.actions",
    "triage.commands.approvals",
    "triage.ui.demo",
    "triage.ui.launch",
)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as one line (exit 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"triage: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every available subcommand registered."""
    parser = _Parser(
        prog="triage",
        description="Triage crashing Go services: goroutine dumps, profiles, binaries.",
    )
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    parser.add_argument(
        "--readonly",
        action="store_true",
        help="bare triage: open the cluster screen with no key that changes the cluster",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()  # a script or a pipe: no full-screen app
            return 0
        from triage.ui.launch import run_start

        func = run_start
    if _wants_interactive_flame(args):
        from triage.ui.launch import run_flame

        func = run_flame
    try:
        code: int = func(args)
    except TriageError as exc:
        print(f"triage: {exc.line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("triage: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (head, less) went away: not an error worth a line.
        _silence_stdout()
        return 0
    except Exception as exc:
        if os.environ.get("TRIAGE_DEBUG"):
            raise
        print(
            f"triage: internal error ({type(exc).__name__}: {exc}); "
            "rerun with TRIAGE_DEBUG=1 for details and report it",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return code


def _wants_interactive_flame(args: argparse.Namespace) -> bool:
    """``triage flame FILE`` on a terminal, with no output option: the flame graph app."""
    if getattr(args, "command", None) != "flame":
        return False
    from triage.targets import FileTarget, parse_target

    outputs = (args.folded, args.svg, args.top is not None, args.diff_base, args.binary)
    try:
        target = parse_target(args.source)
    except TriageError:
        return False  # the command itself reports it
    if any(outputs) or not isinstance(target, FileTarget):
        return False
    return sys.stdin.isatty() and sys.stdout.isatty()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
