"""The tree API the flame graph widget builds on: stacks in, layout, search, sandwich."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.pprof.test_vs_go import pprof_top
from triage.pprof.decode import decode
from triage.pprof.layout import icicle, prune
from triage.pprof.model import ValueType
from triage.pprof.origin import Origin, classify, infer_main_module, package_of
from triage.pprof.stacks import compile_filters, tree_for
from triage.pprof.tree import CallTree, Frame, tree_from_stacks
from triage.pprof.views import function_totals, sandwich, search, top_rows


def frames(*names: str) -> list[Frame]:
    return [Frame(n, f"/src/{n.split('.')[0]}.go", 10 + i) for i, n in enumerate(names)]


def cpu_tree(profiles: dict[str, Path]) -> CallTree:
    return tree_for(decode(profiles["cpu"].read_bytes(), "cpu"), "cpu")


def test_stacks_from_goroutine_groups() -> None:
    """How goroutine dumps become flame graphs: (frames root->leaf, goroutine count)."""
    groups = [
        (frames("main.main", "main.serve", "runtime.gopark"), 40),
        (frames("main.main", "main.serve", "sync.(*Mutex).Lock"), 5),
        (frames("main.worker", "runtime.gopark"), 3),
        (frames("main.main", "main.serve", "runtime.gopark"), 2),
    ]
    tree = tree_from_stacks(groups)
    assert tree.sample_type == ValueType("goroutine", "count")
    assert tree.total == tree.abs_total == 50
    serve = tree.root.children["main.main"].children["main.serve"]
    assert (serve.total, serve.self_value) == (47, 0)
    assert [n.name for n in serve.kids] == ["runtime.gopark", "sync.(*Mutex).Lock"]
    park = serve.children["runtime.gopark"]
    assert (park.total, park.self_value, park.depth) == (42, 42, 3)
    assert park.location == "/src/runtime.go:12"
    assert [n.name for n in park.path()] == ["main.main", "main.serve", "runtime.gopark"]
    assert park.origin is Origin.RUNTIME and serve.origin is Origin.OWN
    rows = {r.name: (r.flat, r.cum) for r in top_rows(tree)}
    assert rows["runtime.gopark"] == (45, 45)
    assert rows["main.main"] == (0, 47)


def test_recursion_counts_cum_once_per_sample() -> None:
    tree = tree_from_stacks(
        [
            (frames("main.a", "main.b", "main.a", "main.b", "main.leaf"), 7),
            (frames("main.a", "main.b"), 3),
        ],
        ValueType("samples", "count"),
    )
    rows = {r.name: (r.flat, r.cum) for r in top_rows(tree)}
    assert rows == {"main.a": (0, 10), "main.b": (3, 10), "main.leaf": (7, 7)}
    tree.functions = None  # the slow walk agrees with what the builder counted
    assert {n: (s.flat, s.cum) for n, s in function_totals(tree).items()} == rows


def test_negative_values_keep_net_and_weight() -> None:
    tree = tree_from_stacks(
        [(frames("main.a", "main.x"), 10), (frames("main.a", "main.y"), -4)],
        ValueType("alloc_space", "bytes"),
    )
    a = tree.root.children["main.a"]
    assert (a.total, a.total_base, a.weight) == (6, 4, 14)
    assert tree.abs_total == 14


def test_icicle_layout_on_a_real_tree(profiles: dict[str, Path]) -> None:
    tree = cpu_tree(profiles)
    for width in (60, 80, 237):
        lay = icicle(tree.root, width)
        assert lay.rows[0][0].node is tree.root and lay.rows[0][0].width == width
        for row in lay.rows:
            for left, right in itertools.pairwise(row):
                assert left.x + left.width <= right.x  # no overlap
            for cell in row:
                assert cell.width >= 1 and cell.x >= 0 and cell.x + cell.width <= width
                parent = lay.above(cell)
                if cell.node.parent is not None:
                    assert parent is not None and parent.row == cell.row - 1
                    assert parent.x <= cell.x and cell.x + cell.width <= parent.x + parent.width
                assert lay.at(cell.row, cell.x) == cell
        first = lay.below(lay.rows[0][0])
        assert first is not None and first.node is tree.root.kids[0]
        share = tree.root.kids[0].weight / tree.root.weight
        assert abs(first.width - share * width) <= 1
        assert lay.beside(first, -1) is None
    # Zoom: ancestors full width, the zoomed node spans the whole width below them.
    deep = max(tree.nodes(), key=lambda n: (n.depth, n.weight))
    zoom = deep.parent.parent  # type: ignore[union-attr]
    lay = icicle(zoom, 80)
    assert [c.node for c in (row[0] for row in lay.rows[: zoom.depth])] == [
        tree.root,
        *zoom.path()[:-1],
    ]
    assert lay.cell(zoom) == lay.rows[zoom.depth][0]
    assert lay.cell(zoom).width == 80  # type: ignore[union-attr]


def test_prune_drops_small_frames(profiles: dict[str, Path]) -> None:
    tree = cpu_tree(profiles)
    small = prune(tree, 5.0)
    limit = tree.root.weight * 0.05
    assert all(n.weight >= limit for n in small.nodes())
    kept = {tuple(x.name for x in n.path()) for n in small.nodes()}
    expected = {tuple(x.name for x in n.path()) for n in tree.nodes() if n.weight >= limit}
    # Everything heavy enough stays unless an ancestor was pruned (impossible: weights nest).
    assert kept == expected
    assert small.node_count() < tree.node_count()
    assert [(r.name, r.flat, r.cum) for r in top_rows(small)] == [
        (r.name, r.flat, r.cum) for r in top_rows(tree)
    ]


def test_search_share_matches_pprof_focus(profiles: dict[str, Path]) -> None:
    tree = cpu_tree(profiles)
    result = search(tree, "walkOdd")
    assert result.names[0] == "main.walkOdd"
    both = search(tree, "main.walk")
    assert set(both.names) == {"main.walk", "main.walkOdd"}
    expected, _ = pprof_top(profiles["cpu"], "cpu", "nanoseconds", "-focus=^main\\.walk")
    assert both.value == sum(flat for _, flat, _ in expected) > 0
    assert 0 < both.percent <= 100
    assert all(node.name in both.names for node in both.nodes)
    assert search(tree, "fib").names[0].endswith("pricing.fib")  # short: substring
    assert search(tree, "zzzzqqqq").names == []


def test_sandwich_of_a_recursive_function(profiles: dict[str, Path]) -> None:
    tree = cpu_tree(profiles)
    name = "example.com/shop/profiled/internal/pricing.fib"
    view = sandwich(tree, name)
    row = next(r for r in top_rows(tree) if r.name == name)
    assert (view.flat, view.cum) == (row.flat, row.cum)
    assert view.callers.total == view.callees.total == row.cum
    assert list(view.callers.root.children) == [name]
    callers = view.callers.root.children[name]
    assert set(callers.children) == {"example.com/shop/profiled/internal/pricing.Quote"}
    focused = tree_for(
        decode(profiles["cpu"].read_bytes()), "cpu", filters=compile_filters(focus="pricing\\.fib$")
    )
    assert {r.name: r.flat for r in top_rows(view.callees)} == {
        r.name: r.flat for r in top_rows(focused)
    }


@pytest.mark.parametrize(
    ("name", "module", "origin"),
    [
        ("runtime.gopark", None, Origin.RUNTIME),
        ("runtime.(*mspan).specialFindSplicePoint", None, Origin.RUNTIME),
        ("internal/runtime/atomic.(*Uint32).Load", None, Origin.RUNTIME),
        ("runtime/internal/syscall.Syscall6", None, Origin.RUNTIME),
        ("runtime/pprof.Do", None, Origin.STDLIB),
        ("net/http.(*conn).serve", None, Origin.STDLIB),
        ("sync.(*Mutex).Lock", None, Origin.STDLIB),
        ("internal/sync.(*Mutex).lockSlow", None, Origin.STDLIB),
        ("github.com/lib/pq.(*conn).query", "example.com/shop", Origin.DEPENDENCY),
        ("gopkg.in/yaml%2ev3.(*parser).parse", None, Origin.DEPENDENCY),
        ("main.main.func1", None, Origin.OWN),
        ("main.Map[go.shape.*net/http.Request]", None, Origin.OWN),
        ("example.com/shop/internal/store.(*DB).Get", "example.com/shop", Origin.OWN),
        ("example.com/shopping.Cart", "example.com/shop", Origin.DEPENDENCY),
        ("shop/internal/store.Get", "shop", Origin.OWN),
        ("0x4a5b6c", None, Origin.UNKNOWN),
    ],
)
def test_origin(name: str, module: str | None, origin: Origin) -> None:
    assert classify(name, module) is origin


def test_package_of_generic_and_escaped_names() -> None:
    assert package_of("main.Map[go.shape.*net/http.Request]") == "main"
    assert package_of("gopkg.in/yaml%2ev3.(*parser).parse") == "gopkg.in/yaml%2ev3"
    assert package_of("github.com/a/b.(*T).M.func1") == "github.com/a/b"


@pytest.mark.parametrize(
    ("files", "module"),
    [
        # go build in a checkout
        (
            [
                ("main.main", "/home/u/shop/cmd/api/main.go"),
                ("example.com/shop/internal/store.Get", "/home/u/shop/internal/store/db.go"),
                ("github.com/lib/pq.Open", "/home/u/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go"),
            ],
            "example.com/shop",
        ),
        # -trimpath
        (
            [
                ("main.main", "example.com/shop/cmd/api/main.go"),
                ("example.com/shop/internal/store.Get", "example.com/shop/internal/store/db.go"),
                ("github.com/lib/pq.Open", "github.com/lib/pq@v1.10.9/conn.go"),
            ],
            "example.com/shop",
        ),
        # a Docker build in /src, vendored dependency
        (
            [
                ("main.main", "/src/main.go"),
                ("example.com/shop/store.Get", "/src/store/db.go"),
                ("github.com/lib/pq.Open", "/src/vendor/github.com/lib/pq/conn.go"),
            ],
            "example.com/shop",
        ),
        # only package main: nothing else to claim
        ([("main.main", "/src/main.go"), ("net/http.Serve", "/go/src/net/http/server.go")], None),
    ],
)
def test_infer_main_module(files: list[tuple[str, str]], module: str | None) -> None:
    assert infer_main_module(files) == module


def test_real_profile_origins(profiles: dict[str, Path]) -> None:
    tree = cpu_tree(profiles)
    assert tree.main_module == "example.com/shop/profiled"
    origins = {r.name: r.origin for r in top_rows(tree)}
    assert origins["example.com/shop/profiled/internal/pricing.fib"] is Origin.OWN
    assert origins["main.(*Catalog).search"] is Origin.OWN
    assert {o for n, o in origins.items() if n.startswith("runtime.")} == {Origin.RUNTIME}
    assert origins["runtime/pprof.Do"] is Origin.STDLIB  # the labelled workers' root
    assert origins["main.cpuWork"] is Origin.OWN


def test_folded_keeps_generic_shape_names_in_one_frame() -> None:
    """Real Go names can hold spaces and semicolons (struct shapes); the line stays parseable."""
    import io

    from triage.pprof.folded import write_folded

    shape = "unique.Make[go.shape.struct { net/netip.isV6 bool; net/netip.zoneV6 string }]"
    tree = tree_from_stacks([(frames("main.main", shape), 3)])
    out = io.StringIO()
    assert write_folded(tree, out) == 1
    stack, value = out.getvalue().rstrip("\n").rsplit(" ", 1)
    assert value == "3"
    assert stack.split(";") == ["main.main", shape.replace(";", ",")]


def test_goroutine_state_leaves_are_runtime_not_unsymbolized() -> None:
    from tests.ui.conftest import SAMPLE
    from triage.goroutines import analyze
    from triage.goroutines.flame import goroutine_tree

    item = analyze(SAMPLE.read_text()).dumps[0]
    tree = goroutine_tree(item)
    states = {f"[{g.state}]" for g in item.groups}
    nodes = [n for name in states for n in tree.by_name().get(name, [])]
    assert nodes and {n.origin for n in nodes} == {Origin.RUNTIME}
    assert {n.origin.mark for n in nodes} == {"~"}
    assert classify("[IO wait]") is Origin.RUNTIME
    assert classify("0x4a5b6c") is Origin.UNKNOWN  # a raw PC is still unsymbolized
