"""The flame graph's top table: every function with flat and cum, line API.

A profile can hold tens of thousands of functions; rows are rendered on demand
from :func:`triage.pprof.views.top_rows` (never a widget per row), with a
header that stays on the first line while the rows scroll.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage.pprof.tree import CallTree
from triage.pprof.views import TopRow
from triage.ui.flamerender import CLASSES, top_header, top_spans
from triage.ui.widgets.flame_view import SpanStyles, component_css


class TopTable(SpanStyles, ScrollView, can_focus=False):
    """Functions by flat or cum; the flame graph moves the cursor."""

    COMPONENT_CLASSES = set(CLASSES)
    DEFAULT_CSS = """
    TopTable {
        height: 1fr; overflow-x: hidden; overflow-y: auto;
        scrollbar-gutter: stable; scrollbar-size-vertical: 1;
    }
    """ + component_css("TopTable")

    def __init__(self, **kwargs: str | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._span_styles = {}
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(256)
        self.call_tree: CallTree | None = None
        self.rows: list[TopRow] = []
        self.sort = "flat"
        self.cursor = 0
        self.matches: frozenset[str] = frozenset()
        self._generation = 0

    def show(self, tree: CallTree, rows: list[TopRow], sort: str, cursor: int = 0) -> None:
        """Display ``rows`` (already sorted by ``sort``) with the cursor on row ``cursor``."""
        self.call_tree, self.rows, self.sort = tree, rows, sort
        self._generation += 1
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows) + 1)
        self.scroll_to(y=0, animate=False, immediate=True)  # the old order's offset means nothing
        self.move_to(cursor)
        self.refresh()

    def set_matches(self, names: frozenset[str]) -> None:
        """Underline the functions a search matched."""
        self.matches = names
        self._strips.clear()
        self.refresh()

    @property
    def current(self) -> TopRow | None:
        """The row under the cursor."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and scroll it into view."""
        if not self.rows:
            self.cursor = 0
            return
        before = self.cursor
        self.cursor = max(0, min(index, len(self.rows) - 1))
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)
        for row in (before, self.cursor):
            self.refresh_lines(row + 1)

    @property
    def page(self) -> int:
        """Rows per page."""
        return max(self.scrollable_content_region.height - 2, 1)

    def on_resize(self, _event: Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._span_styles.clear()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self.call_tree is None:
            return Strip.blank(width, self.rich_style)
        if y == 0:
            return self.strip(top_header(self.sort, width), width)
        index = y - 1 + round(self.scroll_y)
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = self.rows[index]
        cursor = index == self.cursor
        key = (self._generation, index, width, cursor, self.app.theme)
        strip = self._strips.get(key)
        if strip is None:
            spans = top_spans(
                row, self.call_tree, width, cursor=cursor, match=row.name in self.matches
            )
            strip = self.strip(spans, width)
            self._strips.set(key, strip)
        return strip
