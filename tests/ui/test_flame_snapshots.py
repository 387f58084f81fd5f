"""SVG snapshots of the flame graph widget in a minimal host app (textual pinned exactly).

The tree is the committed SIGQUIT dump's goroutine tree, so the pictures only
change when the widget, the theme or that sample does.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.test_flame_widget import FlameApp, sample_tree, settle


def _keys(*keys: str) -> Any:
    async def run(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


@pytest.mark.parametrize(
    ("size", "keys"),
    [
        ((60, 20), ("down", "right", "down")),
        ((160, 48), ("slash", *"gopark", "enter", "n")),
    ],
    ids=["60x20-moved", "160x48-search"],
)
def test_flame_graph(snap_compare: Any, size: tuple[int, int], keys: tuple[str, ...]) -> None:
    assert snap_compare(FlameApp(sample_tree()), terminal_size=size, run_before=_keys(*keys))


def test_top_table_60x20(snap_compare: Any) -> None:
    app = FlameApp(sample_tree())
    assert snap_compare(app, terminal_size=(60, 20), run_before=_keys("t", "s", "down"))


def test_sandwich_160x48(snap_compare: Any) -> None:
    app = FlameApp(sample_tree())
    keys = ("down", "right", "down", "down", "w")
    assert snap_compare(app, terminal_size=(160, 48), run_before=_keys(*keys))


def test_mono_60x20(snap_compare: Any) -> None:
    app = FlameApp(sample_tree(), theme="triage-mono")
    assert snap_compare(app, terminal_size=(60, 20), run_before=_keys("down", "down"))
