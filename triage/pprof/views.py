"""What the flame graph's side panels show: the top table, search, the sandwich.

All work on a built :class:`~triage.pprof.tree.CallTree` and return plain data.
Cumulative values are counted once per sample even under recursion, as pprof
does: a function's cum is the sum of the totals of its outermost nodes (those
with no ancestor of the same name), its flat the sum of its nodes' self values.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.pprof.build import gc_paused
from triage.pprof.origin import Origin
from triage.pprof.tree import ROOT_NAME, CallTree, FunctionStat, Node


@dataclass(frozen=True, slots=True)
class TopRow:
    """One function in the top table."""

    name: str
    origin: Origin
    flat: int
    cum: int
    location: str


SORT_KEYS = ("flat", "cum", "name")


def is_outermost(node: Node) -> bool:
    """True when no ancestor of ``node`` is the same function (recursion's first entry)."""
    up = node.parent
    while up is not None:
        if up.name == node.name and up.parent is not None:
            return False
        up = up.parent
    return True


def function_totals(tree: CallTree) -> dict[str, FunctionStat]:
    """Per-function flat and cum over the whole tree, cum counted once per sample.

    Trees from the builder carry these already; others (edited or pruned trees)
    get them from one walk here.
    """
    if tree.functions is not None:
        return tree.functions
    totals: dict[str, FunctionStat] = {}
    on_path: dict[str, int] = {}
    todo: list[tuple[Node, bool]] = [(child, True) for child in tree.root.child_nodes()]
    while todo:
        node, entering = todo.pop()
        name = node.name
        if not entering:
            on_path[name] -= 1
            continue
        entry = totals.get(name)
        if entry is None:
            entry = totals[name] = FunctionStat(node)
        entry.flat += node.self_value
        depth = on_path.get(name, 0)
        if not depth:
            entry.cum += node.total
            if node.weight > entry.heaviest.weight:
                entry.heaviest = node
        on_path[name] = depth + 1
        todo.append((node, False))
        todo.extend((child, True) for child in node.child_nodes())
    tree.functions = totals
    return totals


def top_rows(tree: CallTree, sort: str = "flat") -> list[TopRow]:
    """Every function with its flat and cum values, sorted as ``go tool pprof -top`` sorts.

    ``sort="flat"``: |flat| descending, then name, then |cum| descending (pprof's
    FlatNameOrder); ``"cum"``: |cum| descending, then name; ``"name"``: by name.
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {SORT_KEYS}")
    rows = [
        TopRow(name, stat.heaviest.origin, stat.flat, stat.cum, stat.heaviest.location)
        for name, stat in function_totals(tree).items()
        if stat.flat or stat.cum  # pprof drops functions whose values cancel out (diffs)
    ]
    if sort == "flat":
        rows.sort(key=lambda r: (-abs(r.flat), r.name, -abs(r.cum)))
    elif sort == "cum":
        rows.sort(key=lambda r: (-abs(r.cum), r.name, -abs(r.flat)))
    else:
        rows.sort(key=lambda r: r.name)
    return rows


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Functions matching a query, the nodes to highlight, and the share they cover."""

    query: str
    names: list[str]
    nodes: frozenset[Node]
    value: int
    percent: float


def search(tree: CallTree, query: str, *, cutoff: float = 85.0) -> SearchResult:
    """Fuzzy-find function names (rapidfuzz); short queries (<= 3 chars) match as substrings.

    ``value`` counts each sample once even when several matching frames are on its
    stack, so ``percent`` is the share of the profile the matches account for.
    """
    from rapidfuzz import fuzz, process, utils

    index = tree.by_name()
    wanted = query.strip()
    if not wanted:
        return SearchResult(query, [], frozenset(), 0, 0.0)
    if len(wanted) <= 3:
        low = wanted.lower()
        names = sorted((n for n in index if low in n.lower()), key=lambda n: (len(n), n))
    else:
        found = process.extract(
            wanted,
            list(index),
            scorer=fuzz.partial_ratio,
            processor=utils.default_process,
            score_cutoff=cutoff,
            limit=None,
        )
        names = [name for name, _score, _ in sorted(found, key=lambda m: (-m[1], len(m[0])))]
    chosen = set(names)
    nodes = frozenset(node for name in names for node in index[name])
    value = sum(node.total for node in nodes if not _has_ancestor_in(node, chosen))
    return SearchResult(query, names, nodes, value, tree.percent(value))


def _has_ancestor_in(node: Node, names: set[str]) -> bool:
    up = node.parent
    while up is not None and up.parent is not None:
        if up.name in names:
            return True
        up = up.parent
    return False


@dataclass(frozen=True, slots=True)
class Sandwich:
    """A function's callers (an inverted tree: its root is the function, children
    its callers) and callees (all its occurrences merged under one root)."""

    name: str
    flat: int
    cum: int
    callers: CallTree
    callees: CallTree


def sandwich(tree: CallTree, name: str) -> Sandwich:
    """The sandwich view of function ``name`` (KeyError when it is not in the tree).

    Built from the function's outermost nodes only, so recursion counts each
    sample once: callees merge those nodes' subtrees (copied, O(their size));
    callers merge the paths above them, inverted.
    """
    everywhere = tree.by_name()[name]
    tops = [n for n in everywhere if is_outermost(n)]
    flat = sum(n.self_value for n in everywhere)
    callers = _subtree(tree, ROOT_NAME)
    callees = _subtree(tree, ROOT_NAME)
    with gc_paused():  # may copy most of a large tree; see build.py
        for top in tops:
            _add_path_above(callers.root, top)
            _merge_below(callees.root, top)
    for sub in (callers, callees):
        sub.root.total = sum(c.total for c in sub.root.child_nodes())
        sub.root.total_base = sum(c.total_base for c in sub.root.child_nodes())
    return Sandwich(name, flat, sum(n.total for n in tops), callers, callees)


def _subtree(tree: CallTree, root_name: str) -> CallTree:
    return CallTree(
        root=Node(root_name, None),
        sample_type=tree.sample_type,
        abs_total=tree.abs_total,
        main_module=tree.main_module,
        is_diff=tree.is_diff,
    )


def _add_path_above(root: Node, top: Node) -> None:
    """Insert ``top`` and its ancestors (inverted: the function first) under ``root``."""
    at = root
    node: Node | None = top
    while node is not None and node.parent is not None:
        at = _child_like(at, node)
        at.total += top.total
        at.total_base += top.total_base
        node = node.parent
    at.self_value += top.total
    at.self_base += top.total_base


def _merge_below(root: Node, top: Node) -> None:
    """Add a copy of the subtree under ``top`` (``top`` included) into ``root``."""
    todo = [(root, top)]
    while todo:
        into, src = todo.pop()
        dst = _child_like(into, src)
        dst.total += src.total
        dst.total_base += src.total_base
        dst.self_value += src.self_value
        dst.self_base += src.self_base
        todo.extend((dst, child) for child in src.child_nodes())


def _child_like(parent: Node, like: Node) -> Node:
    child = parent.children.get(like.name)
    if child is None:
        child = Node(like.name, parent, like.origin, like.file, like.line)
        parent.add_child(child)
    return child
