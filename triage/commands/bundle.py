"""``triage bundle pod/NAME|deployment/NAME``: keep what was seen of a crash in one file.

The pod's (and its owner's) YAML with credentials scrubbed, events, current and
previous logs, the crash and its findings, the fleet signature, the goroutine
dump, CPU and heap profiles, metrics and probe answers, in one ``.tar.gz`` with
a ``manifest.json`` (what, when, which context, who, sizes, what failed and
why). ``triage open BUNDLE`` reads it again, offline.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from triage.errors import BadInput
from triage.targets import KubeTarget, cluster_options, cluster_scope, parse_target


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``bundle`` subcommand."""
    p = sub.add_parser(
        "bundle",
        help="capture a pod's crash, logs, dump, profiles and metrics into one .tar.gz",
        description=(
            "Capture an incident bundle of a pod or workload (its worst pod): object YAML "
            "with credentials scrubbed, events, current and previous logs of every "
            "container, the crash and its findings, the fleet signature, the goroutine "
            "dump, a CPU and a heap profile, metrics and probe answers, with a manifest "
            "saying what could not be collected and why. Reopen it with `triage open`."
        ),
    )
    p.add_argument("source", help="pod/NAME or deployment/NAME (statefulset/, daemonset/)")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="bundle file (default: named by pod and time)"
    )
    p.add_argument(
        "--cpu-seconds", type=int, default=10, metavar="N", help="CPU profile duration (default 10)"
    )
    p.add_argument(
        "--debug1-above",
        type=int,
        default=10_000,
        metavar="N",
        help="above N goroutines take the dump with debug=1 (default 10000)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    cluster_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Collect, write atomically, print where it went (stdout) and what failed (stderr)."""
    from triage.bundle.archive import default_name, write_bundle
    from triage.bundle.collect import Options, collect

    target = parse_target(args.source, cluster_scope(args))
    if not isinstance(target, KubeTarget):
        raise BadInput(
            f"{args.source}: a bundle is taken of a pod or workload",
            "name it as pod/NAME or deployment/NAME (with -n NAMESPACE)",
        )
    if args.cpu_seconds <= 0:
        raise BadInput(f"--cpu-seconds {args.cpu_seconds}: must be positive")
    if args.output and not args.output.lower().endswith((".tar.gz", ".tgz")):
        raise BadInput(f"-o {args.output}: a bundle is a .tar.gz", "name it NAME.tar.gz")

    def say(text: str) -> None:
        if not args.quiet:
            print(f"triage: {text}…", file=sys.stderr)

    options = Options(cpu_seconds=args.cpu_seconds, debug1_above=args.debug1_above)
    bundle = collect(target, options, say)
    path = Path(args.output or default_name(str(bundle.manifest["pod"]), datetime.now(UTC)))
    size = write_bundle(path, bundle)
    for failed in bundle.manifest["failed"]:
        print(f"triage: not collected: {failed['part']}: {failed['reason']}", file=sys.stderr)
    print(f"{path} ({size} bytes, {len(bundle.files)} files)")
    return 0
