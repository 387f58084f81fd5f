"""The linear-time matcher for a profile's drop_frames/keep_frames patterns.

Where RE2 and Python agree on a pattern's meaning, the matcher must answer as
``re.fullmatch`` does (checked on a table and on generated names); where they
differ, RE2 wins (``a{,3}`` is a literal in Go); anything it cannot run safely
is refused with PatternError instead of a RecursionError or an endless match.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.pprof.rematch import MAX_REPEAT, PatternError, WholeMatcher

AGREED = [
    "a",
    "a*",
    "(a|b)*c",
    "malloc|calloc|free",
    "(std::)?malloc.*",
    "runtime\\..*",
    "[a-z]+\\.[A-Z]\\w*",
    "a{2,3}",
    "a{2}",
    "a{2,}b",
    "[^abc]+",
    "x?y?z?",
    "(a+)+b",
    "^a$",
    "a|",
    "(|a)+",
    "\\d+\\s*\\D",
    "[\\d.]+",
    "[]a]",
    "[a-]+",
    "a.b",
    "(?:ab)*",
    "(?P<x>a)b",
    "a{",
    "\\x41",
    "^$",
    "a^b",
    "a$b",
    "(a*)*",
    "a+?b",
    "[\\w-]+",
    "operator new|__gnu_cxx::.*|std::.*alloc.*",
]
NAMES = [
    "",
    "a",
    "aa",
    "aab",
    "ab",
    "abc",
    "b",
    "c",
    "malloc",
    "std::malloc",
    "std::mallocx",
    "runtime.main",
    "pkg.Func",
    "12 x",
    "1.2",
    "]",
    "a-",
    "axb",
    "a\nb",
    "a{",
    "A",
    "w-x",
    "operator new",
    "__gnu_cxx::new_allocator",
]


@pytest.mark.parametrize("pattern", AGREED)
def test_agrees_with_python_where_the_syntaxes_agree(pattern: str) -> None:
    matcher = WholeMatcher(pattern)
    for name in NAMES:
        assert matcher.fullmatch(name) == bool(re.fullmatch(f"(?:{pattern})", name)), name


@settings(max_examples=200, deadline=None)
@given(pattern=st.sampled_from(AGREED), name=st.text(alphabet="abcx.-:_1 \n", max_size=12))
def test_agrees_with_python_on_generated_names(pattern: str, name: str) -> None:
    assert WholeMatcher(pattern).fullmatch(name) == bool(re.fullmatch(f"(?:{pattern})", name))


def test_counts_with_leading_zeros_are_literal_as_in_go() -> None:
    assert WholeMatcher("a{0000002}").fullmatch("a{0000002}")
    assert not WholeMatcher("a{0000002}").fullmatch("aa")
    assert WholeMatcher("a{0,2}").fullmatch("aa")


def test_go_syntax_where_python_differs() -> None:
    assert WholeMatcher("a{,3}").fullmatch("a{,3}")  # a literal in RE2, a repeat in Python
    assert WholeMatcher("\\x{263a}").fullmatch("\u263a")


def _steps(pattern: str, name: str) -> int:
    """How many DFA transitions were computed: the matcher's own count of work."""
    matcher = WholeMatcher(pattern)
    matcher.fullmatch(name)
    return matcher.transitions


def test_catastrophic_pattern_costs_linear_work() -> None:
    """Complexity check by counting work, not a time budget: ``(a+)+b`` on a's."""
    assert not WholeMatcher("(a+)+b").fullmatch("a" * 100_000)
    assert _steps("(a+)+b", "a" * 1000) == _steps("(a+)+b", "a" * 100_000)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(" * 5000 + ")" * 5000, "nesting"),
        (f"a{{{MAX_REPEAT + 1}}}", "repetition count"),
        ("a{99999999999999999999999}", "repetition count"),
        ("((a{1000}){1000})", "too large"),
        ("a**", "repetition"),
        ("*a", "missing argument"),
        ("(a", "missing )"),
        ("a)", "unmatched )"),
        ("[a", "missing ]"),
        ("[b-a]", "range"),
        ("a\\", "trailing backslash"),
        ("\\pL", "unsupported"),
        ("(?i)a", "unsupported"),
        ("\\x{110000}", "U+10FFFF"),
    ],
)
def test_refused_patterns(pattern: str, words: str) -> None:
    with pytest.raises(PatternError, match=re.escape(words)):
        WholeMatcher(pattern)
