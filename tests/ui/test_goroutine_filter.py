"""``/`` in the goroutine pane: filter groups and findings, counts in the title, escape clears."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.ui.screens.workspace import WorkspaceScreen
from triage.ui.widgets.goroutines import GoroutinePane
from triage.ui.widgets.status import StatusLine


def _ids(screen: WorkspaceScreen) -> list[str]:
    listing = screen.query_one("#goroutines-list", OptionList)
    found = (listing.get_option_at_index(i).id for i in range(listing.option_count))
    return [i for i in found if i]


async def test_slash_filters_groups_and_findings_and_escape_clears() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        assert isinstance(screen, WorkspaceScreen)
        pane = screen.query_one(GoroutinePane)
        every = _ids(screen)
        await pilot.press("slash")
        prompt = screen.query_one("#goroutines-filter", Input)
        assert prompt.display and prompt.has_focus
        await pilot.press(*"state:select", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not prompt.display
        assert pane.item is not None and {g.state for g in pane.item.groups} == {"select"}
        groups = [i for i in _ids(screen) if i.startswith("group-")]
        assert len(groups) == 3
        title = str(screen.query_one("#goroutines-title", Static).render())
        assert title == "Goroutines · /state:select · 360 of 1,151 in 3 of 23 groups"
        # findings follow their groups
        assert 0 < len(pane.item.findings) < len(pane.full.findings)  # type: ignore[union-attr]
        assert screen.query_one("#goroutines-list", OptionList).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert _ids(screen) == every
        assert "filter cleared" in str(screen.query_one(StatusLine).render())


async def test_a_bad_expression_says_what_failed_and_keeps_the_prompt() -> None:
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        every = _ids(screen)
        await pilot.press("slash", *"re:(", "enter")
        await pilot.pause()
        prompt = screen.query_one("#goroutines-filter", Input)
        assert prompt.display and prompt.value == "re:("
        assert "bad regular expression" in str(screen.query_one(StatusLine).render())
        # a slash typed in the prompt is text, not the filter key again
        await pilot.press("ctrl+u", *"pkg:net/http", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not prompt.display
        assert len(_ids(screen)) < len(every)
        # escape on an open prompt cancels it, keeping the filter on
        await pilot.press("slash")
        assert prompt.value == "pkg:net/http"
        await pilot.press("escape")
        assert not prompt.display and len(_ids(screen)) < len(every)
