"""Call trees: samples merged root to leaf, one node per function per path.

This is the model the flame graph, the folded and SVG exports and the top table
share. A node is one function at one position in the call tree (pprof's
"functions" granularity: different lines of a function merge); its ``total``
counts every sample that passes through it, its ``self_value`` those that end
in it. Values are signed, as in pprof: delta profiles and diffs carry negative
samples, whose magnitude is also kept apart (``total_base``) so that widths
(``weight``, the sum of absolute values) and diff colours stay meaningful.

Trees are built by :mod:`triage.pprof.stacks` from a profile, or from any
``(frames root->leaf, value)`` pairs with :func:`tree_from_stacks`, which is how
goroutine dumps in text become flame graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from triage.pprof.model import ValueType
from triage.pprof.origin import Origin, classify

ROOT_NAME = "root"


@dataclass(frozen=True, slots=True)
class Frame:
    """One call frame: a function name and where in it the call or sample was."""

    name: str
    file: str = ""
    line: int = 0


class _Fixed(dict[str, "Node"]):
    """A read-only ``children`` view of a node with no child or one child.

    A tree is mostly leaves and chains, and a dict per node cost ~200 bytes
    per frame (a 1 MB-deep sample took 400 MB): so a node stores nothing, its
    only child, or a dict from its second child on (:meth:`Node.add_child`).
    Writing into this view would be lost, so it raises instead.
    """

    def __setitem__(self, key: str, value: Node) -> None:
        raise TypeError("add children with Node.add_child")

    def setdefault(self, key: str, default: Node | None = None) -> Node:
        raise TypeError("add children with Node.add_child")


_NO_CHILDREN: dict[str, Node] = _Fixed()


class Node:
    """One function at one place in the call tree."""

    __slots__ = (
        "_children",
        "_kids",
        "depth",
        "file",
        "line",
        "name",
        "origin",
        "parent",
        "self_base",
        "self_value",
        "total",
        "total_base",
    )

    def __init__(
        self,
        name: str,
        parent: Node | None,
        origin: Origin = Origin.UNKNOWN,
        file: str = "",
        line: int = 0,
    ) -> None:
        self.name = name
        self.parent = parent
        self.depth: int = 0 if parent is None else parent.depth + 1
        self.origin = origin
        self.file = file
        self.line = line
        self.self_value = 0
        self.total = 0
        self.self_base = 0
        self.total_base = 0
        self._children: Node | dict[str, Node] | None = None
        self._kids: list[Node] | None = None

    @property
    def weight(self) -> int:
        """Sum of absolute sample values through this node: its width in a flame graph."""
        return self.total + 2 * self.total_base

    @property
    def kids(self) -> list[Node]:
        """Children, heaviest first (ties by name): the order flame graphs draw them in."""
        kids = self._children
        if kids is None:
            return []
        if isinstance(kids, Node):
            return [kids]
        if self._kids is None or len(self._kids) != len(kids):
            self._kids = sorted(kids.values(), key=_heaviest_first)
        return self._kids

    @property
    def children(self) -> dict[str, Node]:
        """Children by name (read-only for a node with fewer than two: use add_child)."""
        kids = self._children
        if kids is None:
            return _NO_CHILDREN
        if isinstance(kids, Node):
            return _Fixed({kids.name: kids})
        return kids

    def child_nodes(self) -> Iterable[Node]:
        """The children in no particular order, without building a mapping."""
        kids = self._children
        if kids is None:
            return ()
        if isinstance(kids, Node):
            return (kids,)
        return kids.values()

    @property
    def location(self) -> str:
        """``file:line`` of the frame, or "".

        When a function is reached from several lines (several call sites in the
        caller's frame), this is the line of the heaviest sample stack that
        created the node.
        """
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def path(self) -> list[Node]:
        """Nodes from the first frame below the root down to this one."""
        out: list[Node] = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            out.append(node)
            node = node.parent
        out.reverse()
        return out

    def walk(self) -> Iterator[Node]:
        """This node and every descendant, depth first, heaviest child first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.kids))

    def child(self, name: str, origin: Origin) -> Node:
        """The child called ``name``, created when missing."""
        node = self.children.get(name)
        if node is None:
            node = Node(name, self, origin)
            self.add_child(node)
        return node

    def add_child(self, node: Node) -> None:
        """Attach ``node`` (whose parent is this node) under its name."""
        kids = self._children
        if kids is None or (isinstance(kids, Node) and kids.name == node.name):
            self._children = node
        elif isinstance(kids, Node):
            self._children = {kids.name: kids, node.name: node}
        else:
            kids[node.name] = node

    def __repr__(self) -> str:
        return f"Node({self.name!r}, total={self.total}, self={self.self_value})"


def _heaviest_first(node: Node) -> tuple[int, str]:
    return (-node.weight, node.name)


class FunctionStat:
    """A function's flat and cum over a tree, and its heaviest outermost node."""

    __slots__ = ("cum", "flat", "heaviest")

    def __init__(self, heaviest: Node, flat: int = 0, cum: int = 0) -> None:
        self.heaviest = heaviest
        self.flat = flat
        self.cum = cum


@dataclass(slots=True)
class CallTree:
    """A call tree for one sample type, with what the views need to label it."""

    root: Node
    sample_type: ValueType
    #: pprof's denominator for percentages: the sum of |value| over all samples,
    #: or over the base profile's samples in a diff
    abs_total: int
    main_module: str | None = None
    is_diff: bool = False
    #: per-function flat and cum, when the builder computed them (see views.function_totals)
    functions: dict[str, FunctionStat] | None = field(default=None, repr=False)
    _by_name: dict[str, list[Node]] | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        """The signed sum of every sample's value."""
        return self.root.total

    @property
    def unit(self) -> str:
        return self.sample_type.unit

    def percent(self, value: int) -> float:
        """``value`` as a percentage of :attr:`abs_total` (0 for an empty tree)."""
        return 100.0 * value / self.abs_total if self.abs_total else 0.0

    def nodes(self) -> Iterator[Node]:
        """Every node below the root, depth first."""
        it = self.root.walk()
        next(it)
        return it

    def by_name(self) -> dict[str, list[Node]]:
        """Nodes grouped by function name (built once, then cached)."""
        if self._by_name is None:
            index: dict[str, list[Node]] = {}
            todo = list(self.root.child_nodes())
            while todo:
                node = todo.pop()
                index.setdefault(node.name, []).append(node)
                todo.extend(node.child_nodes())
            self._by_name = index
        return self._by_name

    def node_count(self) -> int:
        """Number of nodes below the root."""
        return sum(len(nodes) for nodes in self.by_name().values())


class OriginCache:
    """Classify each function name once per tree."""

    def __init__(self, main_module: str | None) -> None:
        self.main_module = main_module
        self.cache: dict[str, Origin] = {}

    def __call__(self, name: str) -> Origin:
        origin = self.cache.get(name)
        if origin is None:
            origin = self.cache[name] = classify(name, self.main_module)
        return origin


def tree_from_stacks(
    stacks: Iterable[tuple[Sequence[Frame], int]],
    sample_type: ValueType | None = None,
    *,
    main_module: str | None = None,
) -> CallTree:
    """Merge ``(frames root->leaf, value)`` pairs into a call tree.

    Any source of stacks works. A goroutine dump's groups (triage.goroutines;
    traceback frames are innermost first) become a flame graph weighted by
    goroutine count, with the wait state as the leaf, like this::

        pairs = (
            ([Frame(f.func, f.file, f.line) for f in reversed(g.stack.frames)]
             + [Frame(f"[{state}]")], count)
            for g in groups for state, count in g.states.items()
        )
        tree = tree_from_stacks(pairs)   # sample type goroutine/count

    Values may be negative (a diff of two dumps).
    """
    from triage.pprof.build import KeyedStacks, build

    keyed = KeyedStacks()
    for frames, value in stacks:
        keyed.add(tuple(frames), value)
    for key in keyed.used_keys():
        assert isinstance(key, Frame)
        keyed.expand[key] = (key,)
    return build(keyed, sample_type or ValueType("goroutine", "count"), main_module=main_module)
