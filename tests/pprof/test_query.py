"""The profile query: one typed value for type, filters, base and module."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.errors import BadInput
from triage.pprof.decode import decode
from triage.pprof.query import ProfileQuery
from triage.pprof.tree import Node


def _names(node: Node) -> list[str]:
    out = [node.name]
    for kid in node.kids:
        out += _names(kid)
    return out


def test_show_keeps_only_matching_frames_and_every_sample(profiles: dict[str, Path]) -> None:
    profile = decode(profiles["cpu"].read_bytes(), "cpu")
    whole = ProfileQuery().tree(profile)
    shown = ProfileQuery(show=r"^main\.").tree(profile)
    assert shown.total == whole.total
    frames = _names(shown.root)[1:]
    assert frames and all(n.startswith("main.") for n in frames)
    assert any(not n.startswith("main.") for n in _names(whole.root)[1:])


def test_the_query_describes_its_filters() -> None:
    query = ProfileQuery(sample_type="alloc_space", focus="R", hide="H", diff_base="b.pb.gz")
    assert query.describe() == "focus R · hide H · minus b.pb.gz"
    assert ProfileQuery(sample_type="cpu").describe() == ""
    assert query.with_type(None).sample_type is None
    assert query.with_type(None).focus == "R"


def test_a_bad_show_regex_names_the_flag() -> None:
    with pytest.raises(BadInput, match="--show"):
        ProfileQuery(show="(").filters()
