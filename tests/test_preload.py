"""Files read by a forked child while the UI starts (triage.preload)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.targets import crash, write
from triage.errors import BadInput
from triage.goroutines.args import frame_args
from triage.preload import Preload
from triage.workspace import LoadedDump, load_path


def test_child_result_matches_a_direct_load(tmp_path: Path) -> None:
    path = str(write(tmp_path, "piles.log", crash("piles").stderr))
    pre = Preload([path]).start()
    assert pre.pid > 0
    got = pre.take(path)
    direct = load_path(path)
    assert isinstance(got, LoadedDump) and isinstance(direct, LoadedDump)
    a, b = got.analysis.dumps[0], direct.analysis.dumps[0]
    assert a.dump.ids == b.dump.ids
    assert [(g.id, g.count, g.state) for g in a.groups] == [
        (g.id, g.count, g.state) for g in b.groups
    ]
    assert [f.summary for f in a.findings] == [f.summary for f in b.findings]
    # arguments are read back from the file the parent mapped
    gid = a.groups[0].sample_ids[0]
    assert frame_args(a.dump, gid) == frame_args(b.dump, gid)


def test_child_errors_reach_the_parent(tmp_path: Path) -> None:
    bad = str(write(tmp_path, "page.html", "<!DOCTYPE html><p>x"))
    pre = Preload([bad]).start()
    with pytest.raises(BadInput, match="HTML page"):
        pre.take(bad)


def test_a_dead_child_means_loading_normally(tmp_path: Path) -> None:
    import os
    import signal

    path = str(write(tmp_path, "nil.log", crash("nil").stderr))
    pre = Preload([path]).start()
    os.kill(pre.pid, signal.SIGKILL)
    got = pre.take(path)  # never hangs: None (then the workspace loads the file itself),
    assert got is None or isinstance(got, LoadedDump)  # or the answer, if it came first


def test_cancel_stops_a_running_reader(tmp_path: Path) -> None:
    import os

    big = tmp_path / "big.log"
    with big.open("wb") as fh:  # a sparse 1 GiB file: the child scans it for a while
        fh.seek(1 << 30)
        fh.write(b"\n")
    pre = Preload([str(big)]).start()
    pre.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pre.pid, 0)  # already reaped: it no longer exists


def test_piped_stdin_is_read_by_the_child_from_its_nameless_copy(tmp_path: Path) -> None:
    import io

    from triage.sources import spool_stdin

    target = spool_stdin(io.BytesIO(crash("piles").stderr.encode()))
    pre = Preload([target]).start()
    got = pre.take(target)
    direct = load_path(target)
    assert isinstance(got, LoadedDump) and isinstance(direct, LoadedDump)
    assert got.name == direct.name == "stdin"
    a, b = got.analysis.dumps[0], direct.analysis.dumps[0]
    assert a.dump.ids == b.dump.ids and a.dump.goroutine_count > 1
    gid = a.groups[0].sample_ids[0]
    assert frame_args(a.dump, gid) == frame_args(b.dump, gid)  # read back from the copy


SAMPLE = Path(__file__).resolve().parent / "samples" / "checkout-sigquit.log"


def test_arguments_of_a_timestamped_log_read_through_the_reader() -> None:
    # The README's sample has a timestamp on every line: its dump is parsed from a
    # prefix-stripped copy, whose offsets do not fit the file the parent maps.
    path = str(SAMPLE)
    got = Preload([path]).start().take(path)
    assert isinstance(got, LoadedDump)
    item = got.analysis.primary
    assert item is not None
    group = next(g for g in item.groups if "runtime.chanrecv" in {f.func for f in g.frames})
    gid = group.sample_ids[0]
    args = dict((frame.func, text) for frame, text in frame_args(item.dump, gid))
    assert args["runtime.chanrecv"].startswith("0x"), args  # as printed, not "..."
    direct = load_path(path)
    assert isinstance(direct, LoadedDump) and direct.analysis.primary is not None
    assert frame_args(item.dump, gid) == frame_args(direct.analysis.primary.dump, gid)
