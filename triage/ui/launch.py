"""The app's entry points: bare ``triage``, ``triage open TARGET...``, ``triage attach URL|POD``.

Kept light: argparse only; textual is imported when the app starts. What the
user named is parsed into targets and checked here, before the UI starts, so a
missing file or an empty pipe is one line and exit 2, not a full-screen app.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from triage.errors import BadInput, TriageError
from triage.targets import (
    BundleTarget,
    FileTarget,
    KubeTarget,
    StdinTarget,
    Target,
    UrlTarget,
    cluster_options,
    cluster_scope,
    parse_target,
    parse_targets,
)

if TYPE_CHECKING:
    from triage.cluster.kubeconfig import ConnectOptions
    from triage.goroutines.thresholds import Thresholds
    from triage.pprof.query import ProfileQuery
    from triage.preload import Preload


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
    cluster_options(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``open`` and ``attach``."""
    p = sub.add_parser(
        "open",
        help="open dumps, crash logs and profiles in the workspace",
        description="Open goroutine dumps, logs holding Go crashes, pprof profiles and Go "
        "binaries in the interactive workspace.",
    )
    p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files (- for stdin), pod/NAME, deployment/NAME"
    )
    _ui_options(p)
    p.set_defaults(func=run_open)
    a = sub.add_parser(
        "attach",
        help="watch a live Go process or pod: goroutines, profiles, health and /metrics",
        description="Attach to a Go process's base URL (net/http/pprof, e.g. "
        "http://127.0.0.1:6060): goroutine snapshots with growth, profiles on demand (p), "
        "/healthz /readyz /livez and /metrics. Or to a pod or workload of a cluster "
        "(pod/NAME, deployment/NAME, statefulset/NAME, daemonset/NAME, with -n, --context, "
        "--kubeconfig): its previous container's crash, and live data through the API "
        "server's port-forward (no kubectl needed): pprof from the pod's pprof/debug/http "
        "port, the pod's own liveness/readiness/startup probes, /metrics. A workload "
        "attaches to its healthiest running replica. The target is tried once first: if "
        "nothing answers there, triage says so and exits 3 (4 when forbidden).",
    )
    a.add_argument("url", metavar="TARGET", help="base URL (http://127.0.0.1:6060) or pod/NAME")
    a.add_argument(
        "--direct",
        action="store_true",
        help="reach the pod's IP directly (from a bastion inside the cluster network) "
        "instead of port-forwarding through the API server",
    )
    a.add_argument(
        "--save-dir",
        metavar="DIR",
        help="keep every goroutine snapshot and profile fetched in DIR, as fetched "
        "(named by target and time; triage open reads them)",
    )
    _ui_options(a)
    a.set_defaults(func=run_attach)
    c = sub.add_parser(
        "cluster",
        help="the cluster screen: crashing workloads and pods, kept live",
        description="Open the interactive cluster screen: Deployments, StatefulSets and "
        "DaemonSets with their pods' crash signals, worst first, kept live by watches. "
        "The kubeconfig is read as kubectl reads it.",
    )
    c.add_argument("-n", "--namespace", metavar="NS", help="namespace (default: the context's)")
    c.add_argument("-A", "--all-namespaces", action="store_true", help="every namespace")
    c.add_argument("--context", metavar="NAME", help="kubeconfig context")
    c.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file")
    c.add_argument("--theme", help="dark, light, high-contrast, mono (default: config file)")
    c.add_argument("--keymap", help="default, vim or emacs (default: config file)")
    c.add_argument(
        "--readonly",
        action="store_true",
        help="bind no key that changes the cluster (rollback, drain, patch...)",
    )
    c.set_defaults(func=run_cluster)


def run_attach(args: argparse.Namespace) -> int:
    """``triage attach``: one line and exit 3 when nothing answers at the URL.

    An engineer attaches to a process they believe is running; a refused
    connection at that moment is nearly always a wrong port or a port-forward
    that died with its pod, which no amount of waiting in the UI fixes, so it
    is said at once, as ``curl`` would. Once attached, an outage is shown and
    retried in place: the service can come back.
    """
    target = parse_target(args.url, cluster_scope(args))
    if isinstance(target, KubeTarget):
        return start(targets=[_try_pod(target, args.direct)], args=args)
    if args.direct:
        raise BadInput("--direct applies to pod and workload targets", "drop --direct")
    from triage.probes.client import ProbeClient, normalize_base_url

    url = UrlTarget(normalize_base_url(args.url), base=True)
    with ProbeClient(url.url) as client:
        probe = client.url("/debug/pprof/goroutine?debug=1")  # the smallest listing
        try:
            client.goroutines(debug=1)
        except TriageError as exc:  # said of the URL the user gave, not of the probe's
            exc.message = url.url + exc.message.removeprefix(probe)
            raise
    return start(targets=[url], args=args)


def _try_pod(target: KubeTarget, direct: bool) -> KubeTarget:
    """Reach the pod once before the UI (as for a URL): a missing pod, a denied
    port-forward or an unreachable cluster is one line and its exit code. A pod
    whose port refuses (its container is restarting) still opens: its crash log is
    the point, and the workspace retries the live data in place."""
    from dataclasses import replace

    from triage.cluster.fetcher import open_pod_fetcher

    open_pod_fetcher(target, direct=direct).close()
    return replace(target, direct=direct)


def run_flame(args: argparse.Namespace) -> int:
    """``triage flame FILE`` on a terminal: the workspace with the flame graph in front.

    The flags (type, focus, ignore, hide, show, module) become the workspace's
    profile query, so the flame view shows what the top table would.
    """
    from triage.commands.flame import query_from_args
    from triage.sources import check_openable

    target = check_openable(parse_target(args.source))
    return start(targets=[target], args=args, pane="flame", query=query_from_args(args))


def run_open(args: argparse.Namespace) -> int:
    """``triage open``: every target checked (and stdin read) before the UI starts."""
    import os

    from triage.sources import check_openable

    targets = parse_targets(args.paths, cluster_scope(args))
    for target in targets:
        if isinstance(target, KubeTarget):
            _check_pod(target)
        if isinstance(target, BundleTarget):  # a bad bundle is one line, before the UI
            from triage.bundle.archive import read_bundle

            read_bundle(target.path)
        if isinstance(target, StdinTarget) and os.isatty(0):
            raise BadInput(  # reading the terminal to its end would look like a hang
                "- (stdin) is the terminal, nothing was piped in",
                "pipe a dump in: kubectl logs POD --previous | triage open -",
            )
    return start(targets=[check_openable(t) for t in targets], args=args)


def run_cluster(args: argparse.Namespace) -> int:
    """``triage cluster``: the kubeconfig is checked (one line, exit 2) before the UI starts."""
    from triage.cluster.kubeconfig import ConnectOptions, select

    options = ConnectOptions(
        kubeconfig=args.kubeconfig,
        context=args.context,
        namespace=args.namespace,
        all_namespaces=args.all_namespaces,
    )
    select(options)  # no kubeconfig, unknown context: said now, not in a full-screen app
    return start(targets=[], args=args, cluster=options)


def usable_kubeconfig() -> ConnectOptions | None:
    """kubectl's default kubeconfig, when one names a context (no request is made)."""
    from triage.cluster.kubeconfig import ConnectOptions, select

    options = ConnectOptions()
    try:
        select(options)
    except TriageError:
        return None
    return options


def _check_pod(target: KubeTarget) -> None:
    """The cluster answers and the pod (or workload with pods) exists, before the UI."""
    from triage.cluster.source import open_client, resolve_pod

    client = open_client(target)
    try:
        resolve_pod(client, target)
    finally:
        client.close()


def run_start(args: argparse.Namespace | None = None) -> int:
    """Bare ``triage``: the cluster screen with a usable kubeconfig, else the start screen."""
    return start(targets=[], args=args, cluster=usable_kubeconfig())


def start(
    *,
    targets: list[Target],
    args: argparse.Namespace | None,
    pane: str = "goroutines",
    query: ProfileQuery | None = None,
    cluster: ConnectOptions | None = None,
    hint: str | None = None,
) -> int:
    """Build the app from the config files and the flags, and run it."""
    import os

    from triage.config import load_config

    keys_from_terminal()
    mono = os.environ.get("NO_COLOR") is not None  # before Textual removes it from the env
    config, warnings = load_config()
    save_dir = getattr(args, "save_dir", None)
    if save_dir:
        config.attach.save_dir = str(save_dir)
    preload = _preload(targets, config.thresholds)
    from triage.ui.keymap import load_keymap

    keymap = load_keymap(getattr(args, "keymap", None) or config.keymap)
    from triage.ui.app import Launch, TriageApp

    launch = Launch(
        targets=targets,
        theme=getattr(args, "theme", None),
        source_roots=list(getattr(args, "source_root", []) or []),
        binary=getattr(args, "binary", None),
        mono=mono,
        pane=pane,
        preload=preload,
        query=query,
        cluster=cluster,
        hint=hint,
        read_only=bool(getattr(args, "readonly", False)),
    )
    try:
        TriageApp(launch, config, keymap, warnings).run()
    finally:
        if preload is not None:
            preload.cancel()  # quit before the files were read: no orphan left scanning
    return 0


def keys_from_terminal() -> None:
    """Make fd 0 the terminal when it is not one, before Textual's driver reads keys.

    After ``cat dump.log | triage open -`` has read the pipe to its end, keys
    must come from the terminal, as ``less`` and ``fzf`` take them: fd 0 is
    reopened on ``/dev/tty``. Without a terminal there is no one to press a
    key, so the app does not start.
    """
    import os

    if os.isatty(0):
        return
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        raise BadInput(
            "no terminal to read keys from (stdin is not one, and there is no /dev/tty)",
            "run it in a terminal, or use `triage analyze` for text output",
        ) from None
    os.dup2(tty, 0)
    os.close(tty)


def _preload(targets: list[Target], thresholds: Thresholds | None) -> Preload | None:
    """Read files (and spooled stdin) on the other core while the UI imports and draws."""
    from triage.preload import Preload

    readable = [t for t in targets if isinstance(t, FileTarget | StdinTarget)]
    if not readable or len(readable) != len(targets):
        return None
    if any(isinstance(t, StdinTarget) and t.spool_fd is None for t in readable):
        return None
    return Preload(list(readable), thresholds).start()
