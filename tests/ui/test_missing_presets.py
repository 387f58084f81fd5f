"""A shipped theme or keymap file missing from the installation: a warning, never a traceback.

The shipped folders are pointed at a temporary copy with files taken away, as a broken or
partial install would leave them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.ui import keymap, themes


@pytest.fixture
def partial_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copies of the shipped folders, for a test to delete files from."""
    root = tmp_path / "site-packages" / "triage"
    for kind, module in (("themes", themes), ("keymaps", keymap)):
        shutil.copytree(str(module.SHIPPED), root / kind)
        monkeypatch.setattr(module, "SHIPPED", root / kind)
    return root


@pytest.mark.parametrize(
    ("theme", "mono", "gone", "stand_in"),
    [
        (None, False, "dark.toml", "textual-dark"),
        ("light", False, "light.toml", "textual-light"),
        (None, True, "mono.toml", "ansi-dark"),  # NO_COLOR, and the mono file is gone
        ("no-such-theme", False, "dark.toml", "textual-dark"),
    ],
)
async def test_missing_theme_file_falls_back_to_a_builtin(
    partial_install: Path, theme: str | None, mono: bool, gone: str, stand_in: str
) -> None:
    (partial_install / "themes" / gone).unlink()
    app = make_app([str(SAMPLE)], theme=theme, mono=mono)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        assert app.theme == stand_in
        notes = [n.message for n in app._notifications]
        assert any(f"{gone} missing); using {stand_in}" in n for n in notes), notes
        assert screen.query_one("#goroutines-list", OptionList).option_count > 0


async def test_missing_keymap_file_falls_back_to_the_default_keys(partial_install: Path) -> None:
    (partial_install / "keymaps" / "vim.toml").unlink()
    app = make_app([str(SAMPLE)], keymap="vim")
    assert app.keymap.name == "default" and app.keymap.keys == {}
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await first_screen(pilot)
        notes = [n.message for n in app._notifications]
        assert any("keymap 'vim' is not installed" in n and "vim.toml missing" in n for n in notes)
        await pilot.press("j")  # the default keys work
        listing = screen.query_one("#goroutines-list", OptionList)
        assert listing.highlighted_option is not None
        assert listing.highlighted_option.id == "finding-1"


def test_a_missing_themes_folder_still_resolves(partial_install: Path) -> None:
    shutil.rmtree(partial_install / "themes")
    found = themes.discover()
    assert found.themes == [] and found.warnings == []
    name, warning = themes.resolve(None, {"textual-dark"}, mono=False)
    assert name == "textual-dark" and warning is not None and "dark.toml missing" in warning
