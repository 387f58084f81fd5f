"""Pure functions from call-tree objects to flame graph rows and lines (no widgets).

Rows of the icicle and of the top table are lists of spans, ``(text,
component classes)``: the widget turns each class tuple into a style from the
theme once and caches the strips, and the tests read text and classes
directly. Every frame starts with its origin's mark (``*`` own, ``+``
dependency, ``=`` standard library, ``~`` runtime, ``?`` unsymbolized) and a
diff frame with ``+``/``-`` too, so colour is never the only signal; search
matches add a class the theme draws underlined, the selection one drawn in
reverse video.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from triage.pprof.layout import Cell
from triage.pprof.origin import Origin
from triage.pprof.tree import CallTree, Node
from triage.pprof.units import format_percent, format_value
from triage.pprof.views import SearchResult, TopRow

Span = tuple[str, tuple[str, ...]]

ORIGIN_CLASS = {
    Origin.OWN: "flame--own",
    Origin.DEPENDENCY: "flame--dependency",
    Origin.STDLIB: "flame--stdlib",
    Origin.RUNTIME: "flame--runtime",
    Origin.UNKNOWN: "flame--unknown",
}
ORIGIN_VAR = {
    Origin.OWN: "$origin-own",
    Origin.DEPENDENCY: "$origin-dependency",
    Origin.STDLIB: "$origin-stdlib",
    Origin.RUNTIME: "$origin-runtime",
    Origin.UNKNOWN: "$origin-unknown",
}
SHORT_ORIGIN = {
    Origin.OWN: "own",
    Origin.DEPENDENCY: "dep",
    Origin.STDLIB: "std",
    Origin.RUNTIME: "runtime",
    Origin.UNKNOWN: "unsym",
}
ROOT = "flame--root"
GROW = "flame--grow"
SHRINK = "flame--shrink"
SAME = "flame--same"
MATCH = "flame--match"
SELECTED = "flame--selected"
HEADER = "flame--header"
#: every component class the rows use (the widgets declare these)
CLASSES = frozenset({*ORIGIN_CLASS.values(), ROOT, GROW, SHRINK, SAME, MATCH, SELECTED, HEADER})
ROOT_LABEL = "all samples"


def short_name(name: str) -> str:
    """A Go function name without its package's directories (``store.(*S).Save``).

    Frames are narrow, and the end of a name says more than its import path;
    the info line always shows the full name.
    """
    cut = name.find("[")
    slash = name.rfind("/", 0, len(name) if cut < 0 else cut)
    return name[slash + 1 :]


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis."""
    if len(text) <= width:
        return text.ljust(width)
    if width <= 1:
        return text[:width]
    return text[: width - 1] + "…"


def fit_left(text: str, width: int) -> str:
    """Like :func:`fit`, cutting the start instead: a Go name's end says the most."""
    if len(text) <= width:
        return text.ljust(width)
    if width <= 1:
        return text[-width:] if width else ""
    return "…" + text[len(text) - width + 1 :]


def sign(value: int) -> str:
    """``+`` for growth, ``-`` for shrinkage, a space for no change."""
    return "+" if value > 0 else "-" if value < 0 else " "


def frame_label(node: Node, width: int, *, diff: bool = False) -> str:
    """What a frame box shows: origin mark (and diff sign) first, then the short name."""
    if node.parent is None:
        text = f"{sign(node.total)} {ROOT_LABEL}" if diff else ROOT_LABEL
    else:
        change = sign(node.total) if diff else ""
        text = f"{node.origin.mark}{change} {short_name(node.name)}"
    return fit(text, width)


def frame_classes(node: Node, *, diff: bool = False) -> tuple[str, ...]:
    """The colour class of a frame: its origin, or in a diff whether it grew or shrank."""
    if node.parent is None:
        return (ROOT,)
    if diff:
        return (GROW,) if node.total > 0 else (SHRINK,) if node.total < 0 else (SAME,)
    return (ORIGIN_CLASS[node.origin],)


def row_spans(
    cells: Sequence[Cell],
    width: int,
    *,
    diff: bool = False,
    matches: frozenset[Node] = frozenset(),
    selected: Node | None = None,
) -> list[Span]:
    """One icicle row, gaps included, exactly ``width`` cells wide."""
    spans: list[Span] = []
    x = 0
    for cell in cells:
        if cell.x > x:
            spans.append((" " * (cell.x - x), ()))
        classes = frame_classes(cell.node, diff=diff)
        if cell.node in matches:
            classes += (MATCH,)
        if cell.node is selected:
            classes += (SELECTED,)
        spans.append((frame_label(cell.node, cell.width, diff=diff), classes))
        x = cell.x + cell.width
    if x < width:
        spans.append((" " * (width - x), ()))
    return spans


def signed_value(value: int, unit: str, diff: bool) -> str:
    """A value with its unit; a diff's growth gets an explicit ``+``."""
    text = format_value(value, unit)
    return f"+{text}" if diff and value > 0 else text


def signed_percent(tree: CallTree, value: int) -> str:
    """``value``'s share of the profile; a diff's growth gets an explicit ``+``."""
    text = format_percent(tree.percent(value))
    return f"+{text}" if tree.is_diff and value > 0 else text


# --- the top table ---------------------------------------------------------

#: (title, width) of the number columns; narrow tables drop the percentages
WIDE_COLUMNS = (("flat", 10), ("flat%", 9), ("cum", 10), ("cum%", 9))
NARROW_COLUMNS = (("flat", 10), ("cum", 10))
NARROW_BELOW = 64
SORT_MARK = "▼"


def _columns(width: int) -> tuple[tuple[str, int], ...]:
    return NARROW_COLUMNS if width < NARROW_BELOW else WIDE_COLUMNS


def top_header(sort: str, width: int) -> list[Span]:
    """The table's header; the sorted column carries a mark, not only a colour."""
    parts: list[str] = []
    for title, size in _columns(width):
        marked = SORT_MARK + title if title == sort else title
        parts.append(marked.rjust(size))
    name = SORT_MARK + "function" if sort == "name" else "function"
    return [(fit("".join(parts) + "  " + name, width), (HEADER,))]


def top_spans(
    row: TopRow, tree: CallTree, width: int, *, cursor: bool = False, match: bool = False
) -> list[Span]:
    """One function of the top table: flat, cum (and shares when wide), mark and name.

    A name too long for the column loses its start (the import path), not its end.
    """
    values = {
        "flat": signed_value(row.flat, tree.unit, tree.is_diff),
        "flat%": signed_percent(tree, row.flat),
        "cum": signed_value(row.cum, tree.unit, tree.is_diff),
        "cum%": signed_percent(tree, row.cum),
    }
    numbers = "".join(values[title].rjust(size) for title, size in _columns(width))
    extra: tuple[str, ...] = (MATCH,) if match else ()
    if cursor:
        extra += (SELECTED,)
    prefix = (numbers + "  ")[:width]
    room = width - len(prefix)
    spans: list[Span] = [
        (prefix, extra),
        (row.origin.mark[:room], (ORIGIN_CLASS[row.origin], *extra)),
        ((" " + fit_left(row.name, max(room - 2, 0)))[: max(room - 1, 0)], extra),
    ]
    return [(text, classes) for text, classes in spans if text]


# --- lines around the graph -------------------------------------------------


def info_content(
    tree: CallTree, node: Node | None, *, function: tuple[int, int] | None = None
) -> Content:
    """The selected frame in full: mark, origin, name; self and total with shares; file:line.

    ``function`` replaces self/total by a function's flat/cum (the sandwich's middle row).
    """
    if node is None:
        return Content("")
    unit, diff = tree.unit, tree.is_diff
    if node.parent is None:
        head = Content.assemble((ROOT_LABEL, "bold"), f"  {tree.sample_type.type}")
    else:
        head = Content.assemble(
            (f"{node.origin.mark} ", f"bold auto 90% on {ORIGIN_VAR[node.origin]}"),
            (f" {node.origin.value}  ", "dim"),
            (node.name, "bold"),
        )
    flat, cum = function if function is not None else (node.self_value, node.total)
    labels = ("flat", "cum") if function is not None else ("self", "total")
    parts: list[str | tuple[str, str]] = []
    for label, value in zip(labels, (flat, cum), strict=True):
        parts += [
            (f"{label} ", "dim"),
            (signed_value(value, unit, diff), "bold"),
            f" ({signed_percent(tree, value)})  ",
        ]
    if node.parent is not None:
        parts.append(node.location or ("(no file:line)", "dim"))
    return Content("\n").join([head, Content.assemble(*parts)])


def legend_content(width: int, *, diff: bool = False) -> Content:
    """``mark=origin`` for every origin (short words when narrow), and diff signs."""
    full = [f"{o.mark} {o.value}" for o in Origin]
    extra = "+ grew  - shrank" if diff else ""
    words = (
        [o.value for o in Origin]
        if sum(len(t) + 2 for t in full) + len(extra) <= width
        else [SHORT_ORIGIN[o] for o in Origin]
    )
    parts: list[str | tuple[str, str]] = []
    for origin, word in zip(Origin, words, strict=True):
        parts += [(origin.mark, f"bold auto 90% on {ORIGIN_VAR[origin]}"), f" {word}  "]
    if diff:
        parts += [
            ("+", "bold auto 90% on $diff-grow"),
            " grew  ",
            ("-", "bold auto 90% on $diff-shrink"),
            " shrank",
        ]
    return Content.assemble(*parts)


def search_summary(result: SearchResult | None, tree: CallTree) -> Content:
    """``/query: 3 fn, 45.2% (450ms)``: what the matches cover; empty without a search."""
    if result is None:
        return Content("")
    if not result.names:
        return Content.assemble((f"/{result.query}", "bold"), ": no match  ")
    count = len(result.names)
    return Content.assemble(
        (f"/{result.query}", "bold underline"),
        f": {count} fn, ",
        (format_percent(result.percent), "bold"),
        f" ({format_value(result.value, tree.unit)})  ",
    )


def header_content(
    title: str,
    tree: CallTree,
    *,
    zoom: Node | None = None,
    mode: str = "flame",
    sort: str = "flat",
    function: str | None = None,
    pending: str | None = None,
) -> Content:
    """Where the user is (zoom, table, sandwich) first, then sample type, total and title.

    The line is cut at the pane's width, so what changes with keys comes first;
    ``pending`` is a sample type asked for and not shown yet.
    """
    parts: list[str | tuple[str, str]] = []
    if mode == "top":
        parts += [("top", "bold"), f" by {sort} · "]
    elif mode == "sandwich" and function is not None:
        parts += [("sandwich", "bold"), f" {short_name(function)} (callers ▲ callees ▼) · "]
    elif zoom is not None and zoom.parent is not None:
        parts += [("zoom", "bold"), f" {short_name(zoom.name)} · "]
    kind = "diff " if tree.is_diff else ""
    parts.append(f"{kind}{tree.sample_type.type} total {format_value(tree.total, tree.unit)}")
    if pending:
        parts += [" · ", ("loading", "bold"), f" {pending}…"]
    if title:
        parts += [" · ", (title, "bold")]
    return Content.assemble(*parts)
