"""Labels with escapes Go never prints, and output that is always valid UTF-8.

The dumps are real (``crashers labels``); the escapes are written into one of
its label values, since no Go runtime prints a surrogate or an escape above
U+10FFFF (the input is damaged or made up, and must still be read).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.goroutines.test_cli import check_contract, triage
from tests.support.targets import crash
from triage.goroutines import analyze
from triage.goroutines.headers import parse_labels

_LABEL = re.compile(r'request_id: "abc-123"')


def _labelled(value: str) -> str:
    text = crash("labels").stderr
    assert _LABEL.search(text), text[:600]
    return _LABEL.sub(lambda _: f'request_id: "{value}"', text)


@pytest.mark.parametrize("escape", [r"\U00110000", r"\UFFFFFFFF", r"\ud800", r"\uDFFF"])
def test_escapes_that_are_no_character_read_as_replacement(escape: str, tmp_path: Path) -> None:
    text = _labelled(f"a{escape}b")
    item = analyze(text).dumps[0]
    labels = [g.labels for g in item.dump.goroutines if g.labels]
    assert labels and all(lab["request_id"] == "a\ufffdb" for lab in labels)
    path = tmp_path / "labels.log"
    path.write_text(text)
    proc = triage("analyze", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout.decode("utf-8"))
    check_contract(doc)
    values = [v for g in doc["groups"] for v in g["labels"].get("request_id", [])]
    assert values and set(values) == {"a\ufffdb"}
    text_out = triage("analyze", str(path))
    assert text_out.returncode == 0, text_out.stderr
    assert "request_id=a\ufffdb" in text_out.stdout.decode("utf-8")


def test_a_file_name_that_is_not_utf8_gives_valid_json(tmp_path: Path) -> None:
    """The name reaches Python with a lone surrogate (surrogateescape)."""
    path = os.path.join(os.fsencode(tmp_path), b"crash-\xff.log")
    with open(path, "w") as f:
        f.write(crash("index").stderr)
    proc = triage("analyze", os.fsdecode(path), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout.decode("utf-8"))  # strict: valid UTF-8 throughout
    assert doc["source"].endswith("crash-\ufffd.log")
    text = triage("analyze", os.fsdecode(path))
    assert text.returncode == 0, text.stderr
    text.stdout.decode("utf-8")


def test_output_is_utf8_whatever_the_terminal_encoding(tmp_path: Path) -> None:
    path = tmp_path / "stringer.log"
    path.write_text(crash("stringer").stderr)  # panic: 451.0°C
    env = {"PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    for args in (("--json",), ()):
        proc = triage("analyze", str(path), *args, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "451.0°C" in proc.stdout.decode("utf-8")


def test_go_quoted_labels_still_read() -> None:
    assert parse_labels(r'{"k 2": "v\"x\u00e9", a b: c d}') == {"k 2": 'v"xé', "a b": "c d"}
    assert parse_labels('{"x": "1", a  b : c}') == {"x": "1", "a  b": "c"}


def test_label_tokens_are_linear() -> None:
    """Complexity check, not a time budget: blanks inside a bare token once made the
    tokenizer backtrack quadratically (8,000 blanks: about a second). A run 8 times
    longer must cost about 8 times as much, not 64."""
    import timeit

    def cost(n: int) -> float:
        text = '{"x": "1", a' + " " * n + "b: c}"
        return min(timeit.repeat(lambda: parse_labels.__wrapped__(text), number=5, repeat=3))

    small, big = cost(2_000), cost(16_000)
    assert big < small * 8 * 4  # linear with a generous factor


def test_text_input_with_a_lone_surrogate_is_read() -> None:
    """A caller's str may hold a lone surrogate (not from surrogateescape): read, not raised."""
    text = _labelled("\ud800")
    item = analyze(text).dumps[0]
    assert (
        item.dump.goroutine_count == analyze(crash("labels").stderr).dumps[0].dump.goroutine_count
    )
    labels = [g.labels["request_id"] for g in item.dump.goroutines if g.labels]
    assert labels and all(set(v) == {"\ufffd"} for v in labels)
