"""``triage flame``: a pprof profile (file or URL) as a top table, folded stacks or SVG.

Module level only builds the argument parser: protobuf, httpx and the pprof
engine load inside :func:`run`, so ``triage --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage.pprof.model import Profile
    from triage.pprof.query import ProfileQuery
    from triage.pprof.tree import CallTree
    from triage.targets import KubeTarget

DESCRIPTION = """\
Decode a pprof profile (CPU, heap, allocs, mutex, block, goroutine; gzipped
or raw profile.proto) and show where the time, memory or waiting goes.

SOURCE is a file, - for stdin, a URL, or a pod or workload (pod/NAME,
deployment/NAME with -n, --context, --kubeconfig: its CPU profile through the
API server's port-forward; a workload's healthiest running replica). A bare
http://HOST:PORT means the CPU profile (/debug/pprof/profile, 30 s or
--seconds N), as for go tool pprof; any other URL is fetched as given. While
the server collects (?seconds=N), progress is printed on stderr.
"""

EPILOG = """\
outputs (choose one; default: the interactive flame graph on a terminal for
a file, with --type and the filters applied and shown in its header; else the
top table):
  --top N         flat/cum table of the N heaviest functions, like pprof -top
  --folded        folded stacks on stdout (root;caller;leaf VALUE), for
                  flamegraph.pl, speedscope, inferno; with --diff-base the two
                  columns of difffolded.pl (BASE NEW)
  --svg OUT       a standalone SVG flame graph to open in a browser

origin marks: * own module, + dependency, = standard library, ~ runtime

examples:
  triage flame cpu.pb.gz --top 15
  triage flame http://127.0.0.1:6060 --seconds 10 --svg cpu.svg
  triage flame http://127.0.0.1:6060/debug/pprof/heap --type alloc_space
  triage flame after.pb.gz --diff-base before.pb.gz --top 10
  triage flame goroutine.pb.gz --folded > goroutines.folded
"""


def register(subparsers: Any) -> None:
    """Add the ``flame`` subcommand."""
    p = subparsers.add_parser(
        "flame",
        help="profiles and flame graphs (pprof files and URLs)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "source", metavar="SOURCE", help="PATH, - (stdin), URL of a pprof profile, or pod/NAME"
    )
    p.add_argument(
        "--type",
        "-t",
        dest="sample_type",
        metavar="T",
        help="sample type: cpu, samples, alloc_space, alloc_objects, inuse_space, "
        "inuse_objects, contentions, delay, goroutine (default: the profile's own)",
    )
    p.add_argument(
        "--focus", metavar="RE", help="only stacks through a matching frame, rooted there"
    )
    p.add_argument("--ignore", metavar="RE", help="drop stacks with a matching frame")
    p.add_argument("--hide", metavar="RE", help="remove matching frames, keep their samples")
    p.add_argument("--show", metavar="RE", help="keep only matching frames, and every sample")
    p.add_argument(
        "--diff-base",
        metavar="BASE",
        help="subtract this profile (PATH or URL), like go tool pprof -diff_base",
    )
    p.add_argument(
        "--prune",
        type=_percent,
        default=0.1,
        metavar="PCT",
        help="leave out frames under PCT%% of the total in the SVG (default 0.1)",
    )
    p.add_argument(
        "--module",
        metavar="PATH",
        help="the service's own module path for origin colours (default: inferred)",
    )
    p.add_argument("--binary", metavar="PATH", help="the service's Go binary: module path, names")
    p.add_argument("--seconds", type=int, metavar="N", help="collection time for URLs")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="HTTP timeout (plus N)")
    p.add_argument(
        "--sort", choices=("flat", "cum", "name"), default="flat", help="top table order"
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--top", type=_count, metavar="N", help="print the N heaviest (0: all)")
    out.add_argument("--folded", action="store_true", help="print folded stacks")
    out.add_argument("--svg", metavar="OUT", help="write an SVG flame graph to OUT")
    from triage.targets import cluster_options

    cluster_options(p)
    p.set_defaults(func=run)


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < 100:
        raise argparse.ArgumentTypeError("must be a percentage from 0 to under 100")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (all) or more")
    return value


def query_from_args(args: argparse.Namespace) -> ProfileQuery:
    """The flags as one profile query (regexes checked: BadInput names a bad one)."""
    from triage.pprof.query import ProfileQuery

    query = ProfileQuery(
        sample_type=args.sample_type,
        focus=args.focus,
        ignore=args.ignore,
        hide=args.hide,
        show=args.show,
        prune=args.prune,
        diff_base=args.diff_base,
        module=args.module,
    )
    query.filters()  # a bad regex fails here, before anything is fetched
    return query


def run(args: argparse.Namespace) -> int:
    """Load, build the tree, and write the chosen output."""
    from dataclasses import replace

    query = query_from_args(args)
    profile = _load(args.source, args)
    base = _load(args.diff_base, args) if args.diff_base else None
    if args.binary:
        from triage.pprof.symbolize import main_module_of, symbolize

        query = replace(query, module=query.module or main_module_of(args.binary, _warn))
        symbolize(profile, args.binary, _warn)
        if base is not None:
            symbolize(base, args.binary, _warn)
    tree = query.tree(profile, base)
    _check_not_empty(profile, tree, bool(query.filters()))
    try:
        return _output(profile, tree, args)
    finally:
        _leave_to_exit(profile)


def _warn(line: str) -> None:
    """A problem the command works around: one line on stderr, the output goes on."""
    print(f"triage: warning: {line}", file=sys.stderr)


def _leave_to_exit(profile: Profile) -> None:
    """Spare the interpreter's final collection a tree of a million nodes.

    The command's process ends right after this; the tree's parent/child
    cycles would cost a full GC pass (about a second for a 20 MB profile)
    just to be freed at exit. Freezing moves every live object out of the
    collector's reach, so the OS reclaims them instead. Only for large
    profiles, so in-process callers (tests) with small ones are unaffected.
    """
    if len(profile) > 100_000:
        import gc

        gc.freeze()


def _output(profile: Profile, tree: CallTree, args: argparse.Namespace) -> int:
    if args.folded:
        from triage.pprof.folded import write_folded

        write_folded(tree, sys.stdout)
        return 0
    if args.svg:
        return _write_svg(tree, args)
    from triage.pprof.report import top_report
    from triage.textout import Painter, color_enabled

    paint = Painter(color_enabled(sys.stdout, args.color))
    limit = 20 if args.top is None else args.top
    for line in top_report(profile, tree, limit=limit, sort=args.sort, paint=paint):
        sys.stdout.write(line + "\n")
    return 0


def _load(spec: str, args: argparse.Namespace) -> Profile:
    from triage.probes.endpoints import profile_label
    from triage.workspace import load_profile

    live = sys.stderr.isatty()
    what = profile_label(spec)
    open_line = [False]

    def progress(done: int, total: int) -> None:
        line = f"collecting {what} profile: {done}/{total} s"
        if live:
            open_line[0] = done < total
            sys.stderr.write(f"\r{line}" + ("" if open_line[0] else "\n"))
        elif done == 0 or done % 10 == 0 or done >= total:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    from triage.targets import KubeTarget, cluster_scope, parse_target

    target = parse_target(spec, cluster_scope(args))
    if isinstance(target, KubeTarget):
        return _pod_profile(target, args.seconds)
    try:
        return load_profile(target, seconds=args.seconds, timeout=args.timeout, progress=progress)
    finally:
        if open_line[0]:
            sys.stderr.write("\n")  # end the progress line before an error is printed


def _pod_profile(target: KubeTarget, seconds: int | None) -> Profile:
    """The CPU profile of a pod, through the port-forward (the pod fetcher)."""
    from triage.cluster.fetcher import open_pod_fetcher
    from triage.probes.endpoints import DEFAULT_CPU_SECONDS
    from triage.workspace import profile_from

    fetcher = open_pod_fetcher(target)
    try:
        if fetcher.note:
            print(f"triage: note: {fetcher.note}", file=sys.stderr)
        wait = seconds or DEFAULT_CPU_SECONDS
        print(f"collecting CPU profile from {fetcher.label}: {wait} s", file=sys.stderr)
        data = fetcher.profile("profile", wait)
    finally:
        fetcher.close()
    return profile_from(data, f"{fetcher.label} CPU profile")


def _check_not_empty(profile: Profile, tree: CallTree, filtered: bool) -> None:
    from triage.errors import BadInput

    if tree.abs_total:
        return
    kind = tree.sample_type.type
    if not len(profile):
        raise BadInput(
            f"{profile.name}: the profile holds no samples",
            "the process was idle or profiling was off; collect longer or under load",
        )
    if filtered:
        raise BadInput(
            f"{profile.name}: no {kind} samples left after --focus/--ignore/--hide",
            "loosen the regular expressions",
        )
    raise BadInput(
        f"{profile.name}: every {kind} value is zero",
        "pick another sample type with --type",
    )


def _write_svg(tree: CallTree, args: argparse.Namespace) -> int:
    from triage.errors import BadInput
    from triage.pprof.layout import prune
    from triage.pprof.svg import render_svg

    title = f"{tree.sample_type.type} flame graph: {args.source}"
    if args.diff_base:
        title += f" minus {args.diff_base}"
    pruned = prune(tree, args.prune)
    try:
        if args.svg == "-":
            render_svg(pruned, title, sys.stdout)
            return 0
        with open(args.svg, "w", encoding="utf-8") as out:
            count = render_svg(pruned, title, out)
    except OSError as exc:
        raise BadInput(f"{args.svg}: cannot write ({exc.strerror})", "check the path") from None
    print(f"wrote {args.svg}: {count} frames", file=sys.stderr)
    return 0
