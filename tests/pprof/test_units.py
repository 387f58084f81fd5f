"""Percentages as people read them: never in scientific notation."""

from __future__ import annotations

import pytest

from triage.pprof.units import format_percent


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (100.0, "100%"),
        (12.1, "12.10%"),
        (1.0, "1.00%"),
        (0.57, "0.57%"),
        (0.5, "0.5%"),
        (0.0057, "0.0057%"),
        (0.00123, "0.0012%"),
        (5.8e-05, "<0.001%"),
        (-5.8e-05, "-<0.001%"),
        (-0.25, "-0.25%"),
        (0.0, "0%"),
    ],
)
def test_percent_text(value: float, text: str) -> None:
    assert format_percent(value) == text
    assert "e-" not in format_percent(value)
