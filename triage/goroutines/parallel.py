"""Parse a large goroutine run on both cores: the second half in a forked child.

The bulk pass is pure Python and holds the interpreter lock, so threads cannot
share it; a child process can. The parent cuts the run into chunks, forks, and
parses the first half while the child parses the second and sends its rows
back pickled (stacks and statuses travel once each). Identical stacks from the
two halves are different objects; grouping merges them by signature anyway.

Only for callers with no other threads (the CLI, the preload child): forking a
threaded process is not safe. Any failure in the child means the parent parses
the second half itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from triage.forkpipe import fork_call
from triage.goroutines.scan import block_offset

if TYPE_CHECKING:
    from triage.goroutines.parser import _Bulk
    from triage.sources import Buffer

#: chunks (of parser.CHUNK bytes) below which forking costs more than it saves
MIN_CHUNKS = 4
_TIMEOUT = 600.0

Bounds = list[tuple[int, int]]


def run_chunks(
    bulk: _Bulk, buf: Buffer, bounds: Iterable[tuple[int, int]]
) -> tuple[int | None, int]:
    """Feed ``bounds`` to the bulk pass, pulling them only as needed.

    Returns (where the goroutines stop if they do before the last chunk, end of
    the last chunk fed).
    """
    from triage.goroutines.parser import _decode

    end = -1
    for pos, cut in bounds:
        stopped = bulk.run(_decode(buf, pos, cut))
        if stopped is not None:
            return block_offset(buf, pos, stopped), cut
        end = cut
    return None, end


def run_serial(bulk: _Bulk, buf: Buffer, start: int) -> int:
    """Parse the goroutine run from ``start``; return where it ends."""
    from triage.goroutines.parser import iter_chunks

    stop, end = run_chunks(bulk, buf, iter_chunks(buf, start))
    return stop if stop is not None else (end if end >= 0 else len(buf))


def run_parallel(bulk: _Bulk, buf: Buffer, start: int) -> int:
    """Like :func:`run_serial`, the second half in a child process when it pays.

    The first chunks are parsed here first: most runs end in them, and only a
    run that goes on is measured to the end (walking its chunk boundaries) to be
    split in two halves of equal bytes.
    """
    from triage.goroutines import parser

    chunks = parser.iter_chunks(buf, start)
    end = -1
    for pos, cut in chunks:
        stopped = bulk.run(parser._decode(buf, pos, cut))
        if stopped is not None:
            return block_offset(buf, pos, stopped)
        end = cut
        if cut - start >= parser.CHUNK // 4:
            break
    else:
        return end if end >= 0 else len(buf)
    bounds = list(chunks)
    if len(bounds) < MIN_CHUNKS:
        stop, last = run_chunks(bulk, buf, bounds)
        return stop if stop is not None else max(end, last)
    middle = (bounds[0][0] + bounds[-1][1]) // 2
    half = next(i for i, (_, cut) in enumerate(bounds) if cut >= middle) + 1
    child = fork_call(lambda: _parse_half(bulk, buf, bounds[half:]))
    if child is None:
        stop, last = run_chunks(bulk, buf, bounds)
        return stop if stop is not None else last
    stop, _ = run_chunks(bulk, buf, bounds[:half])
    if stop is not None:  # the goroutines ended in the first half: the child's work is moot
        child.close()
        return stop
    state = child.receive(_TIMEOUT)
    child.close()
    if not isinstance(state, dict):
        stop, last = run_chunks(bulk, buf, bounds[half:])
        return stop if stop is not None else last
    _merge(bulk, state)
    stop_at: int | None = state["stop"]
    return stop_at if stop_at is not None else bounds[-1][1]


def _parse_half(bulk: _Bulk, buf: Buffer, bounds: Bounds) -> dict[str, Any]:
    """(In the child.) Parse ``bounds`` with a fresh bulk state, rows keyed for the trip."""
    from triage.goroutines.parser import _Bulk

    mine = _Bulk(b"", bulk.span)
    stop, _ = run_chunks(mine, buf, bounds)
    index = {id(s): s for s in mine.stacks.values()}
    return {
        "rows": mine.rows,
        "stop": stop,
        "foreign": [(index[k], v) for k, v in mine.foreign.items() if k in index],
        "cut_lines": [(index[k], v) for k, v in mine.cut_lines.items() if k in index],
        "bad_headers": mine.bad_headers,
    }


def _merge(bulk: _Bulk, state: dict[str, Any]) -> None:
    bulk.rows.extend(state["rows"])
    for stack, count in state["foreign"]:
        bulk.foreign[id(stack)] = count
    for stack, line in state["cut_lines"]:
        bulk.cut_lines[id(stack)] = line
    bulk.bad_headers.extend(state["bad_headers"])
