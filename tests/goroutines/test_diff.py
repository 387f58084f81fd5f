"""Comparing two dumps of a real Go service (``triage analyze NEW --base OLD``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.targets import leaky
from triage.goroutines import analyze
from triage.goroutines.diff import diff_dumps, diff_json, diff_lines


@pytest.fixture(scope="module")
def two_dumps() -> Iterator[tuple[str, str]]:
    with leaky() as svc:
        svc.get("/spawn?n=20")
        before = svc.get("/debug/pprof/goroutine?debug=2").text
        svc.get("/leak?n=30")
        svc.get("/spawn?n=40")
        after = svc.get("/debug/pprof/goroutine?debug=2").text
        yield before, after


def test_new_groups_first_then_growth(two_dumps: tuple[str, str]) -> None:
    old, new = (analyze(t).primary for t in two_dumps)
    assert old is not None and new is not None
    diff = diff_dumps(old, new, "before.txt")
    top = diff.groups[0]
    assert top.status == "new" and top.before == 0 and top.after == 30
    assert top.group.top_frame is not None and "main.leak" in top.group.top_frame.func
    grown = [e for e in diff.groups if e.status == "changed"]
    spawned = [e for e in grown if e.group.created_by and e.group.created_by.func == "main.spawn"]
    assert sum(e.delta for e in spawned) == 40  # /spawn?n=40 spread over its piles
    assert grown[0].delta == max(e.delta for e in grown)
    statuses = [e.status for e in diff.groups]
    first_other = next(i for i, s in enumerate(statuses) if s not in ("new", "gone"))
    assert all(s not in ("new", "gone") for s in statuses[first_other:])
    deltas = [e.delta for e in diff.groups[first_other:]]
    assert deltas == sorted(deltas, reverse=True)
    assert diff.delta == new.dump.goroutine_count - old.dump.goroutine_count
    text = "\n".join(diff_lines(diff))
    assert "COMPARED WITH before.txt" in text and "NEW" in text and "+30" in text


def test_comparing_the_other_way_reports_vanished_groups(two_dumps: tuple[str, str]) -> None:
    new, old = (analyze(t).primary for t in two_dumps)
    assert old is not None and new is not None
    diff = diff_dumps(old, new, "later.txt")
    assert diff.groups[0].status == "gone" and diff.groups[0].before == 30
    assert diff.groups[0].after == 0


def _blocks(text: str) -> list[str]:
    return [b for b in text.strip().split("\n\n") if b.startswith("goroutine ")]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_goroutine_is_in_exactly_one_entry(
    two_dumps: tuple[str, str], data: st.DataObject
) -> None:
    blocks = _blocks(two_dumps[0]) + _blocks(two_dumps[1])
    pick = st.lists(st.sampled_from(blocks), min_size=1, max_size=60)
    old_text = "\n\n".join(data.draw(pick)) + "\n"
    new_text = "\n\n".join(data.draw(pick)) + "\n"
    old, new = analyze(old_text).primary, analyze(new_text).primary
    assert old is not None and new is not None
    diff = diff_dumps(old, new, "old")
    assert sum(e.before for e in diff.groups) == old.dump.goroutine_count
    assert sum(e.after for e in diff.groups) == new.dump.goroutine_count
    seen_old = [e.group for e in diff.groups if e.status == "gone"]
    matched = [e for e in diff.groups if e.status in ("same", "changed")]
    assert len(seen_old) + len(matched) == len(old.groups)
    assert len(diff.groups) - len(seen_old) == len(new.groups)
    for e in diff.groups:
        assert e.status == {0: "new"}.get(e.before, e.status)
        assert (e.status == "gone") == (e.after == 0)
        assert (e.status == "same") == (e.before == e.after)
    doc = diff_json(diff)
    assert {g["status"] for g in doc["groups"]} <= {"new", "gone", "changed", "same"}  # type: ignore[attr-defined]
