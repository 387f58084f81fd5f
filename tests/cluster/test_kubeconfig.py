"""kubectl's kubeconfig rules: merge order, context and namespace choice, broken files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from triage.cluster.kubeconfig import ConnectOptions, config_paths, select
from triage.errors import BadInput


def write(
    path: Path, current: str | None, contexts: dict[str, str | None], server: str = ""
) -> Path:
    lines = ["apiVersion: v1", "kind: Config"]
    if current is not None:
        lines.append(f"current-context: {current!r}")
    lines.append("contexts:")
    for name, ns in contexts.items():
        inner = f"cluster: {name}-cluster, user: {name}-user" + (f", namespace: {ns}" if ns else "")
        lines.append(f"- name: {name}\n  context: {{{inner}}}")
    lines.append("clusters:")
    for name in contexts:
        lines.append(
            f"- name: {name}-cluster\n  cluster: {{server: '{server or 'https://' + name}'}}"
        )
    lines.append("users:")
    for name in contexts:
        lines.append(f"- name: {name}-user\n  user: {{token: t-{name}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_first_file_sets_the_current_context(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "alpha", {"alpha": "team-a"})
    b = write(tmp_path / "b", "beta", {"beta": None, "alpha": "other"})
    env = {"KUBECONFIG": f"{a}:{tmp_path / 'missing'}:{b}"}
    sel = select(ConnectOptions(), env)
    assert sel.paths == (a, b)  # the missing file is skipped, as kubectl does
    assert (sel.context, sel.namespace) == ("alpha", "team-a")  # first definition wins


def test_empty_current_context_defers_to_a_later_file(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "", {"alpha": None})
    b = write(tmp_path / "b", "beta", {"beta": "prod"})
    sel = select(ConnectOptions(), {"KUBECONFIG": f"{a}:{b}"})
    assert (sel.context, sel.namespace) == ("beta", "prod")


def test_context_and_namespace_flags(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "alpha", {"alpha": "team-a", "beta": None})
    env = {"KUBECONFIG": str(a)}
    assert select(ConnectOptions(context="beta"), env).namespace == "default"
    assert select(ConnectOptions(context="alpha", namespace="x"), env).namespace == "x"


def test_kubeconfig_flag_beats_the_environment(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "alpha", {"alpha": None})
    b = write(tmp_path / "b", "beta", {"beta": None})
    sel = select(ConnectOptions(kubeconfig=str(b)), {"KUBECONFIG": str(a)})
    assert sel.context == "beta" and sel.paths == (b,)


def test_home_config_is_the_default(tmp_path: Path) -> None:
    (tmp_path / ".kube").mkdir()
    home = write(tmp_path / ".kube" / "config", "h", {"h": None})
    assert config_paths(ConnectOptions(), {"HOME": str(tmp_path)}) == [home]


@pytest.mark.parametrize(
    ("options", "env_files", "needle"),
    [
        (ConnectOptions(kubeconfig="/no/such/file"), [], "does not exist"),
        (ConnectOptions(context="nope"), ["ok"], "context 'nope' is not in the kubeconfig"),
        (ConnectOptions(), ["broken"], "is not valid YAML at line"),
        (ConnectOptions(), ["list"], "no mapping at the top"),
        (ConnectOptions(), ["nocurrent"], "sets no current-context"),
        (ConnectOptions(), [], "no kubeconfig found"),
    ],
)
def test_bad_configs_are_one_line_bad_input(
    tmp_path: Path, options: ConnectOptions, env_files: list[str], needle: str
) -> None:
    write(tmp_path / "ok", "alpha", {"alpha": None})
    write(tmp_path / "nocurrent", None, {"alpha": None})
    (tmp_path / "broken").write_text("apiVersion: v1\ncontexts: [\n  - {name: x\n")
    (tmp_path / "list").write_text("- a\n- b\n")
    env = {"HOME": str(tmp_path / "nohome")}
    if env_files:
        env["KUBECONFIG"] = ":".join(str(tmp_path / f) for f in env_files)
    with pytest.raises(BadInput) as err:
        select(options, env)
    assert needle in err.value.line()
    assert "\n" not in err.value.line()


def test_cli_broken_kubeconfig_exits_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "kc"
    broken.write_text("clusters: {{{\n")
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--kubeconfig", str(broken)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not valid YAML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_context_without_cluster_is_bad_input(tmp_path: Path) -> None:
    kc = tmp_path / "kc"
    kc.write_text("current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone, user: u}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--kubeconfig", str(kc)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("triage: kubeconfig context c") and "Traceback" not in proc.stderr


def test_cli_failing_exec_plugin_says_log_in_again(tmp_path: Path) -> None:
    """An exec credential plugin that fails (expired SSO session): exit 4, one line."""
    kc = tmp_path / "kc"
    kc.write_text(
        "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
        "clusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:9'}\n"
        "users:\n- name: u\n  user:\n    exec:\n"
        "      apiVersion: client.authentication.k8s.io/v1beta1\n      command: sh\n"
        "      args: ['-c', 'echo the SSO session expired >&2; exit 1']\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "triage", "crashes", "--kubeconfig", str(kc)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 4, proc.stderr
    assert "credential plugin of context c failed" in proc.stderr
    assert "the SSO session expired" in proc.stderr and "log in again" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_in_cluster_when_no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a pod (service host set, a service-account token mounted) and no
    kubeconfig: the in-cluster config, in the pod's own namespace."""
    from triage.cluster import kubeconfig

    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    (sa / "token").write_text("t")
    (sa / "namespace").write_text("payments\n")
    monkeypatch.setattr(kubeconfig, "SERVICE_ACCOUNT_DIR", sa)
    env = {"HOME": str(tmp_path), "KUBERNETES_SERVICE_HOST": "10.96.0.1"}
    sel = select(ConnectOptions(), env)
    assert sel.in_cluster and (sel.context, sel.namespace) == ("in-cluster", "payments")
    assert select(ConnectOptions(namespace="x"), env).namespace == "x"
    with pytest.raises(BadInput, match="no kubeconfig found"):
        select(ConnectOptions(), {"HOME": str(tmp_path)})  # not in a pod
