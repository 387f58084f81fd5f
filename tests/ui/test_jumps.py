"""Issue 10 point 9: flame-graph frame -> goroutine groups and back; copy a stack; $EDITOR."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.config import load_config
from triage.goroutines import analyze
from triage.goroutines.filter import apply_filter, frame_filter, parse_filter
from triage.ui.app import Launch, TriageApp
from triage.ui.editor import editor_command
from triage.ui.keymap import load_keymap
from triage.ui.screens.group import GroupScreen
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.flame import FlameGraph
from triage.ui.widgets.goroutines import GoroutinePane

ROOT = Path(__file__).resolve().parents[2]


def _status(app: Any) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def _toasts(pilot: Any) -> str:
    for _ in range(50):
        toasts = pilot.app.screen.query("Toast")
        if toasts:
            return " ".join(str(t.render()) for t in toasts)
        await pilot.pause(0.02)
    return ""


def test_frame_filter_keeps_exactly_the_groups_with_the_frame() -> None:
    item = analyze(SAMPLE.read_text()).dumps[0]
    func = "main.(*Store).fetchOrder"
    kept = apply_filter(item, parse_filter(frame_filter(func))).groups
    expected = [g for g in item.groups if any(f.func == func for f in g.frames)]
    assert kept and [g.id for g in kept] == [g.id for g in expected]
    # a prefix of another name is not the same function
    assert all(g.id in {e.id for e in expected} for g in kept)
    state = apply_filter(item, parse_filter(frame_filter("[chan receive]"))).groups
    assert state and all(g.state == "chan receive" for g in state)
    assert len(state) == sum(1 for g in item.groups if g.state == "chan receive")


async def test_v_lists_the_groups_of_a_frame_and_f_goes_back() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        flame = screen.query_one(FlameGraph)
        await pilot.press("2")
        flame.focus_function("main.(*Store).fetchOrder")
        await pilot.pause()
        assert flame.selected is not None and flame.selected.name == "main.(*Store).fetchOrder"
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = screen.query_one(GoroutinePane)
        assert pane.filtered is not None and pane.filtered.groups
        assert all(
            any(f.func == "main.(*Store).fetchOrder" for f in g.frames)
            for g in pane.filtered.groups
        )
        assert screen.focused is not None and pane in screen.focused.ancestors_with_self
        assert "groups with main.(*Store).fetchOrder" in _status(app)
        await pilot.press("f")  # back, to the frame it came from
        await pilot.pause()
        assert flame in (screen.focused, *(screen.focused.ancestors if screen.focused else ()))
        assert flame.selected is not None and flame.selected.name == "main.(*Store).fetchOrder"
        await pilot.press("1", "escape")  # escape clears the jump's filter like any other
        await app.workers.wait_for_complete()
        assert pane.filter is None


async def test_f_on_a_group_selects_its_top_frame() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await first_screen(pilot)
        await pilot.pause()
        pane = screen.query_one(GoroutinePane)
        assert pane.item is not None
        await pilot.press("f")  # the first row: a finding, standing for its first group
        await pilot.pause()
        flame = screen.query_one(FlameGraph)
        assert flame.selected is not None
        names = {f.func for g in pane.item.groups for f in g.frames}
        assert flame.selected.name in names


async def test_c_copies_the_stack_as_go_prints_it() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await first_screen(pilot)
        await pilot.press("end", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GroupScreen) and screen.sample is not None
        await pilot.press("c")
        copied = app.clipboard
        assert copied == screen.sample.stack
        gid = screen.group.sample_ids[0]
        assert copied.startswith(f"goroutine {gid} [IO wait]:\n")
        assert "main.readConn(" in copied and "\tcreated by" not in copied
        assert "copied the stack" in await _toasts(pilot)


def test_editor_command() -> None:
    assert editor_command({"EDITOR": "vim"}, "/s/main.go", 12) == ["vim", "+12", "/s/main.go"]
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}, "/a b.go", 3) == [
        "code",
        "--wait",
        "+3",
        "/a b.go",
    ]
    assert editor_command({"EDITOR": "  "}, "/s/main.go", 1) is None
    assert editor_command({}, "/s/main.go", 1) is None


async def test_e_without_an_editor_says_what_to_set(monkeypatch: Any) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    config, warnings = load_config()
    launch = Launch(paths=[str(SAMPLE)], source_roots=[ROOT])
    app = TriageApp(launch, config, load_keymap(), warnings)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await first_screen(pilot)
        await pilot.press("end", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GroupScreen) and screen.sample is not None
        assert screen.sample.editable is not None
        path, line = screen.sample.editable
        assert path.endswith("tests/targets/leaky/main.go") and Path(path).is_file()
        await pilot.press("e")
        assert f"set $EDITOR to open {path}:{line}" in await _toasts(pilot)
