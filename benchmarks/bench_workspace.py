"""Workspace budgets: first frame, dump shown, memory, and keypress repaint.

* Start-up: ``triage open DUMP`` runs on a pseudo-terminal (80x24). The time
  from just before the process starts to the app's first painted frame, and to
  the frame that shows the dump's groups, come from TRIAGE_MARKS_FILE marks
  (triage/ui/marks.py). Peak RSS is the process's own (wait4).
* Keypress: the app runs headless (Textual's Pilot) at 160x48 with the
  100,000-goroutine dump loaded; each key is pressed and awaited until the app
  is idle again (``pilot.press`` then ``pilot.pause``), so the figure is an upper
  bound of key -> repaint. Median over many presses per pane.

Dumps are the ones benchmarks/bench_goroutines.py generates (cached).
Usage: python benchmarks/bench_workspace.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_goroutines import dump  # noqa: E402


def start_up(path: Path) -> tuple[float, float, float]:
    """(first frame s, dump shown s, peak RSS bytes) of one ``triage open``."""
    marks = Path(tempfile.mkstemp(prefix="triage-marks-")[1])
    env = dict(os.environ, TRIAGE_MARKS_FILE=str(marks), TERM="xterm-256color",
               COLUMNS="80", LINES="24")  # fmt: skip
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "open", str(path)],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    deadline = time.time() + 120
    usage = None
    try:
        while time.time() < deadline and "loaded" not in marks.read_text():
            _drain(master)
        os.write(master, b"q")
        while usage is None and time.time() < deadline:
            _drain(master)
            pid, _, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                usage = ru
    finally:
        os.close(master)
        if usage is None:
            proc.kill()
    times = dict(line.split() for line in marks.read_text().splitlines())
    marks.unlink()
    rss = usage.ru_maxrss * 1024 if usage is not None else float("nan")
    return float(times["first_frame"]) - t0, float(times["loaded"]) - t0, rss


def _drain(master: int) -> None:
    """Read what the app drew, so it never blocks on a full terminal."""
    select.select([master], [], [], 0.02)
    with contextlib.suppress(OSError):
        os.read(master, 1 << 16)


class RefreshClock:
    """Times of finished screen refreshes (wraps the screen's compositor refresh).

    This benchmark-only hook lets a key's cost be measured from the key press
    to the end of the repaint it caused, rather than Pilot's own round trip.
    """

    def __init__(self) -> None:
        self.done: list[float] = []

    def wrap(self, screen: object) -> None:
        original = screen._compositor_refresh  # type: ignore[attr-defined]

        def timed() -> None:
            original()
            self.done.append(time.perf_counter())

        screen._compositor_refresh = timed  # type: ignore[attr-defined]

    async def after(self, pilot: object, start: float, timeout: float = 2.0) -> float:
        """Seconds from ``start`` to the first refresh that ended after it."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ended = [t for t in self.done if t > start]
            if ended:
                return ended[0] - start
            await pilot.pause(0.001)  # type: ignore[attr-defined]
        return float("nan")


async def keypresses(path: Path, presses: int) -> dict[str, tuple[float, float]]:
    """Per pane: (median key -> repaint seconds, median Pilot round trip)."""
    from triage.config import load_config
    from triage.ui.app import Launch, TriageApp
    from triage.ui.keymap import load_keymap

    config, _ = load_config()
    app = TriageApp(Launch(paths=[str(path)]), config, load_keymap(), [])
    results: dict[str, tuple[float, float]] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        from triage.ui.screens.workspace import WorkspaceScreen

        while not isinstance(app.screen, WorkspaceScreen):  # after the splash frame
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        clock = RefreshClock()
        clock.wrap(app.screen)
        plans = {
            "goroutines (j/k)": ("1", ["j", "k"]),
            "flame (arrows)": ("2", ["down", "up"]),
            "health (tab)": ("3", ["tab", "shift+tab"]),
            "pane switch (1/2/3)": ("1", ["2", "3", "1"]),
        }
        for label, (pane, keys) in plans.items():
            await pilot.press(pane)
            await pilot.pause()
            repaint, trip = [], []
            for i in range(presses):
                start = time.perf_counter()
                await pilot.press(keys[i % len(keys)])
                repaint.append(await clock.after(pilot, start))
                await pilot.pause()
                trip.append(time.perf_counter() - start)
            results[label] = (statistics.median(repaint), statistics.median(trip))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.runs} runs")
    for n in (10_000, 100_000):
        path = dump(n)
        runs = [start_up(path) for _ in range(args.runs)]
        first = statistics.median(r[0] for r in runs)
        shown = statistics.median(r[1] for r in runs)
        rss = statistics.median(r[2] for r in runs)
        print(f"{n:>7} goroutines ({path.stat().st_size / 1e6:.1f} MB): first frame {first:.3f} s, "
              f"dump shown {shown:.3f} s, peak RSS {rss / 1e6:.0f} MB")  # fmt: skip
    keys = asyncio.run(keypresses(dump(100_000), args.presses))
    for label, (repaint, trip) in keys.items():
        print(f"keypress, 100,000 goroutines loaded, {label}: key -> repaint median "
              f"{repaint * 1000:.1f} ms (Pilot round trip {trip * 1000:.1f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
