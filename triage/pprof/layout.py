"""Icicle layout (root on top) for a character grid, and pruning for display.

The widget asks :func:`icicle` for the frames visible at a given width: each
node gets an x offset and a width in cells, proportional to its weight (the sum
of absolute sample values, so diffs lay out too). Frames narrower than
``min_width`` cells are left out with everything below them, which bounds the
work by what fits on screen rather than by the size of the tree. Zooming is
laying out from another node: its ancestors are then drawn full width above it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from triage.pprof.tree import CallTree, Node

DEFAULT_PRUNE_PERCENT = 0.1


@dataclass(frozen=True, slots=True)
class Cell:
    """A node placed on the grid: row ``row``, columns ``x`` to ``x + width - 1``."""

    node: Node
    row: int
    x: int
    width: int


@dataclass(slots=True)
class Icicle:
    """Rows of cells, top to bottom, each row sorted by x."""

    width: int
    rows: list[list[Cell]] = field(default_factory=list)
    _where: dict[int, Cell] = field(default_factory=dict, repr=False)

    def cell(self, node: Node) -> Cell | None:
        """Where ``node`` is drawn, or None when it is not visible."""
        return self._where.get(id(node))

    def at(self, row: int, x: int) -> Cell | None:
        """The cell covering column ``x`` of ``row`` (None over a gap)."""
        if not 0 <= row < len(self.rows):
            return None
        cells = self.rows[row]
        i = bisect.bisect_right([c.x for c in cells], x) - 1
        if i >= 0 and cells[i].x <= x < cells[i].x + cells[i].width:
            return cells[i]
        return None

    def beside(self, cell: Cell, step: int) -> Cell | None:
        """The visible cell ``step`` places left (<0) or right (>0) of ``cell`` in its row."""
        cells = self.rows[cell.row]
        i = cells.index(cell) + step
        return cells[i] if 0 <= i < len(cells) else None

    def below(self, cell: Cell) -> Cell | None:
        """The heaviest visible child of ``cell`` (what "down" moves to)."""
        for child in cell.node.kids:
            found = self.cell(child)
            if found is not None:
                return found
        return None

    def above(self, cell: Cell) -> Cell | None:
        """The parent's cell (what "up" moves to)."""
        parent = cell.node.parent
        return None if parent is None else self.cell(parent)

    def _add(self, cell: Cell) -> None:
        while len(self.rows) <= cell.row:
            self.rows.append([])
        self.rows[cell.row].append(cell)
        self._where[id(cell.node)] = cell


def icicle(
    zoom: Node,
    width: int,
    *,
    min_width: int = 1,
    max_rows: int | None = None,
    show_root: bool = True,
) -> Icicle:
    """Lay out the tree under ``zoom`` across ``width`` cells.

    The ancestors of ``zoom`` (from the root, or from below it when
    ``show_root`` is false) come first, each full width; then ``zoom``'s
    subtree, children heaviest first.
    """
    out = Icicle(width)
    chain = [zoom]
    up = zoom.parent
    while up is not None:
        chain.append(up)
        up = up.parent
    chain.reverse()
    if not show_root:
        chain = chain[1:] or chain
    for row, node in enumerate(chain[:-1]):
        out._add(Cell(node, row, 0, width))
    base = len(chain) - 1
    total = zoom.weight
    if total <= 0 or width <= 0:
        out._add(Cell(zoom, base, 0, width))
        return out
    todo: list[tuple[Node, int, int]] = [(zoom, base, 0)]  # node, row, start in weight units
    while todo:
        node, row, start = todo.pop()
        x0 = start * width // total
        x1 = (start + node.weight) * width // total
        if x1 - x0 < min_width:
            continue
        out._add(Cell(node, row, x0, x1 - x0))
        if max_rows is not None and row + 1 >= max_rows:
            continue
        offset = start
        for child in node.kids:
            todo.append((child, row + 1, offset))
            offset += child.weight
    for cells in out.rows:
        cells.sort(key=lambda c: c.x)
    return out


def prune(tree: CallTree, percent: float = DEFAULT_PRUNE_PERCENT) -> CallTree:
    """A copy of ``tree`` without nodes whose weight is under ``percent``% of the root's.

    Their weight stays in their parent (a gap in the drawing), as pprof's
    node-fraction pruning does; per-function flat and cum stay those of the full
    tree.
    """
    from triage.pprof.views import function_totals

    functions = function_totals(tree)
    limit = tree.root.weight * percent / 100.0
    root = _copy(tree.root, None)
    todo = [(tree.root, root)]
    while todo:
        src, dst = todo.pop()
        for child in src.child_nodes():
            if child.weight >= limit and child.weight > 0:
                copy = _copy(child, dst)
                dst.add_child(copy)
                todo.append((child, copy))
    return CallTree(
        root=root,
        sample_type=tree.sample_type,
        abs_total=tree.abs_total,
        main_module=tree.main_module,
        is_diff=tree.is_diff,
        functions=functions,
    )


def _copy(node: Node, parent: Node | None) -> Node:
    copy = Node(node.name, parent, node.origin, node.file, node.line)
    copy.self_value = node.self_value
    copy.self_base = node.self_base
    copy.total = node.total
    copy.total_base = node.total_base
    return copy
