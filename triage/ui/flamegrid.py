"""Flame graph frames on a character grid, and moving between them (pure, no widgets).

The widget asks for a :class:`Grid` once per (zoom root, width) and keeps it:
every arrow key is then a lookup in the grid, never a new layout. Movement is
geometric, so the same rules serve the plain icicle (root on top) and the
sandwich (callers drawn upside down above the function, callees below): up and
down go to the frame of the next row that overlaps the current one most
(a parent covers its child entirely; the heaviest child is the widest), ties
to the left, unless the caller remembers where it came from.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence

from triage.pprof.layout import Cell, icicle
from triage.pprof.tree import Node

DIRECTIONS = ("left", "right", "up", "down")


class Grid:
    """Rows of cells, each row sorted by x, with a node -> cell index."""

    __slots__ = ("_starts", "_where", "rows", "width")

    def __init__(self, width: int, rows: Sequence[Sequence[Cell]]) -> None:
        self.width = width
        self.rows: list[list[Cell]] = [sorted(r, key=lambda c: c.x) for r in rows]
        self._where = {id(c.node): c for r in self.rows for c in r}
        self._starts = [[c.x for c in r] for r in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def cell(self, node: Node | None) -> Cell | None:
        """Where ``node`` is drawn, or None when it is not visible."""
        return None if node is None else self._where.get(id(node))

    def cells(self) -> Iterator[Cell]:
        """Every cell, top row first, left to right."""
        for row in self.rows:
            yield from row

    def at(self, row: int, x: int) -> Cell | None:
        """The cell covering column ``x`` of ``row`` (None over a gap)."""
        if not 0 <= row < len(self.rows):
            return None
        i = bisect.bisect_right(self._starts[row], x) - 1
        if i >= 0:
            cell = self.rows[row][i]
            if cell.x <= x < cell.x + cell.width:
                return cell
        return None

    def beside(self, cell: Cell, step: int) -> Cell | None:
        """The cell ``step`` places left (<0) or right (>0) of ``cell`` in its row."""
        i = bisect.bisect_left(self._starts[cell.row], cell.x) + step
        row = self.rows[cell.row]
        return row[i] if 0 <= i < len(row) else None

    def vertical(self, cell: Cell, step: int, prefer: Node | None = None) -> Cell | None:
        """The cell of row ``cell.row + step`` overlapping ``cell`` most (``prefer`` wins)."""
        target = cell.row + step
        if not 0 <= target < len(self.rows):
            return None
        row = self.rows[target]
        starts = self._starts[target]
        end = cell.x + cell.width
        i = max(bisect.bisect_right(starts, cell.x) - 1, 0)
        best: Cell | None = None
        best_overlap = 0
        while i < len(row) and row[i].x < end:
            other = row[i]
            overlap = min(end, other.x + other.width) - max(cell.x, other.x)
            if overlap > 0 and prefer is not None and other.node is prefer:
                return other
            if overlap > best_overlap:
                best, best_overlap = other, overlap
            i += 1
        return best

    def move(self, cell: Cell, direction: str, prefer: Node | None = None) -> Cell | None:
        """The cell one step in ``direction`` ("left", "right", "up", "down"), or None."""
        if direction == "left":
            return self.beside(cell, -1)
        if direction == "right":
            return self.beside(cell, 1)
        if direction == "up":
            return self.vertical(cell, -1, prefer)
        if direction == "down":
            return self.vertical(cell, 1, prefer)
        raise ValueError(f"direction must be one of {DIRECTIONS}")

    def visible(self, node: Node | None) -> Cell | None:
        """The cell of ``node`` or of its nearest visible ancestor."""
        while node is not None:
            found = self._where.get(id(node))
            if found is not None:
                return found
            node = node.parent
        return None


def flame_grid(zoom: Node, width: int) -> Grid:
    """The icicle of ``zoom``'s subtree at ``width`` cells, its ancestors full width above."""
    return Grid(width, icicle(zoom, width).rows)


def sandwich_grid(callers: Node, callees: Node, width: int) -> Grid:
    """Callers upside down above the function, its callees below (one function row).

    ``callers`` and ``callees`` are the function's nodes in the two trees of
    :func:`triage.pprof.views.sandwich`; both weigh the function's cum, so
    their columns line up.
    """
    above = icicle(callers, width, show_root=False).rows[1:]
    below = icicle(callees, width, show_root=False).rows
    rows: list[list[Cell]] = []
    for cells in reversed(above):
        rows.append([Cell(c.node, len(rows), c.x, c.width) for c in cells])
    for cells in below:
        rows.append([Cell(c.node, len(rows), c.x, c.width) for c in cells])
    return Grid(width, rows)


def ordered_matches(cells: Iterable[Cell], matches: frozenset[Node]) -> list[Cell]:
    """The visible matching cells in reading order (top row first, left to right)."""
    return [c for c in cells if c.node in matches]


def path_names(node: Node | None) -> list[str]:
    """Function names from below the root down to ``node`` (to find it in another tree)."""
    return [] if node is None else [n.name for n in node.path()]


def follow(root: Node, names: Sequence[str]) -> Node:
    """The deepest node of ``root``'s tree along ``names`` (the root when none matches)."""
    node = root
    for name in names:
        child = node.children.get(name)
        if child is None:
            break
        node = child
    return node


def zoom_to_show(root: Node, zoom: Node, node: Node, layout: Callable[[Node], Grid]) -> Node:
    """A zoom root whose layout (``layout(zoom)``, the caller's cached one) shows ``node``.

    Keeps ``zoom`` when it already shows the node, else tries the whole tree,
    then the node's parent, then the node itself.
    """
    for candidate in (zoom, root, node.parent):
        if candidate is None or not is_under(node, candidate):
            continue
        if layout(candidate).cell(node) is not None:
            return candidate
    return node


def is_under(node: Node, top: Node) -> bool:
    """True when ``top`` is ``node`` or one of its ancestors."""
    up: Node | None = node
    while up is not None:
        if up is top:
            return True
        up = up.parent
    return False
