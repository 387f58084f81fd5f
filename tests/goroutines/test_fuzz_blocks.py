"""Property tests of block content: header lines, labels, race reports and the
output writer. Only the project's own error class may escape, and what we write
is always valid UTF-8 (and valid JSON for ``--json``).

Profiles (``ci`` by default, ``HYPOTHESIS_PROFILE=long`` for a local hunt) are
in tests/fuzzing.py.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import mutations
from tests.goroutines.test_logs import race_output
from tests.support.targets import crash
from triage.errors import TriageError
from triage.goroutines import analyze
from triage.goroutines.headers import go_unquote, parse_labels
from triage.goroutines.race import parse_race, split_races
from triage.goroutines.report import analysis_json
from triage.goroutines.text import render
from triage.textout import Painter, utf8, write_utf8

__all__ = ["race_output"]  # the fixture, shared with test_logs

#: any code point, lone surrogates included (hypothesis leaves them out by default)
ANY_CHAR = st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr))
ANY_TEXT = st.text(ANY_CHAR, max_size=200)
HEX = "0123456789abcdefABCDEF"
#: Go escapes, well formed or not: \U and \u of any value, \x, octal, a stray backslash
ESCAPE = st.one_of(
    st.text(HEX, min_size=8, max_size=8).map(lambda h: "\\U" + h),
    st.text(HEX, min_size=4, max_size=4).map(lambda h: "\\u" + h),
    st.text(HEX, min_size=2, max_size=2).map(lambda h: "\\x" + h),
    st.text("01234567", min_size=3, max_size=3).map(lambda o: "\\" + o),
    st.text(HEX, max_size=9).map(lambda h: "\\" + h),
    st.sampled_from(["\\", '\\"', "\\n", "\\t", "\\\\"]),
)
LABEL_VALUE = st.lists(st.one_of(ESCAPE, st.text(max_size=6)), max_size=8).map("".join)


def _encodable(value: object) -> bool:
    """True when every string in ``value`` can be written as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@given(ANY_TEXT)
def test_label_sets_of_any_text_parse(text: str) -> None:
    labels = parse_labels.__wrapped__(text)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items())
    if _encodable(text):
        assert _encodable(labels)


@given(st.lists(st.tuples(LABEL_VALUE, LABEL_VALUE), max_size=5))
def test_go_quoted_labels_with_any_escape_give_writable_text(pairs: list[tuple[str, str]]) -> None:
    text = "{" + ", ".join(f'"{k}": "{v}"' for k, v in pairs) + "}"
    assert _encodable(parse_labels.__wrapped__(text))
    for k, v in pairs:
        assert _encodable(go_unquote(k)) and _encodable(go_unquote(v))


_ID = st.one_of(
    st.integers(-5, 10**30).map(str),
    st.text(st.characters(categories=("Nd", "No", "L")), max_size=4),
    st.sampled_from(["0", "00", "x", "", "1e3", "²", "٣", " 1"]),
)
_FIELD = st.text(st.characters(exclude_characters="]\n\r"), max_size=12)
_STATUS = st.one_of(
    st.sampled_from(
        ["running", "idle", "chan receive, 5 minutes", "select (leaked), locked to thread"]
    ),
    _FIELD,
    st.lists(  # comma-separated parts, with numbers of any kind where Go puts digits
        st.one_of(
            _FIELD,
            _FIELD.map(lambda n: f"{n} minutes"),
            _FIELD.map(lambda n: f"synctest bubble {n}"),
            st.sampled_from(["² minutes", "٣ minutes", "synctest bubble ²", "locked to thread"]),
        ),
        min_size=1,
        max_size=4,
    ).map(", ".join),
)
_SYSTEM = st.sampled_from(["", " gp=0x1 m=0 mp=0x2", " gp=0xc m=nil", " gp= m="])
_LABELS = st.one_of(st.just(""), LABEL_VALUE.map(lambda v: f' {{k: "{v}"}}'))


@pytest.fixture(scope="module")
def index_crash() -> str:
    return crash("index").stderr


@given(st.lists(st.tuples(_ID, _SYSTEM, _STATUS, _LABELS), min_size=1, max_size=6))
@example(headers=[("7", "", "select, ² minutes", ""), ("8", "", "sleep, synctest bubble ²", "")])
@example(headers=[("x", "", "running", ""), ("00", " gp=0x1 m=0 mp=0x2", "idle", "")])
@example(headers=[("9" * 5000, "", "running", ""), ("-1", "", "running", "")])  # int() limit
def test_any_header_after_valid_ones(
    index_crash: str, headers: list[tuple[str, str, str, str]]
) -> None:
    """Headers of every shape after real goroutines: the real ones stay, goroutine 0 is
    never a goroutine, and the documents can be written."""
    block = index_crash.split("\n\n")[1]  # goroutine 1 [running]: ...
    body = block.partition("\n")[2]
    extra = "".join(
        f"\n\ngoroutine {gid}{system} [{status}]{labels}:\n{body}"
        for gid, system, status, labels in headers
    )
    text = index_crash.rstrip("\n") + extra + "\n"
    real = analyze(index_crash).dumps[0].dump.ids
    try:
        result = analyze(text)
    except TriageError:
        return
    ids = [gid for item in result.dumps for gid in item.dump.ids]
    assert ids[: len(real)] == real
    assert 0 not in ids and all(isinstance(gid, int) for gid in ids)
    _write_both(result)


def _write_both(result: object) -> None:
    """The JSON document and the text report, through the writer the CLI uses."""
    doc = json.dumps(analysis_json(result, "fuzz.log"), ensure_ascii=False)  # type: ignore[arg-type]
    for text in (doc, render(result, "fuzz.log", paint=Painter(enabled=False))):  # type: ignore[arg-type]
        out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
        write_utf8(out, text)
        raw = out.buffer.getvalue()  # type: ignore[attr-defined]
        raw.decode("utf-8")  # strict: valid UTF-8
    json.loads(utf8(doc))


_ACCESS = re.compile(r"^(?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite)")


@given(st.data())
def test_race_reports_any_lines(race_output: str, data: st.DataObject) -> None:
    """Real report lines, reordered, repeated, cut and mixed with any text."""
    lines = split_races(race_output)[0]
    picked = data.draw(
        st.lists(st.one_of(st.sampled_from(lines), ANY_TEXT.map(lambda t: t.replace("\n", ""))))
    )
    report = parse_race(picked)
    for access in report.accesses:
        assert _ACCESS.match(access.kind)
        assert access.addr == "" or access.addr.startswith("0x")


@given(st.data())
def test_mutated_race_reports_are_written(race_output: str, data: st.DataObject) -> None:
    sample = race_output.encode()
    try:
        result = analyze(data.draw(mutations(sample), label="input"))
    except TriageError:
        return
    _write_both(result)


@given(ANY_TEXT)
def test_the_writer_gives_valid_utf8_for_any_text(text: str) -> None:
    for encoding in ("utf-8", "ascii", "latin-1"):
        out = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
        write_utf8(out, text)
        raw = out.buffer.getvalue()  # type: ignore[attr-defined]
        decoded = raw.decode("utf-8")
        assert len(decoded) == len(text)
        assert all(a == b or 0xD800 <= ord(a) <= 0xDFFF for a, b in zip(text, decoded, strict=True))
    stream = io.StringIO()  # no byte buffer under it: text only, still writable
    write_utf8(stream, text)
    stream.getvalue().encode("utf-8")


@given(st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=5))
def test_the_writer_gives_valid_json_for_any_strings(doc: dict[str, str]) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    write_utf8(out, json.dumps(doc, ensure_ascii=False))
    back = json.loads(out.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]
    assert len(back) <= len(doc)  # keys that differed only in a lone surrogate may merge


@given(st.data())
def test_text_input_with_any_characters(index_crash: str, data: st.DataObject) -> None:
    """A caller's str (not bytes) with any characters, lone surrogates included, anywhere."""
    at = data.draw(st.integers(0, len(index_crash)), label="at")
    text = index_crash[:at] + data.draw(ANY_TEXT, label="insert") + index_crash[at:]
    try:
        result = analyze(text)
    except TriageError:
        return
    _write_both(result)
