"""What the user names, parsed once into typed targets (triage.targets)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from triage.errors import BadInput
from triage.targets import (
    BundleTarget,
    ClusterScope,
    FileTarget,
    KubeTarget,
    StdinTarget,
    UrlTarget,
    cluster_options,
    cluster_scope,
    parse_target,
    parse_targets,
)

PROD = ClusterScope(namespace="prod")


@pytest.mark.parametrize(
    ("spec", "resource"),
    [
        ("pod/api-0", "pod"),
        ("po/api-0", "pod"),
        ("pods/api-0", "pod"),
        ("deployment/api-0", "deployment"),
        ("deploy/api-0", "deployment"),
        ("deployments/api-0", "deployment"),
        ("Deployment.apps/api-0", "deployment"),
        ("statefulset/api-0", "statefulset"),
        ("sts/api-0", "statefulset"),
        ("statefulsets.v1.apps/api-0", "statefulset"),
        ("daemonset/api-0", "daemonset"),
        ("ds/api-0", "daemonset"),
        ("daemonsets/api-0", "daemonset"),
    ],
)
def test_kubectl_spellings_name_the_resource(spec: str, resource: str) -> None:
    target = parse_target(spec)
    assert target == KubeTarget(resource, "api-0")
    assert target.kind == resource and target.label == f"{resource}/api-0"


def test_namespace_context_and_kubeconfig_come_from_the_flags() -> None:
    parser = argparse.ArgumentParser()
    cluster_options(parser)
    args = parser.parse_args(["-n", "prod", "--context", "gke-eu", "--kubeconfig", "/k"])
    target = parse_target("deploy/api", cluster_scope(args))
    assert target == KubeTarget("deployment", "api", "prod", "gke-eu", "/k")
    assert target.label == "deployment/api in prod on gke-eu"


def test_a_bare_name_is_a_pod_only_in_a_cluster_scope(tmp_path: Path) -> None:
    assert parse_target("api-0", PROD) == KubeTarget("pod", "api-0", "prod")
    assert parse_target("api-0", ClusterScope(context="kind")) == KubeTarget(
        "pod", "api-0", context="kind"
    )
    assert parse_target("api-0") == FileTarget("api-0")  # no cluster asked for: a path
    assert parse_target("logs/crash.log", PROD) == FileTarget("logs/crash.log")


def test_an_existing_path_wins_over_a_kube_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod").mkdir()
    (tmp_path / "pod" / "api").write_text("goroutine 1 [running]:\n")
    (tmp_path / "api-0").write_text("x")
    assert parse_target("pod/api") == FileTarget("pod/api")
    assert parse_target("pod/other") == KubeTarget("pod", "other")
    assert parse_target("api-0", PROD) == FileTarget("api-0")


@pytest.mark.parametrize(
    ("spec", "base"),
    [
        ("http://127.0.0.1:6060", True),
        ("http://127.0.0.1:6060/", True),
        ("https://svc:6060/debug/pprof/", True),
        ("http://127.0.0.1:6060/debug/pprof/heap", False),
        ("http://127.0.0.1:6060/debug/pprof/goroutine?debug=2", False),
    ],
)
def test_urls_are_a_base_or_an_endpoint(spec: str, base: bool) -> None:
    target = parse_target(spec, PROD)  # a URL stays a URL whatever the scope
    assert target == UrlTarget(spec, base=base)
    assert target.kind == "url" and target.label == spec


def test_stdin_files_and_bundles() -> None:
    assert parse_target("-") == StdinTarget()
    assert parse_target("-").label == "stdin"
    assert parse_target("dump.log") == FileTarget("dump.log")
    assert parse_target("dump.log").kind == "file"
    assert parse_target("support.tar.gz") == BundleTarget("support.tar.gz")
    assert parse_target("support.TGZ").kind == "bundle"
    assert parse_target("cpu.pb.gz") == FileTarget("cpu.pb.gz")


@pytest.mark.parametrize(
    ("spec", "scope", "words"),
    [
        ("pod/API_0", None, "'API_0' is not a valid pod name"),
        ("deploy/", None, "an empty name"),
        ("pod/api", ClusterScope(namespace="Prod!"), "'Prod!' is not a valid namespace"),
        ("", None, "an empty name was given"),
    ],
)
def test_bad_names_are_one_line_of_bad_input(
    spec: str, scope: ClusterScope | None, words: str
) -> None:
    with pytest.raises(BadInput, match=words):
        parse_target(spec, scope)


def test_stdin_can_be_named_once() -> None:
    assert parse_targets(["a.log", "-"]) == [FileTarget("a.log"), StdinTarget()]
    with pytest.raises(BadInput, match="more than once"):
        parse_targets(["-", "-"])


def test_targets_are_frozen_values() -> None:
    target = parse_target("deploy/api", PROD)
    with pytest.raises(AttributeError):
        target.name = "other"  # type: ignore[misc]
    assert {target, parse_target("deployment/api", PROD)} == {target}
