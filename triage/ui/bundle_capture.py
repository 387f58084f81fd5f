"""The ``B`` key (``data.bundle``): capture an incident bundle of a pod from the app.

Shared by the workspace (its pod or workload target) and the pod view. The
collection blocks on the API server and a CPU profile (10 s), so it runs in a
thread worker; each step and the result come back as one line through ``say``
(the workspace's status line, the pod view's notifications).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from textual.app import App
from textual.screen import Screen

from triage.config import Config
from triage.errors import TriageError
from triage.targets import KubeTarget

Say = Callable[[str, str], None]  # (text, level: info | warning | error)


def bundle_directory(config: Config | None) -> Path:
    """Where bundles go: ``attach.save_dir`` when set, else the data dir's ``bundles``."""
    if config is not None and config.attach.save_dir:
        return Path(config.attach.save_dir)
    from triage.locations import data_dir

    return data_dir() / "bundles"


def start_capture(screen: Screen[None], ref: KubeTarget, directory: Path, say: Say) -> None:
    """Collect and write in a worker (one at a time: a second B while one runs restarts it)."""
    say(f"capturing a bundle of {ref.label} (about 15 s)…", "info")
    screen.run_worker(
        partial(_capture, screen.app, ref, directory, say),
        thread=True,
        group="bundle",
        exclusive=True,
        exit_on_error=False,
        name="bundle",
    )


def _capture(app: App[None], ref: KubeTarget, directory: Path, say: Say) -> None:
    """(worker thread) Collect, write atomically, say where it went and what is missing."""
    from triage.bundle.archive import default_name, write_bundle
    from triage.bundle.collect import collect

    def progress(text: str) -> None:
        app.call_from_thread(say, f"bundle: {text}…", "info")

    try:
        bundle = collect(ref, progress=progress)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / default_name(str(bundle.manifest["pod"]), datetime.now(UTC))
        size = write_bundle(path, bundle)
    except TriageError as exc:
        app.call_from_thread(say, f"bundle not written: {exc.line()}", "error")
        return
    failed = [str(f["part"]) for f in bundle.manifest["failed"]]
    text = f"bundle written to {path} ({size:,} bytes)"
    if failed:
        text += "; not collected (see its manifest): " + ", ".join(failed)
    app.call_from_thread(say, text, "warning" if failed else "info")
