"""``triage analyze --filter`` and ``--base`` as scripts run them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.goroutines.test_cli import assert_one_line_error, check_contract, triage
from tests.support.targets import leaky, write

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "checkout-sigquit.log"


def test_filter_text_says_what_matched_and_shows_only_those_groups() -> None:
    proc = triage("analyze", str(SAMPLE), "--filter", "state:select", "--top", "0")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert out.startswith("filter 'state:select': 360 of 1,151 goroutines in 3 of 23 groups")
    heads = [line for line in out.splitlines() if line.startswith("  #")]
    assert len(heads) == 3 and all(" x select" in h for h in heads)


def test_filter_json_keeps_the_contract_and_adds_counts() -> None:
    proc = triage("analyze", str(SAMPLE), "--filter", "fetchOrder", "--json")
    doc = json.loads(proc.stdout)
    check_contract(doc)
    assert [g["count"] for g in doc["groups"]] == [240]
    assert doc["filter"] == {
        "expression": "fetchOrder",
        "goroutines": 240,
        "groups": 1,
        "total_goroutines": 1151,
        "total_groups": 23,
    }
    ids = {g["id"] for g in doc["groups"]}
    assert doc["findings"] and all(ids & set(f["groups"]) for f in doc["findings"])


def test_bad_filter_is_bad_input_before_any_fetch() -> None:
    proc = triage("analyze", "http://127.0.0.1:9/never", "--filter", "re:(")
    assert_one_line_error(proc, 2, "bad regular expression")


def test_base_from_a_file_a_url_and_stdin(tmp_path: Path) -> None:
    with leaky() as svc:
        old = write(tmp_path, "old.txt", svc.get("/debug/pprof/goroutine?debug=2").content)
        svc.get("/leak?n=25")
        proc = triage("analyze", svc.url, "--base", str(old), "--json")
        doc = json.loads(proc.stdout)
        check_contract(doc)
        diff = doc["diff"]
        assert diff["base"] == str(old)
        first = diff["groups"][0]
        assert first["status"] == "new" and first["before"] == 0 and first["after"] == 25
        assert set(first["frames"][0]) >= {"func", "file", "line"}
        assert sum(g["after"] for g in diff["groups"]) == doc["goroutines"]
        # the other way round, the base a URL and the new dump on stdin
        back = triage("analyze", "-", "--base", svc.url, stdin=old.read_bytes())
        text = back.stdout.decode()
        assert back.returncode == 0, back.stderr
        assert "COMPARED WITH" in text and "GONE" in text and "-25" in text


def test_base_and_source_cannot_both_be_stdin() -> None:
    proc = triage("analyze", "-", "--base", "-", stdin=b"")
    assert_one_line_error(proc, 2, "stdin")


def test_missing_base_is_bad_input(tmp_path: Path) -> None:
    proc = triage("analyze", str(SAMPLE), "--base", str(tmp_path / "nope.txt"))
    assert_one_line_error(proc, 2)


def test_filtered_comparison_counts_what_was_compared_and_mixed_formats_warn(
    tmp_path: Path,
) -> None:
    with leaky("-spawn", "10") as svc:
        full = write(tmp_path, "full.txt", svc.get("/debug/pprof/goroutine?debug=2").content)
        counted = write(tmp_path, "counted.txt", svc.get("/debug/pprof/goroutine?debug=1").content)
    proc = triage("analyze", str(full), "--base", str(full), "--filter", "fetchOrder", "--json")
    diff = json.loads(proc.stdout)["diff"]
    assert diff["before"] == diff["after"] == sum(g["after"] for g in diff["groups"]) > 0
    assert {g["status"] for g in diff["groups"]} == {"same"} and diff["warning"] == ""
    mixed = triage("analyze", str(counted), "--base", str(full))
    assert mixed.returncode == 0, mixed.stderr
    assert "warning: one side is a debug=1 listing" in mixed.stdout.decode()
