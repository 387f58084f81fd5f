"""The goroutine filter (``/`` in the app, ``triage analyze --filter``) on real dumps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.targets import leaky
from triage.errors import BadInput
from triage.goroutines import DumpAnalysis, analyze
from triage.goroutines.filter import apply_filter, parse_filter

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "checkout-sigquit.log"


@pytest.fixture(scope="module")
def item() -> DumpAnalysis:
    primary = analyze(SAMPLE.read_bytes()).primary
    assert primary is not None
    return primary


def funcs(item: DumpAnalysis, expr: str) -> set[str]:
    kept = apply_filter(item, parse_filter(expr))
    return {f.func for g in kept.groups for f in g.frames}


def test_a_word_finds_groups_by_function_and_counts_what_matched(item: DumpAnalysis) -> None:
    kept = apply_filter(item, parse_filter("fetchOrder"))
    assert [g.top_frame.func for g in kept.groups if g.top_frame] == ["main.(*Store).fetchOrder"]
    assert kept.goroutines == 240 and kept.total_goroutines == item.dump.goroutine_count
    assert kept.summary() == "240 of 1,151 goroutines in 1 of 23 groups"
    # the findings about that group come along, the others stay out
    assert kept.findings and all(kept.groups[0].id in f.groups for f in kept.findings)
    assert len(kept.findings) < len(item.findings)


def test_fuzzy_word_tolerates_a_typo(item: DumpAnalysis) -> None:
    assert "main.(*Store).fetchOrder" in funcs(item, "fetchOrdr")
    assert not apply_filter(item, parse_filter("zzzzqqq")).groups


def test_fields_state_package_file_label(item: DumpAnalysis) -> None:
    selects = apply_filter(item, parse_filter("state:select")).groups
    assert selects and {g.state for g in selects} == {"select"}
    chan = apply_filter(item, parse_filter('state:"chan receive"')).groups
    assert {g.state for g in chan} == {"chan receive"} and sum(g.count for g in chan) == 360
    labelled = apply_filter(item, parse_filter("label:handler=/api/v1/orders")).groups
    assert labelled and all("handler" in g.labels for g in labelled)
    by_key = apply_filter(item, parse_filter("label:request_id")).groups
    assert by_key and all("request_id" in g.labels for g in by_key)
    in_file = apply_filter(item, parse_filter("file:leaky/main.go:63")).groups
    assert [g.top_frame.func for g in in_file if g.top_frame] == ["main.(*Store).fetchOrder"]
    assert all(
        any(f.package == "net/http" for f in g.frames)
        for g in apply_filter(item, parse_filter("pkg:net/http")).groups
    )


def test_terms_combine_and_negate(item: DumpAnalysis) -> None:
    both = apply_filter(item, parse_filter("state:select pkg:main")).groups
    assert both and all(g.state == "select" for g in both)
    others = apply_filter(item, parse_filter("!state:select")).groups
    assert others and all(g.state != "select" for g in others)
    total = apply_filter(item, parse_filter("state:select")).goroutines
    assert total + apply_filter(item, parse_filter("!state:select")).goroutines == 1151


def test_regex_with_a_prefix(item: DumpAnalysis) -> None:
    found = apply_filter(item, parse_filter(r"func:re:^net/http\.\(\*persistConn\)")).groups
    assert found
    assert all(
        any(re.match(r"net/http\.\(\*persistConn\)", f.func) for f in g.frames) for g in found
    )


def test_wait_counts_goroutines_blocked_long_enough(item: DumpAnalysis) -> None:
    # Go prints minutes only after a minute; mark 100 of the 300 leaked goroutines as Go would.
    text = SAMPLE.read_text()
    marked = text.replace(
        "[chan receive] {handler: /leak", "[chan receive, 12 minutes] {handler: /leak", 100
    )
    aged = analyze(marked).primary
    assert aged is not None
    kept = apply_filter(aged, parse_filter("wait>10"))
    assert len(kept.groups) == 1 and kept.goroutines == 100
    assert kept.groups[0].count == 300  # the group stays whole; the count says how many matched
    assert apply_filter(aged, parse_filter("wait>12")).goroutines == 0
    assert apply_filter(aged, parse_filter("wait>=12 label:handler=/leak")).goroutines == 100
    assert apply_filter(item, parse_filter("wait>0")).goroutines == 0


@pytest.mark.parametrize("expr", ["re:[", "func:re:(", "wait>ten", '"unclosed', "state:"])
def test_bad_expressions_say_which_term(expr: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_filter(expr)
    assert "filter" in info.value.line() and "try" in info.value.line()


def test_empty_expression_keeps_everything(item: DumpAnalysis) -> None:
    kept = apply_filter(item, parse_filter("  "))
    assert kept.groups == item.groups and kept.goroutines == 1151


def test_filter_cost_grows_with_groups_not_goroutines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Complexity check, not a time budget: 10x the goroutines in the same groups costs
    no more fuzzy comparisons (counted, not timed)."""
    from triage.goroutines import filter as filter_module

    calls = 0
    real = filter_module.fuzz.partial_ratio

    def counting(*args: Any, **kwargs: Any) -> float:
        nonlocal calls
        calls += 1
        return float(real(*args, **kwargs))

    monkeypatch.setattr(filter_module.fuzz, "partial_ratio", counting)
    flt = parse_filter("qqqqqqq")
    with leaky() as svc:
        svc.get("/spawn?n=100")
        small = analyze(svc.get("/debug/pprof/goroutine?debug=2").text).primary
        svc.get("/spawn?n=1000")
        big = analyze(svc.get("/debug/pprof/goroutine?debug=2").text).primary
    assert small is not None and big is not None
    assert big.dump.goroutine_count > 5 * small.dump.goroutine_count
    apply_filter(small, flt)
    at_n, calls = calls, 0
    apply_filter(big, flt)
    assert 0 < calls <= at_n * 2
