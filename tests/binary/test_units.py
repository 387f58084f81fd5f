"""Table-driven tests of the small pure pieces: versions, advisories, names, Go quoting."""

from __future__ import annotations

import pytest

from triage.binary import advisories_for, parse_go_version, print_name, traceback_name
from triage.binary.goquote import quoted_prefix, unquote


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("go1.22.3", (1, 22, 3, 1)),
        ("go1.20", (1, 20, 0, 1)),
        ("go1.21rc2", (1, 21, 0, 0)),
        ("go1.24.2 X:boringcrypto", (1, 24, 2, 1)),
        ("devel go1.25-abcdef Tue", None),
        ("", None),
    ],
)
def test_parse_go_version(text: str, version: tuple[int, ...] | None) -> None:
    assert parse_go_version(text) == version


@pytest.mark.parametrize(
    ("go_version", "issues"),
    [
        ("go1.22.0", [62440]),
        ("go1.22.4", [62440]),
        ("go1.22.5", []),
        ("go1.23.0", []),
        ("go1.24.0", [73141]),
        ("go1.24.2 X:nocoverageredesign", [73141]),
        ("go1.24.3", []),
        ("go1.27.3", []),
        ("go1.22rc1", []),
        ("devel go1.24-1234", []),
    ],
)
def test_advisories_by_version(go_version: str, issues: list[int]) -> None:
    found = advisories_for(go_version)
    assert [a.go_issue for a in found] == issues
    for a in found:
        assert a.url == f"https://go.dev/issue/{a.go_issue}"
        assert a.go_version == go_version
        assert parse_go_version(a.fixed_in) > parse_go_version(go_version)  # type: ignore[operator]


def test_advisories_filter_by_build_settings() -> None:
    assert advisories_for("go1.22.2", cgo=False) == []
    assert [a.go_issue for a in advisories_for("go1.22.2", cgo=True)] == [62440]
    assert advisories_for("go1.24.1", goos="darwin") == []
    assert [a.fixed_in for a in advisories_for("go1.24.1", goos="linux")] == ["go1.24.3"]


@pytest.mark.parametrize(
    ("stored", "printed"),
    [
        ("main.main", "main.main"),
        ("main.Map[go.shape.int,go.shape.string]", "main.Map[...]"),
        ("main.(*Box[go.shape.int]).Get", "main.(*Box[...]).Get"),
        ("main.open[go.shape.int].func1", "main.open[...].func1"),
        ("p.T[go.shape.int].M[go.shape.string]", "p.T[...].M[...]"),
        ("p.F[[]go.shape.int]", "p.F[...]"),
        ("runtime.gopanic", "panic"),
    ],
)
def test_traceback_names(stored: str, printed: str) -> None:
    assert traceback_name(stored) == printed


def test_print_name_keeps_gopanic() -> None:
    assert print_name("runtime.gopanic") == "runtime.gopanic"


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"-s -w"', "-s -w"),
        ('"a\\tb\\\\c\\"d"', 'a\tb\\c"d'),
        ('"\\x41\\101\\u00e9"', "AAé"),
        ("`raw \\n`", "raw \\n"),
    ],
)
def test_unquote(literal: str, value: str) -> None:
    assert unquote(literal) == value


@pytest.mark.parametrize("bad", ['"open', '"\\q"', '"\\x4"', "plain", '"\\400"'])
def test_unquote_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        unquote(bad)


def test_quoted_prefix() -> None:
    assert quoted_prefix('"a\\"b"=c') == '"a\\"b"'
    assert quoted_prefix("`k`=v") == "`k`"
    with pytest.raises(ValueError):
        quoted_prefix('"never closed')
