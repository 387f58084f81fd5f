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


def run_chunks(bulk: _Bulk, buf: Buffer, bounds: Bounds) -> int | None:
    """Feed ``bounds`` to the bulk pass; the offset where goroutines stop, if they do."""
    from triage.goroutines.parser import _decode

    for pos, cut in bounds:
        stopped = bulk.run(_decode(buf, pos, cut))
        if stopped is not None:
            return block_offset(buf, pos, stopped)
    return None


def run_parallel(bulk: _Bulk, buf: Buffer, bounds: Bounds) -> int | None:
    """Like :func:`run_chunks`, the second half in a child process when it pays."""
    if len(bounds) < MIN_CHUNKS:
        return run_chunks(bulk, buf, bounds)
    half = len(bounds) // 2
    child = fork_call(lambda: _parse_half(bulk, buf, bounds[half:]))
    if child is None:
        return run_chunks(bulk, buf, bounds)
    stop = run_chunks(bulk, buf, bounds[:half])
    if stop is not None:  # the goroutines ended in the first half: the child's work is moot
        child.close()
        return stop
    state = child.receive(_TIMEOUT)
    child.close()
    if not isinstance(state, dict):
        return run_chunks(bulk, buf, bounds[half:])
    _merge(bulk, state)
    stop_at: int | None = state["stop"]
    return stop_at


def _parse_half(bulk: _Bulk, buf: Buffer, bounds: Bounds) -> dict[str, Any]:
    """(In the child.) Parse ``bounds`` with a fresh bulk state, rows keyed for the trip."""
    from triage.goroutines.parser import _Bulk

    mine = _Bulk(b"", bulk.span)
    stop = run_chunks(mine, buf, bounds)
    index = {id(s): s for s in mine.stacks.values()}
    return {
        "rows": mine.rows,
        "stop": stop,
        "foreign": [(index[k], v) for k, v in mine.foreign.items() if k in index],
        "cut_lines": [(index[k], v) for k, v in mine.cut_lines.items() if k in index],
        "bad_headers": mine.bad_headers,
        "system_stacks": mine.system_stacks,
    }


def _merge(bulk: _Bulk, state: dict[str, Any]) -> None:
    offset = len(bulk.rows)
    bulk.system_stacks.extend((offset + at, s) for at, s in state["system_stacks"])
    bulk.rows.extend(state["rows"])
    for stack, count in state["foreign"]:
        bulk.foreign[id(stack)] = count
    for stack, line in state["cut_lines"]:
        bulk.cut_lines[id(stack)] = line
    bulk.bad_headers.extend(state["bad_headers"])
