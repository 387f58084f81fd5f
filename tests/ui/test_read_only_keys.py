"""Read-only mode never binds a destructive key (issue 9 point 6: KeySpec.destructive is real)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from triage.ui.keys import KEYS, KeySpec, bindings


@pytest.fixture
def delete_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """A destructive binding, as the cluster view's actions declare them."""
    monkeypatch.setitem(KEYS, "pod.delete", KeySpec("D", "delete", "Delete pod", destructive=True))
    return "pod.delete"


def test_read_only_leaves_destructive_bindings_out(delete_key: str) -> None:
    ids = ("app.quit", "list.down", delete_key)
    assert [b.id for b in bindings(*ids)] == list(ids)  # type: ignore[union-attr]
    assert [b.id for b in bindings(*ids, read_only=True)] == ["app.quit", "list.down"]  # type: ignore[union-attr]


def _app(read_only: bool) -> tuple[App[None], list[str]]:
    """An app whose screen builds its bindings for the mode, and the actions that ran."""
    ran: list[str] = []

    class PodScreen(Screen[None]):
        BINDINGS = bindings("app.quit", "pod.delete", read_only=read_only)

        def compose(self) -> ComposeResult:
            yield Footer()

        def action_delete(self) -> None:
            ran.append("delete")

    class PodApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PodScreen())

    return PodApp(), ran


@pytest.mark.parametrize("read_only", [False, True])
async def test_a_destructive_key_is_unbound_in_read_only_mode(
    delete_key: str, read_only: bool
) -> None:
    app, ran = _app(read_only)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bound = {b.binding.id for b in app.screen.active_bindings.values()}
        assert (delete_key in bound) is not read_only
        await pilot.press("D")
        await pilot.pause()
        assert ran == ([] if read_only else ["delete"])
