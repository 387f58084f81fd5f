"""Flame graph widget: keypress (move, zoom) -> repaint on a 100,000+ node tree.

Budget (issue 3, point 8): a move or zoom key repaints in <= 30 ms, measured
headless with Pilot.

The tree is generated (deterministic): Go-like names from own, dependency,
standard library and runtime packages, stacks 8 to 40 frames deep whose frames
are drawn from skewed choices, so prefixes are shared the way real profiles
share them; the generated tree has more than 100,000 nodes. A minimal App hosts
only the FlameGraph, 160x48 (and 60x20), dark theme.

Three figures per key, all medians over many presses:

* **press -> idle**: ``await pilot.press(key)`` then ``await pilot.pause()``,
  timed with ``perf_counter``: the key event, the binding, the action, the
  refresh and the compositor's repaint of the dirty region (headless: strips
  rendered, nothing written). An upper bound of key -> repaint, including
  Pilot's own idle polling.
* **key -> painted**: from the moment the key event is posted to the end of the
  first screen update after it (the app's ``_display`` hook, private API used
  here only), i.e. the repaint the user sees.
* **action**: the binding's action method alone (layout, movement, state).

Usage: python benchmarks/bench_flame_widget.py [--runs N] [--presses N] [--cold]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textual.app import App, ComposeResult  # noqa: E402

from triage.pprof.model import ValueType  # noqa: E402
from triage.pprof.tree import CallTree, Frame, tree_from_stacks  # noqa: E402
from triage.ui import themes  # noqa: E402
from triage.ui.widgets.flame import FlameGraph  # noqa: E402
from triage.ui.widgets.flame_view import FlameView  # noqa: E402

PACKAGES = [
    "main",
    "example.com/shop/internal/store",
    "example.com/shop/internal/api",
    "github.com/jackc/pgx/v5/pgxpool",
    "google.golang.org/grpc",
    "net/http",
    "encoding/json",
    "sync",
    "runtime",
]


def stacks(count: int, seed: int = 7) -> Iterator[tuple[list[Frame], int]]:
    """``count`` stacks: skewed choices at each level give shared prefixes and long tails."""
    rng = random.Random(seed)
    names = [f"{p}.F{i}" for p in PACKAGES for i in range(400)]
    for _ in range(count):
        depth = rng.randint(8, 40)
        frames = [Frame("runtime.goexit"), Frame("main.main")]
        state = 0
        for level in range(depth):
            state = (state * 31 + min(int(rng.expovariate(0.6)), 40) + level) % len(names)
            frames.append(Frame(names[state], f"/src/{level}.go", level + 1))
        yield frames, rng.randint(1, 1000) * 10_000_000


def big_tree(minimum: int = 100_000) -> CallTree:
    count = 6000
    while True:
        tree = tree_from_stacks(stacks(count), ValueType("cpu", "nanoseconds"))
        if tree.node_count() >= minimum:
            return tree
        count = count * 3 // 2


class Timed(FlameGraph):
    """Times the move/zoom actions themselves."""

    action_times: list[float]

    def action_move(self, direction: str) -> None:
        t0 = time.perf_counter()
        super().action_move(direction)
        self.action_times.append(time.perf_counter() - t0)

    def action_zoom(self) -> None:
        t0 = time.perf_counter()
        super().action_zoom()
        self.action_times.append(time.perf_counter() - t0)

    def action_zoom_out(self) -> None:
        t0 = time.perf_counter()
        super().action_zoom_out()
        self.action_times.append(time.perf_counter() - t0)


class Bench(App[None]):
    def __init__(self, tree: CallTree) -> None:
        super().__init__()
        self.call_tree = tree
        self.painted: list[tuple[float, float]] = []
        self.lines = 0

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        flame = Timed(self.call_tree, title="generated")
        flame.action_times = []
        yield flame

    def on_mount(self) -> None:
        for theme in themes.discover().themes:
            self.register_theme(theme)
        self.theme = "triage-dark"
        self.query_one(Timed).focus()

    def _display(self, screen: Any, renderable: Any) -> None:  # private hook, benchmark only
        self.painted.append((time.perf_counter(), time.process_time()))
        super()._display(screen, renderable)


#: a walk that moves everywhere and zooms in and out (each key is timed)
MOVES = ["down", "down", "right", "down", "right", "left", "down", "up", "right", "down"]
ZOOMS = ["enter", "escape"]
BUDGET = 0.030
#: a key nothing binds: Pilot's own press -> idle floor
UNBOUND = "f12"


async def measure(tree: CallTree, size: tuple[int, int], presses: int) -> dict[str, list[float]]:
    app = Bench(tree)
    out: dict[str, list[float]] = {
        f"{kind}{what}": [] for kind in ("move", "zoom", "none") for what in ("", "-paint", "-cpu")
    }
    lines: dict[str, list[int]] = {"move": [], "zoom": [], "none": []}
    counted = {"lines": 0}
    original = FlameView.render_line

    def counting(self: FlameView, y: int) -> Any:
        counted["lines"] += 1
        return original(self, y)

    FlameView.render_line = counting  # type: ignore[method-assign]
    try:
        async with app.run_test(size=size) as pilot:
            await app.workers.wait_for_complete()  # the tree is warmed (children sorted)
            await pilot.pause()
            flame = app.query_one(Timed)
            keys = [MOVES[i % len(MOVES)] for i in range(presses)]
            keys += [ZOOMS[i % 2] for i in range(presses // 2 * 2)]
            keys += [UNBOUND] * (presses // 4)
            for i, key in enumerate(keys):
                if i and i % 40 == 0 and key in MOVES:
                    await pilot.press("0")  # back to the top of the graph now and then
                    await pilot.pause()
                if key == "enter":  # zoom into something with children
                    await pilot.press("down", "down")
                    await pilot.pause()
                kind = "zoom" if key in ZOOMS else "none" if key == UNBOUND else "move"
                app.painted.clear()
                before = counted["lines"]
                t0, c0 = time.perf_counter(), time.process_time()
                await pilot.press(key)
                await pilot.pause()
                t1 = time.perf_counter()
                out[kind].append(t1 - t0)
                lines[kind].append(counted["lines"] - before)
                if app.painted:
                    out[f"{kind}-paint"].append(app.painted[0][0] - t0)
                    out[f"{kind}-cpu"].append(app.painted[0][1] - c0)
            out["action"] = flame.action_times
            for kind, counts in lines.items():
                out[f"{kind}-lines"] = [float(statistics.median(counts))]
    finally:
        FlameView.render_line = original  # type: ignore[method-assign]
    return out


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument(
        "--cold", action="store_true", help="skip the warm-up worker (children sorted on demand)"
    )
    args = parser.parse_args()
    if args.cold:
        import triage.ui.widgets.flame as flame_module

        flame_module.run_warm = lambda owner, tree: None  # type: ignore[assignment,return-value]
    t0 = time.perf_counter()
    tree = big_tree()
    depth = max(n.depth for n in tree.nodes())
    print(
        f"tree: {tree.node_count():,} nodes, {len(tree.by_name()):,} functions, "
        f"depth {depth}, built in {time.perf_counter() - t0:.1f} s"
    )
    for size in ((160, 48), (60, 20)):
        runs = []
        for _ in range(args.runs):
            if args.cold:  # a new tree each run: nothing sorted yet
                tree = big_tree()
            runs.append(asyncio.run(measure(tree, size, args.presses)))
        print(f"\n{size[0]}x{size[1]}, {args.runs} runs x {args.presses} moves + zooms")
        floor = [statistics.median(r["none"]) for r in runs]
        print(f"  unbound key (Pilot's floor): press -> idle median {ms(floor)}")
        for key in ("move", "zoom"):
            per_run = [statistics.median(r[key]) for r in runs]
            paint = [statistics.median(r[f"{key}-paint"]) for r in runs if r[f"{key}-paint"]]
            p90 = [sorted(r[f"{key}-paint"])[int(len(r[f"{key}-paint"]) * 0.9)] for r in runs]
            drawn = statistics.median(r[f"{key}-lines"][0] for r in runs)
            cpu = [statistics.median(r[f"{key}-cpu"]) for r in runs if r[f"{key}-cpu"]]
            every = [v for r in runs for v in r[f"{key}-paint"]]
            over = sum(v > BUDGET for v in every)
            print(
                f"  {key}: key -> painted median {ms(paint)} (runs: "
                + ", ".join(f"{v * 1000:.1f}" for v in paint)
                + f"), p90 {ms(p90)}, CPU {ms(cpu)}; press -> idle {ms(per_run)}; "
                f"render_line calls per key {drawn:.0f}; over {BUDGET * 1000:.0f} ms: "
                f"{over}/{len(every)} (max {max(every) * 1000:.0f} ms)"
            )
        actions = [statistics.median(r["action"]) for r in runs]
        print(f"  move/zoom action alone median {ms(actions)}")


if __name__ == "__main__":
    main()
