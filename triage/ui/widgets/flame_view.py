"""The icicle itself: a line-API view of a :class:`~triage.ui.flamegrid.Grid`.

Nothing here decides what to show: the flame graph hands over a grid source
(a key and a function of the width), the selection and the search matches.
Grids are cached per (source key, width) and rendered rows per (grid, row,
search epoch, theme, selection in that row), so moving the selection lays
nothing out again and repaints only the two rows it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.events import Resize
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from triage.pprof.tree import Node
from triage.ui.flamegrid import Grid
from triage.ui.flamerender import CLASSES, MATCH, SELECTED, Span, row_spans

#: classes that only add emphasis on top of a frame's colours
OVERLAYS = frozenset({MATCH, SELECTED})
GridSource = Callable[[int], Grid]
EMPTY = Grid(0, [])


def component_css(widget: str) -> str:
    """Theme rules for the span classes of ``widget`` (origin and diff colours, emphasis)."""
    colours = {
        "own": "$origin-own",
        "dependency": "$origin-dependency",
        "stdlib": "$origin-stdlib",
        "runtime": "$origin-runtime",
        "unknown": "$origin-unknown",
        "grow": "$diff-grow",
        "shrink": "$diff-shrink",
    }
    rules = [
        f"{widget} > .flame--{name} {{ background: {var}; color: auto 90%; }}"
        for name, var in colours.items()
    ]
    rules += [
        f"{widget} > .flame--root {{ background: $panel-lighten-1; color: $text; }}",
        f"{widget} > .flame--same {{ background: $panel-lighten-1; color: $text; }}",
        f"{widget} > .flame--match {{ text-style: bold underline; }}",
        f"{widget} > .flame--selected {{ text-style: bold reverse; }}",
        f"{widget} > .flame--header {{ text-style: bold; color: $text-muted; }}",
    ]
    return "\n".join(rules)


class SpanStyles:
    """Spans -> a strip, with one rich Style per class tuple (cleared on theme change)."""

    _span_styles: dict[tuple[str, ...], Style]

    def span_style(self, classes: tuple[str, ...]) -> Style:
        style = self._span_styles.get(classes)
        if style is None:
            widget = self._widget()
            style = widget.rich_style
            for name in classes:
                if name in OVERLAYS:
                    style += widget.get_component_rich_style(name, partial=True)
                else:
                    style += widget.get_component_rich_style(name)
            self._span_styles[classes] = style
        return style

    def strip(self, spans: list[Span], width: int) -> Strip:
        segments = [Segment(text, self.span_style(classes)) for text, classes in spans]
        return Strip(segments, width).simplify()

    def _widget(self) -> ScrollView:
        assert isinstance(self, ScrollView)
        return self


class FlameView(SpanStyles, ScrollView, can_focus=False):
    """The frames of the current grid, one terminal row per tree level."""

    COMPONENT_CLASSES = set(CLASSES)
    DEFAULT_CSS = """
    FlameView {
        height: 1fr; overflow-x: hidden; overflow-y: auto;
        scrollbar-gutter: stable; scrollbar-size-vertical: 1;
    }
    """ + component_css("FlameView")

    def __init__(self, **kwargs: str | None) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._span_styles = {}
        self._key: Hashable = None
        self._make: GridSource | None = None
        self._grids: LRUCache[tuple[Hashable, int], Grid] = LRUCache(16)
        self._strips: LRUCache[tuple[Hashable, ...], Strip] = LRUCache(1024)
        self.selected: Node | None = None
        self.matches: frozenset[Node] = frozenset()
        self.diff = False
        self.epoch = 0

    # --- what to draw ---------------------------------------------------------

    def show(self, key: Hashable, make: GridSource, *, diff: bool = False) -> None:
        """Draw the grids ``make(width)`` builds, cached under ``key``."""
        self._key, self._make, self.diff = key, make, diff
        self._update_size()
        self.refresh()

    def forget(self) -> None:
        """Drop every cached grid and row (a new tree: node ids may be reused)."""
        self._grids.clear()
        self._strips.clear()
        self._key, self._make = None, None
        self.selected, self.matches = None, frozenset()

    @property
    def layout_width(self) -> int:
        """Cells across the frames (the scrollbar gutter is always kept).

        While hidden (the top table is shown) the view has no size; it spans its
        parent's width when shown, so that width is used to lay out ahead.
        """
        width = self.scrollable_content_region.width
        if width <= 0 and isinstance(self.parent, Widget):
            width = self.parent.content_region.width - self.styles.scrollbar_size_vertical
        return max(width, 0)

    def grid_for(self, key: Hashable, make: GridSource) -> Grid:
        """The cached grid of another source at the current width (e.g. a zoom candidate)."""
        width = self.layout_width
        if width <= 0:
            return EMPTY
        grid = self._grids.get((key, width))
        if grid is None:
            grid = make(width)
            self._grids.set((key, width), grid)
        return grid

    @property
    def grid(self) -> Grid:
        """The grid drawn now."""
        if self._make is None:
            return EMPTY
        return self.grid_for(self._key, self._make)

    def select(self, node: Node | None, *, scroll: bool = True) -> None:
        """Move the highlight; repaint only the rows of the old and new selection."""
        grid = self.grid
        before = grid.cell(self.selected)
        self.selected = node
        after = grid.cell(node)
        for cell in (before, after):
            if cell is not None:
                self.refresh_lines(cell.row)
        if scroll and after is not None:
            self.scroll_to_region(
                Region(0, after.row, 1, 1), animate=False, immediate=True, x_axis=False
            )

    def set_matches(self, matches: frozenset[Node]) -> None:
        """Highlight search matches (a new epoch: every row repaints once, if they changed)."""
        if matches is self.matches or matches == self.matches:
            return
        self.matches = matches
        self.epoch += 1
        self.refresh()

    # --- line API -----------------------------------------------------------

    def _update_size(self) -> None:
        self.virtual_size = Size(self.layout_width, len(self.grid))

    def on_resize(self, _event: Resize) -> None:
        self._update_size()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._span_styles.clear()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        row = y + self.scroll_offset.y
        grid = self.grid
        width = self.scrollable_content_region.width
        if not 0 <= row < len(grid) or grid.width != width:
            return Strip.blank(width, self.rich_style)
        cell = grid.cell(self.selected)
        chosen = self.selected if cell is not None and cell.row == row else None
        key = (self._key, width, row, self.epoch, self.app.theme, id(chosen) if chosen else 0)
        strip = self._strips.get(key)
        if strip is None:
            spans = row_spans(
                grid.rows[row], width, diff=self.diff, matches=self.matches, selected=chosen
            )
            strip = self.strip(spans, width)
            self._strips.set(key, strip)
        return strip
