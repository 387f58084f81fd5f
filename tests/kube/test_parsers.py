"""The server's own parsers: bad input is a 4xx ApiError, never a crash, and stays linear."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.kubeserver import patch, protobuf, selectors
from triage.kubeserver.status import ApiError

POD = {
    "metadata": {"name": "p", "labels": {"app": "web", "tier": "front"}},
    "spec": {"nodeName": "n1"},
}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("app=web", True),
        ("app==web", True),
        ("app!=web", False),
        ("app", True),
        ("!app", False),
        ("!missing", True),
        ("app in (web,api)", True),
        ("app notin (web)", False),
        ("app=web,tier=back", False),
        ("app in (api, web),tier", True),
        ("  app = web ", True),
    ],
)
def test_label_selectors(selector: str, matches: bool) -> None:
    matcher = selectors.label_matcher(selector)
    assert matcher is not None and matcher(POD) is matches


@pytest.mark.parametrize("selector", ["app=(x", "=web", "app in web", "a b", "app=w@b", "!"])
def test_bad_label_selectors_are_400(selector: str) -> None:
    with pytest.raises(ApiError) as err:
        selectors.label_matcher(selector)
    assert err.value.code == 400


def test_field_selectors() -> None:
    allowed = frozenset({"metadata.name", "spec.nodeName"})
    on_node = selectors.field_matcher("spec.nodeName=n1,metadata.name!=q", allowed)
    assert on_node is not None and on_node(POD)
    with pytest.raises(ApiError):
        selectors.field_matcher("spec.image=x", allowed)


@given(st.text(max_size=200))
def test_any_selector_text_is_parsed_or_refused(text: str) -> None:
    for parse in (selectors.label_matcher, selectors.field_matcher):
        try:
            matcher = parse(text)
        except ApiError as exc:
            assert exc.code == 400
        else:
            assert matcher is None or matcher(POD) in (True, False)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200)
@given(json_values)
def test_any_patch_body_is_applied_or_refused(body: object) -> None:
    doc = {
        "metadata": {"name": "d"},
        "spec": {"replicas": 1, "template": {"spec": {"containers": []}}},
    }
    for media in (patch.JSON_PATCH, patch.MERGE_PATCH, patch.STRATEGIC_PATCH):
        try:
            json.dumps(patch.apply(media, doc, body))
        except ApiError as exc:
            assert 400 <= exc.code < 500


def test_json_patch_operations() -> None:
    doc = {"a": {"b": [1, 2]}, "c": 1}
    ops = [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "test", "path": "/a/b/2", "value": 3},
        {"op": "move", "from": "/c", "path": "/d"},
        {"op": "copy", "from": "/d", "path": "/a/e~1f"},
        {"op": "remove", "path": "/a/b/0"},
    ]
    assert patch.json_patch(doc, ops) == {"a": {"b": [2, 3], "e/f": 1}, "d": 1}
    assert doc == {"a": {"b": [1, 2]}, "c": 1}  # the input is never modified


def test_strategic_merge_by_name_and_directives() -> None:
    doc = {
        "containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b"},
        ]
    }
    out = patch.strategic_merge(
        doc,
        {
            "containers": [
                {"name": "a", "env": [{"name": "GOMEMLIMIT", "value": "1GiB"}]},
                {"name": "b", "$patch": "delete"},
            ]
        },
    )
    assert out == {
        "containers": [
            {
                "name": "a",
                "image": "a:1",
                "env": [{"name": "X", "value": "1"}, {"name": "GOMEMLIMIT", "value": "1GiB"}],
            }
        ]
    }
    assert patch.strategic_merge({"m": {"x": 1}}, {"m": {"$patch": "replace", "y": 2}}) == {
        "m": {"y": 2}
    }


@given(st.binary(max_size=300))
def test_any_protobuf_body_is_read_or_refused(data: bytes) -> None:
    for body in (data, protobuf.MAGIC + data):
        try:
            protobuf.review_to_json(body)
        except ApiError as exc:
            assert exc.code == 400


def test_selector_parsing_is_linear() -> None:
    """Complexity check, not a time budget: 10x the input must cost well under 100x."""

    def cost(n: int) -> float:
        texts = [
            "a=" + " " * n + "x",
            "a" + "-" * n + "-=b",
            "k in (" + "v," * n + ")",
            "x" * n + "!",
        ]
        start = time.perf_counter()
        for text in texts:
            for parse in (selectors.label_matcher, selectors.field_matcher):
                with contextlib.suppress(ApiError):
                    parse(text)
        return time.perf_counter() - start

    small, large = min(cost(2_000) for _ in range(3)), min(cost(20_000) for _ in range(3))
    assert large < small * 40 + 0.05


def test_generated_pod_names_never_collide() -> None:
    from triage.kubeserver import Cluster, Container
    from triage.kubeserver.objects import pod_suffix

    cluster = Cluster(events=False)
    cluster.add_namespace("ns")
    taken = f"web-abc-{pod_suffix('web-abc', 7)}"
    cluster.add_pod("ns", taken, [Container()])
    assert cluster.free_pod_name("ns", "web-abc", 7) not in (taken, "")
    assert cluster.free_pod_name("ns", "web-abc", 8) == f"web-abc-{pod_suffix('web-abc', 8)}"
    many = {pod_suffix("svc-111-745d58494c", i) for i in range(5000)}
    assert len(many) > 4990  # 27^5 suffixes: collisions are rare, and free_pod_name resolves them
