"""Open a source line in the user's editor, with the app suspended meanwhile.

``$VISUAL`` then ``$EDITOR`` (split like a shell would: ``code --wait``), given
``+LINE PATH``, which vi, vim, nvim, nano, emacs, micro and helix all read. The
app gives the terminal back with :meth:`textual.app.App.suspend` and redraws
when the editor exits; where it cannot suspend (a headless run, Windows
without a console) the user is told, never left with a broken screen.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping

from textual.app import App, SuspendNotSupported


def editor_command(env: Mapping[str, str], path: str, line: int) -> list[str] | None:
    """The command that opens ``path`` at ``line``; None when no editor is set."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError:
                words = value.split()
            return [*words, f"+{line}", path]
    return None


def run_suspended(app: App[None], command: list[str]) -> str:
    """Run ``command`` in the terminal with the app suspended; ``""`` or why it failed."""
    try:
        with app.suspend():
            result = subprocess.run(command, check=False)
    except SuspendNotSupported:
        return "cannot hand the terminal to an editor here (no suspend in this terminal)"
    except OSError as exc:
        return f"{command[0]}: {exc.strerror or exc} (check $EDITOR)"
    if result.returncode != 0:
        return f"{command[0]} exited with status {result.returncode}"
    return ""
