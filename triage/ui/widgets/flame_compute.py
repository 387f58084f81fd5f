"""Work the flame graph hands to thread workers: searches, sandwiches, warming a tree.

Searches and sandwiches walk the whole tree (a search over a common name can touch most of a
100,000-node profile; a sandwich rebuilds two trees), so they never run on the
event loop. Results come back as messages tagged with the tree generation they
were computed for; a result for a tree that has since been replaced is dropped.

Warming sorts every node's children once (``Node.kids`` is computed on first
use, and the first zoom into a wide part of a big tree would otherwise sort
thousands of children on the event loop) and builds the by-name index.
"""

from __future__ import annotations

from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from triage.pprof.tree import CallTree
from triage.pprof.views import Sandwich, SearchResult, sandwich, search


class Searched(Message):
    """A search finished."""

    def __init__(self, generation: int, result: SearchResult) -> None:
        super().__init__()
        self.generation = generation
        self.result = result


class Sandwiched(Message):
    """A sandwich view was built."""

    def __init__(self, generation: int, sandwich: Sandwich) -> None:
        super().__init__()
        self.generation = generation
        self.sandwich = sandwich


def run_search(owner: Widget, tree: CallTree, generation: int, query: str) -> Worker[None]:
    """Search ``tree`` for ``query`` in a worker; ``owner`` gets :class:`Searched`."""

    def job() -> None:
        owner.post_message(Searched(generation, search(tree, query)))

    return owner.run_worker(
        job,
        name=f"search {query!r}",
        group="flame-search",
        thread=True,
        exclusive=True,
        exit_on_error=False,
    )


def run_sandwich(owner: Widget, tree: CallTree, generation: int, name: str) -> Worker[None]:
    """Build the sandwich of function ``name`` in a worker; ``owner`` gets :class:`Sandwiched`."""

    def job() -> None:
        owner.post_message(Sandwiched(generation, sandwich(tree, name)))

    return owner.run_worker(
        job,
        name=f"sandwich {name}",
        group="flame-sandwich",
        thread=True,
        exclusive=True,
        exit_on_error=False,
    )


def run_warm(owner: Widget, tree: CallTree) -> Worker[None]:
    """Sort every node's children and index names ahead of the first zoom or search."""

    def job() -> None:
        worker = get_current_worker()
        for count, _node in enumerate(tree.root.walk()):  # walk() sorts each node's kids
            if count % 4096 == 0 and worker.is_cancelled:  # a newer tree replaced this one
                return
        tree.by_name()

    return owner.run_worker(
        job,
        name="warm flame tree",
        group="flame-warm",
        thread=True,
        exclusive=True,
        exit_on_error=False,
    )
