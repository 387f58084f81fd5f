"""Grouping and the pile rules, on dumps of a live Go service."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.support.targets import Service, crash, hang_requests, leaky, sigquit, wait_until
from triage.goroutines import analyze
from triage.goroutines.diagnose import Thresholds
from triage.goroutines.grouping import group_dump
from triage.goroutines.parser import parse


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with leaky() as svc:
        yield svc


def _dump(svc: Service) -> str:
    return svc.get("/debug/pprof/goroutine?debug=2").text


def test_arguments_never_split_a_group(service: Service) -> None:
    service.get("/spawn?n=200")
    text = _dump(service)
    # the 80 handleOrder goroutines differ in their arguments (order ids, pointers)...
    assert len(set(re.findall(r"main\.handleOrder\(\{[^}]*\}, (0x[0-9a-f]+)\)", text))) > 50
    groups = group_dump(parse(text).dumps[0])
    fetch = [g for g in groups if g.top_frame and g.top_frame.func == "main.(*Store).fetchOrder"]
    # ...and still form exactly one group
    assert len(fetch) == 1 and fetch[0].count >= 80
    assert fetch[0].state == "select"
    assert fetch[0].labels["handler"] == ["/api/v1/orders"]
    assert len(fetch[0].labels["order"]) == 20  # capped


def test_groups_are_ranked_and_counted(service: Service) -> None:
    dump = parse(_dump(service)).dumps[0]
    groups = group_dump(dump)
    assert [g.id for g in groups] == list(range(1, len(groups) + 1))
    counts = [g.count for g in groups]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == len(dump.ids)
    for g in groups:
        assert sum(g.states.values()) == g.count
        assert len(g.sample_ids) == min(10, g.count)
        assert all(dump.ids[i] in dump.ids for i in g.members)


def test_loose_grouping_merges_lines_of_one_function() -> None:
    text = crash("piles").stderr
    # The same function blocked at two different lines: rewrite one goroutine's line.
    first = text.index("main.(*Server).waitLock(")
    line_at = text.index("main.go:", first)
    end = text.index(" ", line_at)
    other = text[:line_at] + "main.go:999" + text[end:]
    dump = parse(other).dumps[0]
    exact = [g for g in group_dump(dump) if g.state == "sync.Mutex.Lock"]
    loose = [g for g in group_dump(dump, "loose") if g.state == "sync.Mutex.Lock"]
    assert [g.count for g in exact] == [3, 1]
    assert [g.count for g in loose] == [4]


def test_goroutine_leak_in_progress(service: Service) -> None:
    service.get("/leak?n=300")
    item = analyze(_dump(service)).dumps[0]
    leak = next(
        f for f in item.findings if f.rule == "goroutine-leak" and "main.leak.func1" in f.summary
    )
    assert leak.goroutines == 300 and leak.severity == "warning"
    assert "chan receive" in leak.summary
    assert "started by main.leak" in leak.next_step
    strict = analyze(_dump(service), thresholds=Thresholds(leak_critical_goroutines=300)).dumps[0]
    assert any(f.severity == "critical" and "main.leak.func1" in f.summary for f in strict.findings)
    relaxed = analyze(_dump(service), thresholds=Thresholds(leak_goroutines=10_000)).dumps[0]
    assert not any("main.leak.func1" in f.summary for f in relaxed.findings)


def test_lock_contention_names_the_holder() -> None:
    item = analyze(crash("piles").stderr, thresholds=Thresholds(contention_goroutines=3)).dumps[0]
    finding = next(f for f in item.findings if f.rule == "lock-contention")
    assert finding.goroutines == 4
    assert "main.(*Server).waitLock" in finding.summary
    holder = finding.details[0]
    assert holder.startswith("likely holder (has the same owner): goroutine ")
    assert "main.holdLock" in holder and "sleep" in holder


def test_network_io_inside_handlers(service: Service) -> None:
    hang_requests(service.url + "/downstream?mode=read", 60)
    hang_requests(service.url + "/downstream?mode=http", 60)
    wait_until(lambda: _dump(service).count("main.queryInventory") >= 60)
    item = analyze(_dump(service)).dumps[0]
    net = [f for f in item.findings if f.rule == "network-io"]
    summaries = " | ".join(f.summary for f in net)
    assert "in network I/O inside HTTP handlers at main.queryInventory" in summaries
    assert "waiting on responses to outbound HTTP calls at main.callPricing" in summaries
    conns = next(f for f in item.findings if f.rule == "http-connections")
    assert conns.summary.startswith("60 open outbound HTTP connections")
    # the outbound calls are not reported a second time as a "leak"
    assert not any(f.rule == "goroutine-leak" and "callPricing" in f.summary for f in item.findings)


def test_goroutines_stuck_in_syscalls(service: Service) -> None:
    service.get("/syscall?n=25")
    wait_until(lambda: _dump(service).count("main.blockingRead") >= 25)
    item = analyze(_dump(service)).dumps[0]
    finding = next(f for f in item.findings if f.rule == "stuck-syscall")
    assert finding.goroutines == 25 and "main.blockingRead" in finding.summary


def test_gc_pressure() -> None:
    """GC assist states are transient in real programs: relabel a real pile as one."""
    text = crash("piles").stderr.replace("[sync.Mutex.Lock]", "[GC assist marking]")
    text = text.replace("[sync.WaitGroup.Wait]", "[GC assist wait]")
    item = analyze(text, thresholds=Thresholds(gc_goroutines=5)).dumps[0]
    finding = next(f for f in item.findings if f.rule == "gc-pressure")
    assert finding.goroutines == 7 and len(finding.groups) == 2


def test_minutes_feed_the_leak_rule() -> None:
    """Wait minutes appear only after a GC saw the goroutine parked for a minute."""
    text = crash("piles").stderr.replace("[chan receive]", "[chan receive, 42 minutes]")
    item = analyze(text, thresholds=Thresholds(leak_goroutines=1000, leak_minutes=30)).dumps[0]
    group = next(g for g in item.groups if g.state == "chan receive" and g.count == 5)
    assert (group.wait_min, group.wait_max) == (42, 42)
    # 5 goroutines are too few for the "old" path (needs 10), so no finding...
    assert not any(f.rule == "goroutine-leak" for f in item.findings)
    item = analyze(text, thresholds=Thresholds(leak_goroutines=5, leak_minutes=30)).dumps[0]
    leak = next(f for f in item.findings if f.rule == "goroutine-leak")
    assert "for up to 42 minutes" in leak.summary


def test_debug1_listing(service: Service) -> None:
    d1 = analyze(service.get("/debug/pprof/goroutine?debug=1").text).dumps[0]
    d2 = analyze(_dump(service)).dumps[0]
    assert d1.dump.format == "debug1"
    assert abs(d1.dump.goroutine_count - d2.dump.goroutine_count) <= 3  # the fetches themselves
    states = {g.state for g in d1.groups}
    assert {"sync.Mutex.Lock", "sync.WaitGroup.Wait", "IO wait"} <= states
    assert any(f.rule == "lock-contention" for f in d1.findings) == any(
        f.rule == "lock-contention" for f in d2.findings
    )


def test_goroutine_flame_graph_weights_by_count_with_state_leaves() -> None:
    from triage.goroutines.flame import goroutine_tree

    item = analyze(crash("piles").stderr).dumps[0]
    tree = goroutine_tree(item)
    assert tree.total == len(item.dump.ids)
    assert tree.sample_type.type == "goroutine"
    leaves: dict[str, int] = {}
    for node in tree.nodes():
        if node.name.startswith("["):
            leaves[node.name] = leaves.get(node.name, 0) + node.self_value
    assert leaves["[sync.Mutex.Lock]"] == 4 and leaves["[chan receive]"] == 6
    quit_item = analyze(sigquit().stderr).dumps[0]
    roots = [child.name for child in goroutine_tree(quit_item).root.children.values()]
    assert "runtime.goexit" not in roots  # system-level dumps end every stack with it


def test_rules_live_in_one_registry() -> None:
    from triage.goroutines.diagnose import registered_rules

    rules = registered_rules()
    assert len(rules) == len(set(rules))
    expected = {
        "crash",
        "data-race",
        "goroutine-leak",
        "lock-contention",
        "network-io",
        "http-connections",
        "stuck-syscall",
        "gc-pressure",
        "many-goroutines",
    }
    assert expected <= set(rules)
