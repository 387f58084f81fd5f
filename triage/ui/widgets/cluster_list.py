"""The cluster list: workloads and pods drawn with the line API.

A watch burst replaces the rows wholesale (:meth:`ClusterList.show`); only the
visible lines are turned into strips, cached by row identity and width, so a
5,000-pod list costs one screen of rendering per update, not 5,000 widgets or a
DataTable rebuild.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage.ui.keys import bindings
from triage.ui.render_cluster import Row

CURSOR = Style(reverse=True)


@lru_cache(maxsize=64)
def _style(name: str) -> Style:
    return Style.parse(name) if name else Style()


class RowChosen(Message):
    """Enter on a row: a workload (fold/unfold) or a pod (open its view)."""

    def __init__(self, row: Row) -> None:
        super().__init__()
        self.row = row


class ClusterList(ScrollView, can_focus=True):
    """Rows of :mod:`triage.ui.render_cluster`, with a cursor."""

    BINDINGS = bindings(
        "list.down",
        "list.up",
        "list.first",
        "list.last",
        "list.page_down",
        "list.page_up",
        "cluster.open",
    )
    DEFAULT_CSS = "ClusterList { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.cursor = 0
        self._strips: LRUCache[tuple[int, int, bool], Strip] = LRUCache(512)

    @property
    def current(self) -> Row | None:
        """The row under the cursor."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def show(self, rows: list[Row]) -> None:
        """Replace the rows, keeping the cursor on the same pod or workload when it is there."""
        keep = self.current
        self.rows = rows
        self._strips.clear()
        self.cursor = self._find(keep) if keep is not None else 0
        self.virtual_size = Size(self.size.width, len(rows))
        self.refresh()

    def _find(self, row: Row) -> int:
        want = (row.kind, row.workload.ref, row.pod.crash.name if row.pod else "")
        for i, r in enumerate(self.rows):
            if (r.kind, r.workload.ref, r.pod.crash.name if r.pod else "") == want:
                return i
        return min(self.cursor, max(0, len(self.rows) - 1))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor
        key = (id(self.rows[index]), width, selected)
        strip = self._strips.get(key)
        if strip is None:
            segments = [Segment(text, _style(style)) for text, style in self.rows[index].spans]
            strip = Strip(segments).crop_extend(0, width, self.rich_style)
            if selected:
                strip = strip.apply_style(CURSOR)
            self._strips[key] = strip
        return strip

    def _move(self, to: int) -> None:
        if not self.rows:
            return
        old = self.cursor
        self.cursor = max(0, min(len(self.rows) - 1, to))
        if old != self.cursor:
            self._strips.clear()
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)
        self.refresh()

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.size.height - 1))

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.size.height - 1))

    def action_select(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(RowChosen(row))
