"""The workspace driven by keys, headless."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList, Static

from tests.support.targets import crash, write
from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.ui.screens.group import GroupScreen
from triage.ui.screens.help import HelpScreen
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.goroutines import GoroutinePane


async def _loaded(pilot: object, app: object) -> WorkspaceScreen:
    screen = await first_screen(pilot)
    assert isinstance(screen, WorkspaceScreen)
    await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


def _highlighted(screen: WorkspaceScreen) -> str | None:
    listing = screen.query_one("#goroutines-list", OptionList)
    option = listing.highlighted_option
    return option.id if option else None


async def test_a_deep_path_leaves_room_for_the_crash_in_the_title(tmp_path: Path) -> None:
    deep = tmp_path / "incidents" / "2026-11-22" / "checkout-7f9c6d5b8-x2x9q" / "dumps"
    deep.mkdir(parents=True)
    dump = deep / SAMPLE.name
    dump.write_bytes(SAMPLE.read_bytes())
    app = make_app([str(dump)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        title = str(screen.query_one("#title", Static).render())
        assert title == "triage · checkout-sigquit.log · signal: SIGQUIT: quit"
        flame_header = str(screen.query_one("#flame-header", Static).render())
        assert "goroutines of checkout-sigquit.log" in flame_header


async def test_opening_a_dump_shows_crash_findings_and_groups() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        title = str(screen.query_one("#title", Static).render())
        assert "checkout-sigquit.log" in title and "SIGQUIT" in title
        pane = screen.query_one(GoroutinePane)
        assert pane.item is not None
        assert len(pane.item.groups) == 23  # goroutine 0 (a thread's system stack) is no group
        listing = screen.query_one("#goroutines-list", OptionList)
        ids = [listing.get_option_at_index(i).id for i in range(listing.option_count)]
        assert ids.count(None) == 2  # the two section headers
        assert sum(1 for i in ids if i and i.startswith("finding-")) == len(pane.item.findings)
        assert _highlighted(screen) == "finding-0"


async def test_moving_and_opening_a_group() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        findings = len(screen.query_one(GoroutinePane).item.findings)  # type: ignore[union-attr]
        await pilot.press(*["j"] * findings)  # past the findings to group #1
        assert _highlighted(screen) == "group-1"
        await pilot.press("k")
        assert _highlighted(screen) == f"finding-{findings - 1}"
        await pilot.press("end")
        assert _highlighted(screen) == "group-23"
        await pilot.press("home", *["j"] * findings, "enter")
        await pilot.pause()
        assert isinstance(app.screen, GroupScreen)
        assert app.screen.group.id == 1
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = app.screen.sample.stack  # type: ignore[union-attr]
        assert f"goroutine {app.screen.group.sample_ids[0]} [chan receive]" in body
        assert "main.leak.func1.1(" in body  # with its arguments, read back from the dump
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = app.screen.sample.stack  # type: ignore[union-attr]
        assert f"goroutine {app.screen.group.sample_ids[1]} [" in body
        await pilot.press("escape")
        assert app.screen is screen


async def test_enter_on_a_finding_opens_its_group() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        finding = screen.query_one(GoroutinePane).item.findings[0]  # type: ignore[union-attr]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GroupScreen)
        assert app.screen.group.id == finding.groups[0]


async def test_panes_are_tabs_when_narrow_and_side_by_side_when_wide() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        assert screen.has_class("-narrow")
        visible = [p.id for p in screen.query(".pane") if p.display]
        assert visible == ["pane-goroutines"]
        await pilot.press("2")
        assert [p.id for p in screen.query(".pane") if p.display] == ["pane-flame"]
        assert "[2 Flame graph]" in str(screen.query_one("#tabs", Static).render())
        await pilot.press("tab")
        assert [p.id for p in screen.query(".pane") if p.display] == ["pane-health"]
        await pilot.press("tab")
        assert [p.id for p in screen.query(".pane") if p.display] == ["pane-goroutines"]
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _loaded(pilot, app)
        assert not screen.has_class("-narrow")
        panes = list(screen.query(".pane"))
        assert all(p.display for p in panes)
        assert all(p.region.width > 30 for p in panes)
        assert not screen.query_one("#tabs").display


async def test_maximise_a_pane() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _loaded(pilot, app)
        await pilot.press("z")
        assert screen.maximized is not None and screen.maximized.id == "pane-goroutines"
        await pilot.press("z")
        assert screen.maximized is None


async def test_help_lists_every_key() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        assert "goroutines.open" in text and "Open group" in text
        await pilot.press("escape")
        assert isinstance(app.screen, WorkspaceScreen)


async def test_loose_grouping_toggles() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        before = len(screen.query_one(GoroutinePane).item.groups)  # type: ignore[union-attr]
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.level == "loose"
        after = len(screen.query_one(GoroutinePane).item.groups)  # type: ignore[union-attr]
        assert after <= before
        assert "loose" in str(screen.query_one("#goroutines-title", Static).render())


async def test_unreadable_file_keeps_the_app_running(tmp_path: Path) -> None:
    bad = write(tmp_path, "page.html", "<!DOCTYPE html><p>login")
    good = write(tmp_path, "nil.log", crash("nil").stderr)
    app = make_app([str(bad), str(tmp_path / "missing.log"), str(good)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _loaded(pilot, app)
        pane = screen.query_one(GoroutinePane)
        assert pane.item is not None and pane.item.findings[0].rule == "nil-dereference"
        status = str(screen.query_one("#status", Static).render())
        assert status.startswith("ERROR ")
        await pilot.press("j", "k")  # still answering keys
        assert app.is_running


async def test_several_dumps_step_with_d(tmp_path: Path) -> None:
    log = write(tmp_path, "two.log", crash("index").stderr + "INFO up\n" + crash("oom").stderr)
    app = make_app([str(log)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _loaded(pilot, app)
        assert "out of memory" in str(screen.query_one("#title", Static).render())
        await pilot.press("d")
        assert "index out of range" in str(screen.query_one("#title", Static).render())
