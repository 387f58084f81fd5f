"""``triage flame PROFILE --type T --focus R --hide R`` on a terminal: the app honours the flags.

The flags used to reach only the top table and the exports; the flame view
opened on the profile's default type, unfiltered. Here the app is built the
way ``triage flame`` builds it (the parsed flags become the launch's profile
query) and the view must show the same tree the command line computes, with
the query in its header. The heap profile comes from tests/targets/profiled.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from textual.screen import Screen
from textual.widgets import Static

from tests.pprof.conftest import start_server, stop_server
from tests.support.targets import crash, write
from tests.ui.conftest import first_screen
from tests.ui.test_attach import wait_for
from triage.cli import build_parser
from triage.commands.flame import query_from_args
from triage.config import load_config
from triage.errors import BadInput
from triage.pprof.decode import decode
from triage.pprof.stacks import compile_filters, tree_for
from triage.pprof.tree import Node
from triage.ui.app import Launch, TriageApp
from triage.ui.keymap import load_keymap
from triage.ui.widgets.flamepane import FlamePane

FOCUS = r"main\.allocWork"
HIDE = r"^runtime\."


@pytest.fixture(scope="module")
def heap_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A heap profile of the profiled target after some allocation, as a file."""
    server = start_server()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            http.get("/load", params={"kind": "alloc", "ms": "250"}).raise_for_status()
            resp = http.get("/debug/pprof/heap")
            resp.raise_for_status()
        path = tmp_path_factory.mktemp("heap") / "heap.pb.gz"
        path.write_bytes(resp.content)
        yield path
    finally:
        stop_server(server)


def flame_app(*argv: str) -> TriageApp:
    """The app as ``triage flame ARGV`` starts it on a terminal (triage.ui.launch.run_flame)."""
    args = build_parser().parse_args(["flame", *argv])
    config, warnings = load_config()
    launch = Launch(paths=[args.source], pane="flame", query=query_from_args(args))
    return TriageApp(launch, config, load_keymap(), warnings)


def header(screen: Screen[None]) -> str:
    """The flame view's header line as drawn."""
    return screen.query_one("#flame-header", Static).content.plain  # type: ignore[union-attr]


def names(node: Node) -> set[str]:
    found = {node.name}
    for kid in node.kids:
        found |= names(kid)
    return found


async def test_type_focus_and_hide_reach_the_flame_view(heap_file: Path, config_dir: Path) -> None:
    app = flame_app(str(heap_file), "--type", "alloc_space", "--focus", FOCUS, "--hide", HIDE)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await first_screen(pilot)
        flame = screen.query_one(FlamePane)
        await wait_for(pilot, lambda: flame.current is not None)
        await pilot.pause()
        assert flame.current is not None
        tree = flame.current.tree
        assert flame.current.current_type == "alloc_space"
        assert tree.sample_type.type == "alloc_space"
        # what the command line computes for the same flags
        profile = decode(heap_file.read_bytes(), str(heap_file))
        want = tree_for(profile, "alloc_space", filters=compile_filters(FOCUS, hide=HIDE))
        assert tree.total == want.total > 0
        assert [k.name for k in tree.root.kids] == ["main.allocWork"]
        assert not any(n.startswith("runtime.") for n in names(tree.root))
        assert "alloc_space (bytes)" in header(screen)
        assert f"focus {FOCUS} · hide {HIDE}" in header(screen)


async def test_without_flags_the_view_is_unfiltered(heap_file: Path, config_dir: Path) -> None:
    app = flame_app(str(heap_file))
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await first_screen(pilot)
        flame = screen.query_one(FlamePane)
        await wait_for(pilot, lambda: flame.current is not None)
        await pilot.pause()
        assert flame.current is not None
        profile = decode(heap_file.read_bytes(), str(heap_file))
        assert flame.current.tree.total == tree_for(profile).total
        assert "focus" not in header(screen)


async def test_a_type_the_profile_lacks_says_so_and_shows_the_default(
    heap_file: Path, config_dir: Path
) -> None:
    app = flame_app(str(heap_file), "--type", "delay", "--hide", HIDE)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await first_screen(pilot)
        flame = screen.query_one(FlamePane)
        await wait_for(pilot, lambda: flame.current is not None)
        await pilot.pause()
        assert flame.current is not None
        assert flame.current.current_type == "inuse_space"  # the heap profile's default
        assert "no sample type 'delay'" in str(screen.query_one("#status").render())
        assert f"hide {HIDE}" in header(screen)


def test_a_bad_regex_is_bad_input_before_the_app_starts() -> None:
    args = build_parser().parse_args(["flame", "x.pb.gz", "--focus", "(*Server"])
    with pytest.raises(BadInput, match="--focus"):
        query_from_args(args)


async def test_a_goroutine_dump_is_filtered_too(tmp_path: Path, config_dir: Path) -> None:
    dump = write(tmp_path, "nil.log", crash("nil").stderr)
    app = flame_app(str(dump), "--hide", HIDE)
    async with app.run_test(size=(110, 40)) as pilot:
        screen = await first_screen(pilot)
        flame = screen.query_one(FlamePane)
        await wait_for(pilot, lambda: flame.current is not None)
        await pilot.pause()
        assert flame.current is not None and flame.current.source == "dump"
        frames = names(flame.current.tree.root)
        assert "main.main" in frames
        assert not any(n.startswith("runtime.") for n in frames)
        assert "goroutines of nil.log" in header(screen)
        assert f"hide {HIDE}" in header(screen)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_flags_reach_the_app_from_the_command_line(heap_file: Path, tmp_path: Path) -> None:
    """``triage flame FILE --type T --focus R`` in a real terminal (tmux), through the CLI."""
    from tests.ui.test_tmux import Tmux

    env = {
        "TERM": "screen-256color",
        "TRIAGE_CONFIG_DIR": str(tmp_path / "config"),
        "TRIAGE_DATA_DIR": str(tmp_path / "data"),
        "TRIAGE_CACHE_DIR": str(tmp_path / "cache"),
        "PATH": os.environ["PATH"],
    }
    command = f"{sys.executable} -m triage flame {heap_file} --type alloc_space --focus allocWork"
    session = Tmux("flame", command, env)
    try:
        screen = session.wait_for("Flame graph · focus allocWork · heap.pb.gz")  # at 80x24
        assert "alloc_space total" in screen  # the chosen sample type, not the default
        assert "main.allocWork" in screen
    finally:
        session.kill()
