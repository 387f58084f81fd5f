"""Keymaps by binding id, themes, and the config file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.ui.conftest import SAMPLE, first_screen, make_app
from triage.config import load_config
from triage.ui.keymap import SHIPPED, load_keymap, problems
from triage.ui.keys import KEYS
from triage.ui.screens.help import HelpScreen, help_lines
from triage.ui.screens.workspace import WorkspaceScreen


def test_default_keymap_file_lists_every_binding_with_its_default() -> None:
    shipped = tomllib.loads((SHIPPED / "default.toml").read_text())["keys"]
    assert shipped == {bid: spec.keys for bid, spec in KEYS.items()}


@pytest.mark.parametrize("preset", ["default", "vim", "emacs"])
def test_shipped_presets_are_valid(preset: str) -> None:
    keymap = load_keymap(preset)
    assert keymap.name == preset and keymap.warnings == []


def test_defaults_have_no_collisions() -> None:
    assert problems({}) == []


async def _highlighted_after(app: object, *keys: str) -> str | None:
    async with app.run_test(size=(80, 24)) as pilot:  # type: ignore[attr-defined]
        await first_screen(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*keys)
        option = pilot.app.screen.query_one("#goroutines-list", OptionList).highlighted_option
        return option.id if option else None


async def test_user_keymap_rebinds_by_id(config_dir: Path) -> None:
    (config_dir / "keymap.toml").write_text('[keys]\n"list.down" = "x"\n')
    app = make_app([str(SAMPLE)])
    assert await _highlighted_after(app, "x", "x") == "finding-2"
    app = make_app([str(SAMPLE)])
    assert await _highlighted_after(app, "j") == "finding-0"  # j no longer moves down


async def test_help_shows_the_user_keys(config_dir: Path) -> None:
    (config_dir / "keymap.toml").write_text('[keys]\n"list.down" = "x"\n')
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(100, 40)) as pilot:
        await first_screen(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        line = next(c.plain for c in help_lines(app.keymap) if "list.down" in c.plain)
        assert line.split()[0] == "x"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ('[keys]\n"list.nope" = "x"\n', "unknown binding id 'list.nope'"),
        ('[keys]\n"list.down" = "q"\n', "'q' is bound to both app.quit and list.down"),
        ('[keys]\n"list.down" = "ctrl+?"\n', "is not a key name"),
        ("[keys\n", "unreadable keymap"),
        ('keys = "x"\n', "[keys] must map binding ids to strings"),
    ],
)
async def test_bad_user_keymap_warns_and_keeps_defaults(
    config_dir: Path, content: str, why: str
) -> None:
    (config_dir / "keymap.toml").write_text(content)
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        await first_screen(pilot)
        notes = [n.message for n in app._notifications]
        assert any(why in note and "using the default keymap" in note for note in notes), notes
        await pilot.press("j")
        option = app.screen.query_one("#goroutines-list", OptionList).highlighted_option
        assert option is not None and option.id == "finding-1"


async def test_vim_preset_pages_with_ctrl_d() -> None:
    app = make_app([str(SAMPLE)], keymap="vim")
    assert app.keymap.keys["list.page_down"] == "pagedown,ctrl+d"
    first = await _highlighted_after(app)
    app = make_app([str(SAMPLE)], keymap="vim")
    assert await _highlighted_after(app, "ctrl+d") != first


@pytest.mark.parametrize(
    ("flag", "mono", "expected"),
    [
        (None, False, "triage-dark"),
        ("light", False, "triage-light"),
        ("high-contrast", False, "triage-high-contrast"),
        ("mono", False, "triage-mono"),
        ("light", True, "triage-mono"),  # NO_COLOR wins
        ("no-such-theme", False, "triage-dark"),
    ],
)
async def test_theme_choice(flag: str | None, mono: bool, expected: str) -> None:
    app = make_app([str(SAMPLE)], theme=flag, mono=mono)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == expected
        if flag == "no-such-theme":
            assert any("unknown theme" in n.message for n in app._notifications)


async def test_theme_from_config_and_cycling(config_dir: Path) -> None:
    (config_dir / "config.toml").write_text('theme = "light"\n')
    app = make_app([str(SAMPLE)])
    async with app.run_test(size=(80, 24)) as pilot:
        await first_screen(pilot)
        assert app.theme == "triage-light"
        await pilot.press("ctrl+t")
        assert app.theme != "triage-light"
        assert isinstance(app.screen, WorkspaceScreen)


def test_user_theme_file_is_loaded(config_dir: Path) -> None:
    from triage.ui.themes import discover

    (config_dir / "themes").mkdir()
    (config_dir / "themes" / "ocean.toml").write_text('name = "ocean"\nprimary = "#0077be"\n')
    (config_dir / "themes" / "broken.toml").write_text(
        'name = "broken"\nprimary = "not-a-colour"\n'
    )
    found = discover()
    assert "ocean" in {t.name for t in found.themes}
    assert any("broken.toml: primary = 'not-a-colour' is not a colour" in w for w in found.warnings)


def test_config_file(config_dir: Path) -> None:
    (config_dir / "config.toml").write_text(
        'theme = "light"\nkeymap = "vim"\n[refresh]\ngoroutines = 30\nhealth = "fast"\n'
        '[attach]\nhealth_paths = ["/health"]\n[thresholds]\nleak_goroutines = 200\nbogus = 1\n'
    )
    config, warnings = load_config()
    assert (config.theme, config.keymap) == ("light", "vim")
    assert config.refresh.goroutines == 30.0 and config.refresh.health == 2.0
    assert config.attach.health_paths == ["/health"]
    assert config.thresholds.leak_goroutines == 200
    assert any("health = 'fast' is not a valid float" in w for w in warnings)
    assert any("unknown setting 'bogus'" in w for w in warnings)


def test_broken_config_file_gives_defaults(config_dir: Path) -> None:
    (config_dir / "config.toml").write_text("theme = [\n")
    config, warnings = load_config()
    assert config.theme == "dark"
    assert len(warnings) == 1 and "not valid TOML" in warnings[0]
