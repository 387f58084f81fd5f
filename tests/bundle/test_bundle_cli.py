"""``triage bundle`` against the project's API server over real HTTPS, with a pod backed
by the real ``leaky`` Go target and a previous log holding a real Go panic; the bundle
reopened offline (``triage analyze BUNDLE``, the workspace's loader)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from tests.cluster.seed import TERMINATION_LIMIT, panic_log
from tests.support import targets
from tests.support.kube import Kube
from triage.bundle.redact import REDACTED
from triage.kubeserver import Container, Termination
from triage.targets import BundleTarget
from triage.workspace import LoadedDump, LoadedProfile, load_bundle

pytestmark = pytest.mark.slow

SECRET = "hunter2-do-not-leak"
ENV = [
    {"name": "DB_PASSWORD", "value": SECRET},
    {"name": "STRIPE_API_KEY", "value": SECRET + "-key"},
    {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}},
    {"name": "LOG_LEVEL", "value": "debug"},
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triage", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def crash_log() -> str:
    return panic_log()


@pytest.fixture
def backend() -> Iterator[tuple[str, int]]:
    with targets.leaky("-spawn", "20") as service:
        host, port = service.url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)


def seed_pod(kube: Kube, log: str) -> None:
    """pod/api-0: restarted after a panic (previous log), running again, secrets in env."""
    app = Container(
        "app",
        ports=[{"name": "pprof", "containerPort": 6060}],
        restarts=3,
        last=Termination(exit_code=2, reason="Error", message=log[-TERMINATION_LIMIT:]),
        previous_log=log,
        log="level=info msg=starting\n",
        env=ENV,
        probes={"livenessProbe": {"httpGet": {"path": "/healthz", "port": 6060}}},
        termination_message_policy="FallbackToLogsOnError",
    )
    kube.cluster.add_pod("default", "api-0", [app])
    pod = kube.cluster.get("Pod", "api-0", "default")
    assert pod is not None
    applied = {"kind": "Pod", "spec": {"containers": [{"name": "app", "env": ENV}]}}
    pod["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied),
        "vault.example.com/token": SECRET,
        "team": "payments",
    }
    kube.cluster.update("Pod", pod)


def outdir(tmp_path: Path) -> Path:
    """Where bundles go (the kube fixture keeps its kubeconfigs in tmp_path/kube)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def members(path: Path) -> dict[str, bytes]:
    """Every member of the bundle, raw (the test reads it as an attacker would)."""
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def test_bundle_of_a_crashing_pod_reopens_offline_with_the_same_findings(
    kube: Kube, backend: tuple[str, int], crash_log: str, tmp_path: Path
) -> None:
    seed_pod(kube, crash_log)
    kube.cluster.back_port("default", "api-0", 6060, backend)
    config = str(kube.kubeconfig())
    out = outdir(tmp_path) / "incident.tar.gz"
    proc = run("bundle", "pod/api-0", "--kubeconfig", config, "-o", str(out), "--cpu-seconds", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{out} (")
    assert "Traceback" not in proc.stderr
    assert list(out.parent.iterdir()) == [out]  # no temporary file left beside it

    files = members(out)
    manifest = json.loads(files["manifest.json"])
    assert manifest["target"] == "pod/api-0" and manifest["pod"] == "api-0"
    assert manifest["context"] == "triage-test" and manifest["namespace"] == "default"
    assert manifest["by"] == "admin"  # SelfSubjectReview
    assert manifest["live_pod"] == "api-0"
    assert manifest["failed"] == [], manifest["failed"]
    assert "buildinfo" in manifest["skipped"]
    for name in (
        "objects/pod-api-0.yaml",
        "events.yaml",
        "logs/app.log",
        "logs/app.previous.log",
        "crash/crash.log",
        "findings.json",
        "pprof/goroutine.txt",
        "pprof/cpu.pb.gz",
        "pprof/heap.pb.gz",
        "metrics.txt",
        "health.json",
    ):
        assert name in files, name
        assert manifest["files"][name] == len(files[name])
    assert files["logs/app.previous.log"].decode() == crash_log
    assert b"goroutine profile" not in files["pprof/goroutine.txt"][:100]  # debug=2
    assert files["pprof/goroutine.txt"].count(b"\ngoroutine ") >= 20

    # the same findings offline as from the cluster
    live = run("analyze", "pod/api-0", "--kubeconfig", config, "--json")
    offline = run("analyze", str(out), "--json")
    assert live.returncode == 0 and offline.returncode == 0, offline.stderr
    live_doc, offline_doc = json.loads(live.stdout), json.loads(offline.stdout)
    assert offline_doc["crash"] == live_doc["crash"]
    assert offline_doc["findings"] == live_doc["findings"]
    assert offline_doc["crash"]["message"].endswith("nil pointer dereference")
    assert json.loads(files["findings.json"])["crash"] == live_doc["crash"]
    assert (
        "triage: warning: bundle of pod/api-0 in default on context triage-test" in offline.stderr
    )

    loaded = load_bundle(BundleTarget(str(out)))
    assert loaded.missing == []
    dumps = [i for i in loaded.items if isinstance(i, LoadedDump)]
    assert [d.analysis.primary.crash is not None for d in dumps] == [True, False]  # type: ignore[union-attr]
    assert dumps[1].analysis.dumps[-1].dump.goroutine_count >= 20
    profiles = [i for i in loaded.items if isinstance(i, LoadedProfile)]
    assert [p.name.split(" (")[0] for p in profiles] == [
        "pod/api-0 cpu profile",
        "pod/api-0 heap profile",
    ]
    assert any(line.startswith("  go_goroutines ") for line in loaded.lines)
    assert any("✓ ok" in line and "/healthz" in line for line in loaded.lines)


def test_secrets_never_reach_the_bundle(
    kube: Kube, backend: tuple[str, int], crash_log: str, tmp_path: Path
) -> None:
    seed_pod(kube, crash_log)
    kube.cluster.back_port("default", "api-0", 6060, backend)
    out = tmp_path / "b.tgz"
    proc = run(
        "bundle", "pod/api-0", "--kubeconfig", str(kube.kubeconfig()), "-o", str(out),
        "--cpu-seconds", "1", "-q",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    files = members(out)
    for name, data in files.items():
        assert SECRET.encode() not in data, name
    text = files["objects/pod-api-0.yaml"].decode()
    pod = yaml.safe_load(text)
    env = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
    assert env["DB_PASSWORD"]["value"] == env["STRIPE_API_KEY"]["value"] == REDACTED
    assert env["LOG_LEVEL"]["value"] == "debug"
    assert env["API_TOKEN"] == {  # a reference to where the value lives, kept
        "name": "API_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}},
    }
    annotations = pod["metadata"]["annotations"]
    assert annotations["vault.example.com/token"] == REDACTED
    assert annotations["team"] == "payments"
    applied = json.loads(annotations["kubectl.kubernetes.io/last-applied-configuration"])
    applied_env = {e["name"]: e.get("value") for e in applied["spec"]["containers"][0]["env"]}
    assert applied_env == {
        "DB_PASSWORD": REDACTED,
        "STRIPE_API_KEY": REDACTED,
        "API_TOKEN": None,
        "LOG_LEVEL": "debug",
    }
    assert not any(name.startswith("objects/secret") for name in files)


def test_viewer_gets_the_termination_message_and_a_manifest_of_refusals(
    kube: Kube, crash_log: str, tmp_path: Path
) -> None:
    seed_pod(kube, crash_log)
    out = tmp_path / "viewer.tar.gz"
    proc = run(
        "bundle", "pod/api-0", "--kubeconfig", str(kube.kubeconfig(user="viewer")), "-o", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    files = members(out)
    manifest = json.loads(files["manifest.json"])
    assert manifest["by"] == "viewer"
    failed = {f["part"]: f["reason"] for f in manifest["failed"]}
    assert set(failed) == {"logs", "live"}, failed
    assert "`get pods/log` in namespace default is not allowed" in failed["logs"]
    assert "pods/portforward" in failed["live"]
    assert not any(name.startswith(("logs/", "pprof/")) for name in files)
    source = json.loads(files["crash/source.json"])
    assert source["log"] == "termination-message"
    assert json.loads(files["findings.json"])["crash"]["message"].endswith(
        "nil pointer dereference"
    )
    assert "triage: not collected: logs: " in proc.stderr

    # a bundle with missing parts opens with what it has and says what is missing
    loaded = load_bundle(BundleTarget(str(out)))
    assert [type(i) for i in loaded.items] == [LoadedDump]
    assert loaded.missing[0].startswith("not collected: logs: ")
    assert any(m.startswith("not collected: live: ") for m in loaded.missing)
    offline = run("analyze", str(out))
    assert offline.returncode == 0, offline.stderr
    assert "nil pointer dereference" in offline.stdout
    assert "triage: warning: not collected: live:" in offline.stderr


def test_bundle_of_a_missing_pod_is_one_line_and_no_file(kube: Kube, tmp_path: Path) -> None:
    out = outdir(tmp_path) / "none.tar.gz"
    proc = run("bundle", "pod/nope", "--kubeconfig", str(kube.kubeconfig()), "-o", str(out), "-q")
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: ") and "nope" in lines[0]
    assert list(out.parent.iterdir()) == []


def test_bundle_of_a_file_is_bad_input(tmp_path: Path) -> None:
    proc = run("bundle", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.startswith("triage: ") and "pod/NAME" in proc.stderr


def test_deployment_bundle_has_the_owner_chain_and_the_fleet_signature(
    kube: Kube, tmp_path: Path
) -> None:
    from tests.cluster.seed import seed_shop

    shop = seed_shop(kube.cluster)
    out = outdir(tmp_path) / "checkout.tar.gz"
    config = str(kube.kubeconfig())
    args = ("--kubeconfig", config, "-n", "shop")
    proc = run("bundle", "deployment/checkout", *args, "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    files = members(out)
    manifest = json.loads(files["manifest.json"])
    assert manifest["target"] == "deployment/checkout"
    assert manifest["pod"] in shop.checkout_crashing  # the worst pod, as analyze reads
    assert "objects/deployment-checkout.yaml" in files
    assert any(n.startswith("objects/replicaset-checkout-") for n in files)
    signature = json.loads(files["signature.json"])
    assert signature["workload"] == "deployment/checkout"
    assert signature["signature"]["pods"] == 3 and signature["signature"]["since_revision"] == 2
    live = json.loads(run("analyze", "deployment/checkout", *args, "--json").stdout)
    assert signature["signature"] == live["signature"]
    events = yaml.safe_load(files["events.yaml"])
    assert any(e["involvedObject"]["name"] == "checkout" for e in events)


def test_above_the_threshold_the_dump_is_debug1_and_still_opens(
    kube: Kube, backend: tuple[str, int], crash_log: str, tmp_path: Path
) -> None:
    seed_pod(kube, crash_log)
    kube.cluster.back_port("default", "api-0", 6060, backend)
    out = outdir(tmp_path) / "big.tar.gz"
    config = str(kube.kubeconfig())
    flags = ("--cpu-seconds", "1", "--debug1-above", "5", "-q")
    proc = run("bundle", "pod/api-0", "--kubeconfig", config, "-o", str(out), *flags)
    assert proc.returncode == 0, proc.stderr
    files = members(out)
    assert "pprof/goroutine.txt" not in files
    assert files["pprof/goroutine-debug1.txt"].startswith(b"goroutine profile: total ")
    notes = json.loads(files["manifest.json"])["notes"]
    assert any(n.endswith("goroutines: the dump is debug=1 (above 5)") for n in notes)
    dumps = [i for i in load_bundle(BundleTarget(str(out))).items if isinstance(i, LoadedDump)]
    assert dumps[1].analysis.dumps[-1].dump.goroutine_count >= 20


def test_an_unreachable_cluster_is_exit_3_and_no_file(kube: Kube, tmp_path: Path) -> None:
    config = kube.kubeconfig()
    kube.server.stop()
    out = outdir(tmp_path) / "x.tar.gz"
    proc = run("bundle", "pod/api-0", "--kubeconfig", str(config), "-o", str(out), "-q")
    assert proc.returncode == 3, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert list(out.parent.iterdir()) == []
