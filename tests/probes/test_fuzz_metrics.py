"""Fuzzing the /metrics reader with mutations of the leaky service's real page.

The page is scraped once from the running target (client_golang's exposition
of the Go runtime); tests/fuzzing.py mutates it (cuts, NUL, CRLF, invalid
UTF-8, UTF-16, huge numbers and lines, shuffled lines, bit flips) and label
syntax is damaged on purpose. :func:`parse_metrics` returns figures or raises
BadInput with one line; nothing else, and its cost stays linear in the page.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests.support.targets import Service
from triage.errors import BadInput
from triage.probes.client import ProbeClient
from triage.probes.metrics import parse_metrics

_PAGE: list[bytes] = []
LABEL_JUNK = (
    b"{",
    b"}",
    b'"',
    b"\\",
    b"=",
    b",",
    b'{quantile="',
    b"\\u",
    b"NaN",
    b"1e999",
    b"# TYPE",
)


@pytest.fixture(scope="module", autouse=True)
def real_page(service: Service) -> None:
    """The leaky service's /metrics page with some leaked goroutines, kept for the strategies."""
    service.get("/leak?n=20")
    with ProbeClient(service.url) as client:
        _PAGE.append(client.metrics())
    parse_metrics(_PAGE[0], "leaky")  # the unmutated page reads


def only_bad_input(body: bytes) -> None:
    try:
        parse_metrics(body, "fuzzed /metrics")
    except BadInput as exc:
        assert "\n" not in exc.line()


@given(st.data())
def test_mutated_pages_raise_only_bad_input(data: st.DataObject) -> None:
    only_bad_input(data.draw(fuzzing.mutations(_PAGE[0])))


@given(st.data(), st.sampled_from(LABEL_JUNK), st.integers(1, 200))
def test_damaged_label_syntax_raises_only_bad_input(
    data: st.DataObject, junk: bytes, times: int
) -> None:
    page = _PAGE[0]
    at = data.draw(st.integers(0, len(page)))
    only_bad_input(page[:at] + junk * times + page[at:])


def test_parsing_is_linear_in_the_page() -> None:
    """Complexity check, not a time budget: 8x the series may cost ~8x, not 64x."""

    def page(n: int) -> bytes:
        series = b"".join(b'extra_series{id="%d",path="/a\\"b"} %d\n' % (i, i) for i in range(n))
        return _PAGE[0] + series

    assert fuzzing.cost_ratio(only_bad_input, page(2_000), page(16_000)) < 24
