"""``triage rollback --history``: revisions, their pods now, and the last good mark."""

from __future__ import annotations

from tests.actions.conftest import Cli, Seen, writes
from triage.kubeserver.scenarios import Shop


def _table(text: str) -> dict[str, str]:
    return {line.split()[0]: line for line in text.splitlines()[1:]}


def test_history_marks_the_crashing_revision_and_no_unseen_good_one(
    shop: Shop, cli: Cli, wire: list[Seen]
) -> None:
    run = cli("rollback", "deployment/checkout", "--history")
    assert run.returncode == 0, run.stderr
    rows = _table(run.stdout)
    assert set(rows) == {"1", "2"}
    assert "crashing, current" in rows["2"]
    assert "registry.local/checkout:v7" in rows["2"]
    assert "0/3" in rows["2"]
    assert "last good" not in run.stdout  # revision 1 has no pods left to judge
    assert writes(wire) == []


def test_a_revision_whose_pods_run_clean_is_last_good(shop: Shop, cli: Cli) -> None:
    run = cli("rollback", "deployment/catalog", "--history")
    assert run.returncode == 0, run.stderr
    assert "last good, current" in _table(run.stdout)["1"]
    rolled = cli("rollback", "deployment/checkout", "--confirm", "checkout")
    assert rolled.returncode == 0, rolled.stderr
    assert "no revision has pods that ran 10 min+ without restarts now" in rolled.stdout
    after = _table(cli("rollback", "deployment/checkout", "--history").stdout)
    assert "current" in after["3"]
    assert "registry.local/checkout:v6" in after["3"]
    assert "crashing" not in after["3"]
