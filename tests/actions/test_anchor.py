"""The rollback anchor: marked through the pipeline, shown in --history, the rollback default."""

from __future__ import annotations

import copy

from tests.actions.conftest import Cli, Seen, audit_records, writes
from tests.support.kube import Kube
from triage.actions.anchor import ANCHOR
from triage.actions.rollback import REVISION, default_target, revision_of
from triage.kubeserver.scenarios import Shop


def _table(text: str) -> dict[str, str]:
    return {line.split()[0]: line for line in text.splitlines()[1:]}


def _rs(revision: int, anchor: bool = False) -> dict[str, object]:
    notes = {REVISION: str(revision)} | ({ANCHOR: "marked by x"} if anchor else {})
    return {"metadata": {"name": f"rs-{revision}", "annotations": notes}}


def test_the_default_target_is_the_anchor_unless_it_is_current() -> None:
    sets = [_rs(1, anchor=True), _rs(2), _rs(3)]
    assert revision_of(default_target(sets, 3, "x")) == 1  # not the previous (2)
    assert revision_of(default_target([_rs(1), _rs(2), _rs(3)], 3, "x")) == 2  # kubectl's
    current_marked = [_rs(1), _rs(2), _rs(3, anchor=True)]
    assert revision_of(default_target(current_marked, 3, "x")) == 2


def _ship_v8(kube: Kube) -> None:
    """A third rollout (revision 3, :v8), so the previous revision (2) is not the anchor."""
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    dep = copy.deepcopy(dep)
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.local/checkout:v8"
    kube.cluster.update("Deployment", dep)


def test_mark_anchor_then_rollback_goes_to_it(
    kube: Kube, shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    marked = cli("rollback", "deployment/checkout", "--mark-anchor", "1", "--confirm", "checkout")
    assert marked.returncode == 0, marked.stderr
    patches = [s for s in writes(wire) if s.method == "PATCH"]
    assert [p.query.get("dryRun") for p in patches] == ["All", None]  # previewed, then sent
    assert patches[1].path.startswith("/apis/apps/v1/namespaces/shop/replicasets/")
    assert patches[1].content_type == "application/merge-patch+json"
    assert patches[1].body["metadata"]["annotations"][ANCHOR].startswith("marked by admin at ")
    assert audit_records()[-1]["action"] == "mark-anchor"
    history = _table(cli("rollback", "deployment/checkout", "--history").stdout)
    assert "anchor" in history["1"] and "anchor" not in history["2"]
    _ship_v8(kube)
    preview = cli("rollback", "deployment/checkout", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert "to 1" in preview.stdout and "is the rollback anchor" in preview.stdout
    rolled = cli("rollback", "deployment/checkout", "--confirm", "checkout")
    assert rolled.returncode == 0, rolled.stderr
    dep = kube.cluster.get("Deployment", "checkout", "shop")
    assert dep is not None
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":v6")


def test_marking_another_revision_moves_the_mark(shop: Shop, cli: Cli) -> None:
    assert (
        cli(
            "rollback", "deployment/checkout", "--mark-anchor", "1", "--confirm", "checkout"
        ).returncode
        == 0
    )
    moved = cli("rollback", "deployment/checkout", "--mark-anchor", "2", "--confirm", "checkout")
    assert moved.returncode == 0, moved.stderr
    assert "revision 1 is no longer the anchor" in moved.stdout
    history = _table(cli("rollback", "deployment/checkout", "--history").stdout)
    assert "anchor" in history["2"] and "anchor" not in history["1"]
    again = cli("rollback", "deployment/checkout", "--mark-anchor", "2", "--confirm", "checkout")
    assert again.returncode == 0 and "already the rollback anchor" in again.stdout


def test_marking_needs_patch_on_replicasets(shop: Shop, cli: Cli, wire: list[Seen]) -> None:
    run = cli(
        "rollback",
        "deployment/checkout",
        "--mark-anchor",
        "1",
        "--confirm",
        "checkout",
        user="viewer",
    )
    assert run.returncode == 4
    assert "`patch replicasets (apps)` in namespace shop" in run.stderr
    assert writes(wire) == []


def test_an_unknown_revision_is_bad_input(shop: Shop, cli: Cli) -> None:
    run = cli("rollback", "deployment/checkout", "--mark-anchor", "9", "--confirm", "checkout")
    assert run.returncode == 2
    assert "unable to find specified revision 9" in run.stderr
