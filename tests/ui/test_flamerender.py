"""Pure flame graph layout, movement and rows (triage.ui.flamegrid, triage.ui.flamerender)."""

from __future__ import annotations

import pytest

from triage.pprof.model import ValueType
from triage.pprof.tree import CallTree, Frame, Node, tree_from_stacks
from triage.pprof.views import sandwich, search, top_rows
from triage.ui.flamegrid import (
    Grid,
    flame_grid,
    follow,
    ordered_matches,
    path_names,
    sandwich_grid,
    zoom_to_show,
)
from triage.ui.flamerender import (
    HEADER,
    MATCH,
    ROOT,
    SELECTED,
    fit,
    fit_left,
    frame_classes,
    frame_label,
    header_content,
    info_content,
    legend_content,
    row_spans,
    search_summary,
    short_name,
    top_header,
    top_spans,
)

STACKS = [
    (["main.main", "main.work", "runtime.mallocgc"], 6),
    (["main.main", "net/http.Get"], 3),
    (["main.main", "github.com/lib/pq.query"], 1),
]


def _tree(stacks: list[tuple[list[str], int]] = STACKS, unit: str = "count") -> CallTree:
    pairs = (([Frame(n, f"/src/{n}.go", 7) for n in names], v) for names, v in stacks)
    return tree_from_stacks(pairs, ValueType("samples", unit))


def _node(tree: CallTree, *names: str) -> Node:
    node = follow(tree.root, names)
    assert [n.name for n in node.path()] == list(names)
    return node


def _layout(grid: object) -> list[list[tuple[str, int, int]]]:
    return [[(c.node.name, c.x, c.width) for c in row] for row in grid.rows]  # type: ignore[attr-defined]


def test_grid_is_the_icicle_root_on_top() -> None:
    tree = _tree()
    assert _layout(flame_grid(tree.root, 10)) == [
        [("root", 0, 10)],
        [("main.main", 0, 10)],
        [("main.work", 0, 6), ("net/http.Get", 6, 3), ("github.com/lib/pq.query", 9, 1)],
        [("runtime.mallocgc", 0, 6)],
    ]


def test_zoomed_grid_keeps_ancestors_full_width() -> None:
    tree = _tree()
    work = _node(tree, "main.main", "main.work")
    assert _layout(flame_grid(work, 10)) == [
        [("root", 0, 10)],
        [("main.main", 0, 10)],
        [("main.work", 0, 10)],
        [("runtime.mallocgc", 0, 10)],
    ]


#: main.b gets no cell from the root at 4 columns, two once zoomed on main.x
NARROW = [(["main.a"], 20), (["main.x", "main.b"], 1), (["main.x", "main.c"], 1)]


def test_narrow_frames_are_left_out() -> None:
    tree = _tree(NARROW)
    grid = flame_grid(tree.root, 4)
    b = _node(tree, "main.x", "main.b")
    assert grid.cell(b) is None
    assert grid.visible(b) is grid.cell(_node(tree, "main.x"))
    assert _layout(flame_grid(_node(tree, "main.x"), 4))[2] == [("main.b", 0, 2), ("main.c", 2, 2)]


@pytest.mark.parametrize(
    ("start", "direction", "prefer", "expected"),
    [
        (("main.main",), "down", None, ("main.main", "main.work")),  # heaviest child
        (("main.main",), "up", None, ()),  # the root
        ((), "up", None, None),
        (("main.main", "main.work"), "right", None, ("main.main", "net/http.Get")),
        (("main.main", "net/http.Get"), "right", None, ("main.main", "github.com/lib/pq.query")),
        (("main.main", "github.com/lib/pq.query"), "right", None, None),
        (("main.main", "main.work"), "left", None, None),
        (("main.main", "net/http.Get"), "up", None, ("main.main",)),
        (("main.main", "main.work", "runtime.mallocgc"), "down", None, None),
        (("main.main",), "down", ("main.main", "net/http.Get"), ("main.main", "net/http.Get")),
    ],
)
def test_moves(
    start: tuple[str, ...],
    direction: str,
    prefer: tuple[str, ...] | None,
    expected: tuple[str, ...] | None,
) -> None:
    tree = _tree()
    grid = flame_grid(tree.root, 10)
    cell = grid.cell(_node(tree, *start))
    assert cell is not None
    target = grid.move(cell, direction, _node(tree, *prefer) if prefer else None)
    if expected is None:
        assert target is None
    else:
        assert target is not None and target.node is _node(tree, *expected)


def test_move_rejects_unknown_direction() -> None:
    tree = _tree()
    grid = flame_grid(tree.root, 10)
    with pytest.raises(ValueError, match="direction"):
        grid.move(grid.rows[0][0], "sideways")


def test_sandwich_grid_has_callers_upside_down_above_callees() -> None:
    tree = _tree(
        [
            (["main.main", "main.a", "main.leaf", "runtime.x"], 4),
            (["main.main", "main.b", "main.leaf"], 2),
        ]
    )
    view = sandwich(tree, "main.leaf")
    callers = view.callers.root.children["main.leaf"]
    callees = view.callees.root.children["main.leaf"]
    grid = sandwich_grid(callers, callees, 12)
    assert _layout(grid) == [
        [("main.main", 0, 8), ("main.main", 8, 4)],
        [("main.a", 0, 8), ("main.b", 8, 4)],
        [("main.leaf", 0, 12)],
        [("runtime.x", 0, 8)],
    ]
    middle = grid.cell(callees)
    assert middle is not None and middle.row == 2
    # up from the function goes to its heaviest caller, down to its heaviest callee
    up = grid.move(middle, "up")
    assert up is not None and up.node.name == "main.a"
    down = grid.move(middle, "down")
    assert down is not None and down.node.name == "runtime.x"


def test_zoom_to_show_zooms_only_as_far_as_needed() -> None:
    tree = _tree(NARROW)
    a, x, b = (_node(tree, *p) for p in (("main.a",), ("main.x",), ("main.x", "main.b")))

    def layout(zoom: Node) -> Grid:
        return flame_grid(zoom, 4)

    assert zoom_to_show(tree.root, tree.root, a, layout) is tree.root  # already shown
    assert zoom_to_show(tree.root, a, x, layout) is tree.root  # not under the zoom
    assert zoom_to_show(tree.root, tree.root, b, layout) is x  # too narrow: its parent
    assert zoom_to_show(tree.root, b, b, layout) is b


def test_path_names_and_follow_find_the_same_place_in_another_tree() -> None:
    tree, other = _tree(), _tree(STACKS[1:])
    node = _node(tree, "main.main", "net/http.Get")
    assert path_names(node) == ["main.main", "net/http.Get"]
    assert follow(other.root, path_names(node)).name == "net/http.Get"
    gone = _node(tree, "main.main", "main.work", "runtime.mallocgc")
    assert follow(other.root, path_names(gone)).name == "main.main"  # deepest existing


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("main.main", "main.main"),
        ("github.com/lib/pq.(*conn).query", "pq.(*conn).query"),
        ("net/http.(*conn).serve", "http.(*conn).serve"),
        ("slices.Sort[go.shape.*net/http.Request]", "slices.Sort[go.shape.*net/http.Request]"),
        ("[chan receive]", "[chan receive]"),
    ],
)
def test_short_name(name: str, short: str) -> None:
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("text", "width", "expected", "left"),
    [
        ("abc", 5, "abc  ", "abc  "),
        ("abcdef", 4, "abc…", "…def"),
        ("abc", 1, "a", "c"),
        ("abc", 0, "", ""),
        ("ab", 2, "ab", "ab"),
    ],
)
def test_fit(text: str, width: int, expected: str, left: str) -> None:
    assert fit(text, width) == expected
    assert fit_left(text, width) == left


@pytest.mark.parametrize(
    ("names", "width", "diff", "label"),
    [
        ((), 14, False, "all samples   "),
        (("main.main",), 12, False, "* main.main "),
        (("main.main", "net/http.Get"), 8, False, "= http.…"),
        (("main.main", "github.com/lib/pq.query"), 1, False, "+"),
        (("main.main", "main.work", "runtime.mallocgc"), 3, False, "~ …"),
        (("main.main",), 12, True, "*+ main.main"),
    ],
)
def test_frame_label_starts_with_the_origin_mark(
    names: tuple[str, ...], width: int, diff: bool, label: str
) -> None:
    tree = _tree()
    assert frame_label(_node(tree, *names), width, diff=diff) == label


def test_diff_frames_get_signs_and_diff_classes() -> None:
    tree = _tree(
        [(["main.grow"], 5), (["main.shrink"], -3), (["main.same"], 2), (["main.same"], -2)]
    )
    tree.is_diff = True
    grow, shrink, same = (_node(tree, n) for n in ("main.grow", "main.shrink", "main.same"))
    assert frame_label(shrink, 14, diff=True) == "*- main.shrink"
    assert frame_label(same, 12, diff=True) == "*  main.same"
    assert [frame_classes(n, diff=True) for n in (grow, shrink, same)] == [
        ("flame--grow",),
        ("flame--shrink",),
        ("flame--same",),
    ]
    assert frame_classes(grow) == ("flame--own",)


def test_row_spans_mark_matches_and_selection_and_fill_gaps() -> None:
    tree = _tree([(["main.a"], 2), (["runtime.b"], 1)])
    tree.root.children["main.a"].self_value += 0
    grid = flame_grid(tree.root, 12)
    a, b = _node(tree, "main.a"), _node(tree, "runtime.b")
    spans = row_spans(grid.rows[1], 12, matches=frozenset({b}), selected=a)
    assert spans == [
        ("* main.a", ("flame--own", SELECTED)),
        ("~ r…", ("flame--runtime", MATCH)),
    ]
    assert row_spans(grid.rows[0], 12) == [("all samples ", (ROOT,))]
    partial = flame_grid(a, 12)  # zoomed on a: only a below the root
    assert row_spans(partial.rows[1], 14) == [("* main.a    ", ("flame--own",)), ("  ", ())]


def test_ordered_matches_read_top_down_left_to_right() -> None:
    tree = _tree()
    grid = flame_grid(tree.root, 10)
    found = search(tree, "main")
    assert [c.node.name for c in ordered_matches(grid.cells(), found.nodes)] == [
        "main.main",
        "main.work",
    ]


def test_top_rows_render_values_shares_mark_and_name() -> None:
    tree = _tree(unit="nanoseconds")
    rows = top_rows(tree, "flat")
    assert top_header("flat", 70) == [
        ("     ▼flat    flat%       cum     cum%  function" + " " * 22, (HEADER,))
    ]
    assert top_header("cum", 40)[0][0] == "      flat      ▼cum  function" + " " * 10
    spans = top_spans(rows[0], tree, 70, cursor=True)
    text = "".join(t for t, _ in spans)
    assert len(text) == 70
    assert text.rstrip() == "       6ns   60.00%       6ns   60.00%  ~ runtime.mallocgc"
    assert spans[1] == ("~", ("flame--runtime", SELECTED))
    assert all(SELECTED in classes for _, classes in spans)
    narrow = top_spans(rows[1], tree, 30, match=True)
    assert "".join(t for t, _ in narrow) == "       3ns       3ns  = …p.Get"
    assert all(MATCH in classes for _, classes in narrow)


def test_info_shows_name_self_total_shares_and_place() -> None:
    tree = _tree(unit="bytes")
    node = _node(tree, "main.main", "net/http.Get")
    text = info_content(tree, node).plain
    assert text == (
        "=  standard library  net/http.Get\n"
        "self 3B (30.00%)  total 3B (30.00%)  /src/net/http.Get.go:7"
    )
    root = info_content(tree, tree.root).plain
    assert root == "all samples  samples\nself 0 (0%)  total 10B (100%)  "
    function = info_content(tree, node, function=(1, 5)).plain
    assert "flat 1B (10.00%)  cum 5B (50.00%)" in function


def test_info_signs_diff_growth() -> None:
    tree = _tree([(["main.grow"], 5), (["main.shrink"], -3)])
    tree.is_diff = True
    text = info_content(tree, _node(tree, "main.grow")).plain
    assert "self +5 (+62.50%)  total +5 (+62.50%)" in text


@pytest.mark.parametrize(
    ("width", "diff", "expected"),
    [
        (
            100,
            False,
            "* own module  + dependency  = standard library  ~ runtime  ? unsymbolized  ",
        ),
        (60, False, "* own  + dep  = std  ~ runtime  ? unsym  "),
        (60, True, "* own  + dep  = std  ~ runtime  ? unsym  + grew  - shrank"),
    ],
)
def test_legend_lists_every_mark(width: int, diff: bool, expected: str) -> None:
    assert legend_content(width, diff=diff).plain == expected


def test_search_summary_reports_the_share_views_search_computes() -> None:
    tree = _tree(unit="nanoseconds")
    found = search(tree, "http")
    assert search_summary(found, tree).plain == "/http: 1 fn, 30.00% (3ns)  "
    assert search_summary(search(tree, "zzzz"), tree).plain == "/zzzz: no match  "
    assert search_summary(None, tree).plain == ""


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "samples total 10 · prof"),
        ({"mode": "top", "sort": "cum"}, "top by cum · samples total 10 · prof"),
        ({"zoom": ("main.main",)}, "zoom main.main · samples total 10 · prof"),
        (
            {"mode": "sandwich", "function": "net/http.Get"},
            "sandwich http.Get (callers ▲ callees ▼) · samples total 10 · prof",
        ),
        ({"pending": "alloc_space"}, "samples total 10 · loading alloc_space… · prof"),
    ],
)
def test_header(kwargs: dict[str, object], expected: str) -> None:
    tree = _tree()
    if "zoom" in kwargs:
        kwargs["zoom"] = _node(tree, *kwargs["zoom"])  # type: ignore[misc]
    assert header_content("prof", tree, **kwargs).plain == expected  # type: ignore[arg-type]
