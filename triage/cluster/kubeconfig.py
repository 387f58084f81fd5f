"""Which kubeconfig files, context and namespace apply, by kubectl's rules (no kubernetes import).

kubectl's loading rules (client-go ``clientcmd``), which we follow:

- ``--kubeconfig FILE`` alone, and the file must exist;
- else every file of ``KUBECONFIG`` (``:``-separated; missing files are skipped),
  merged: for clusters, contexts and users *the first file to define a name
  wins*, and so does the first non-empty ``current-context``;
- else ``~/.kube/config``;
- with none of these, the in-cluster service account when running in a pod.

The official client merges named entries the same way but lets the *last* file's
``current-context`` win, so we choose the context here and pass it explicitly.
The namespace is ``-n``, else the context's ``namespace``, else ``default``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.errors import BadInput

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


@dataclass(frozen=True, slots=True)
class ConnectOptions:
    """What the user chose on the command line (None: kubectl's default)."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    #: seconds to wait for one answer (kubectl's --request-timeout); None: our default
    request_timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of the loading rules: files, context and namespace."""

    paths: tuple[Path, ...]
    context: str
    namespace: str
    in_cluster: bool = False

    @property
    def merged_path(self) -> str:
        """The files joined as ``KUBECONFIG`` joins them (what the client's merger reads)."""
        return os.pathsep.join(str(p) for p in self.paths)


def parse_duration(text: str) -> float:
    """kubectl's ``--request-timeout``: ``30``, ``30s``, ``2m``, ``1h`` (0: no override)."""
    value = text.strip().lower()
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    scale = 1.0
    if value[-1:] in units:
        scale = units[value[-1]]
        value = value[:-1]
    try:
        seconds = float(value) * scale
    except ValueError:
        raise BadInput(
            f"--request-timeout {text!r} is not a duration", "write e.g. 30s, 2m or 10"
        ) from None
    if seconds < 0:
        raise BadInput(f"--request-timeout {text!r} is negative")
    return seconds


def config_paths(options: ConnectOptions, env: dict[str, str] | None = None) -> list[Path]:
    """The kubeconfig files to read, in precedence order (may be empty)."""
    env = dict(os.environ) if env is None else env
    if options.kubeconfig:
        path = Path(options.kubeconfig).expanduser()
        if not path.is_file():
            raise BadInput(
                f"kubeconfig {options.kubeconfig} does not exist",
                "check the --kubeconfig path",
            )
        return [path]
    listed = env.get("KUBECONFIG")
    if listed:
        found: list[Path] = []
        for part in listed.split(os.pathsep):
            if part:
                path = Path(part).expanduser()
                if path.is_file() and path not in found:
                    found.append(path)
        return found
    home = Path(env.get("HOME") or Path.home()) / ".kube" / "config"
    return [home] if home.is_file() else []


def read_config(path: Path) -> dict[str, Any]:
    """One kubeconfig file as a dict; a broken or empty file is bad input."""
    import yaml  # type: ignore[import-untyped]

    try:
        with path.open(encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except OSError as exc:
        raise BadInput(f"cannot read kubeconfig {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise BadInput(
            f"kubeconfig {path} is not valid YAML{line}", "fix or regenerate the file"
        ) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise BadInput(f"kubeconfig {path} is not a kubeconfig (no mapping at the top)")
    return doc


def select(options: ConnectOptions, env: dict[str, str] | None = None) -> Selection:
    """Apply kubectl's rules: files, then context, then namespace."""
    env = dict(os.environ) if env is None else env
    paths = config_paths(options, env)
    if not paths:
        if env.get("KUBERNETES_SERVICE_HOST") and (SERVICE_ACCOUNT_DIR / "token").is_file():
            return Selection((), "in-cluster", options.namespace or _sa_namespace(), True)
        raise BadInput(
            "no kubeconfig found (no --kubeconfig, KUBECONFIG or ~/.kube/config)",
            "point --kubeconfig or KUBECONFIG at one",
        )
    docs = [read_config(p) for p in paths]
    contexts: dict[str, dict[str, Any]] = {}
    current = ""
    for doc in docs:
        for entry in doc.get("contexts") or []:
            if isinstance(entry, dict) and entry.get("name") is not None:
                contexts.setdefault(str(entry["name"]), entry.get("context") or {})
        if not current and doc.get("current-context"):
            current = str(doc["current-context"])
    name = options.context or current
    if not name:
        raise BadInput(
            "the kubeconfig sets no current-context",
            "pass --context (one of: " + (", ".join(sorted(contexts)) or "none defined") + ")",
        )
    if name not in contexts:
        raise BadInput(
            f"context {name!r} is not in the kubeconfig",
            "pick one of: " + (", ".join(sorted(contexts)) or "none defined"),
        )
    namespace = options.namespace or str(contexts[name].get("namespace") or "default")
    return Selection(tuple(paths), name, namespace)


def _sa_namespace() -> str:
    try:
        return (SERVICE_ACCOUNT_DIR / "namespace").read_text().strip() or "default"
    except OSError:
        return "default"
