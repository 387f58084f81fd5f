"""Parsing on two cores gives exactly what parsing on one does."""

from __future__ import annotations

import pytest

from tests.support.targets import crash, sigquit
from triage.goroutines import analyze, parser


def _summary(text: str, parallel: bool) -> list[object]:
    out: list[object] = []
    for item in analyze(text, parallel=parallel).dumps:
        out.append(
            (
                item.dump.ids,
                [(g.id, g.count, g.state, g.stack.signature) for g in item.groups],
                [(f.rule, f.summary, f.details) for f in item.findings],
                item.dump.warnings,
                item.crash.message if item.crash else None,
                [(s.m, s.frames) for s in item.dump.system_stacks],
            )
        )
    return out


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parser, "CHUNK", 2048)  # many chunks: the fork path runs


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    "make",
    [
        lambda: sigquit().stderr,
        lambda: crash("piles").stderr,
        lambda: crash("index").stderr + "INFO up\n" + sigquit().stderr + crash("oom").stderr,
        lambda: sigquit().stderr[: len(sigquit().stderr) * 2 // 3],  # cut mid-dump
        lambda: sigquit().stderr.rstrip("\n") + "\nINFO restarted\n" + crash("nil").stderr,
        lambda: sigquit().stderr + sigquit("system").stderr,  # g0 blocks in both halves
    ],
    ids=["sigquit", "piles", "three-dumps", "truncated", "log-after-dump", "two-g0"],
)
def test_parallel_equals_serial(make: object) -> None:
    text = make()  # type: ignore[operator]
    assert len(parser.chunk_bounds(text.encode(), 0)) >= 4
    assert _summary(text, parallel=True) == _summary(text, parallel=False)


def test_small_input_does_not_fork() -> None:
    from triage.goroutines import parallel

    text = crash("nil").stderr.encode()
    assert len(parser.chunk_bounds(text, 0)) < parallel.MIN_CHUNKS
