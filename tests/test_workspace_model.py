"""The workspace model in core: typed level, enrichment as new values, one profile loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import gotool
from tests.support.targets import crash, write
from triage.enrich import enrich, open_context
from triage.errors import BadInput
from triage.goroutines import analyze
from triage.workspace import (
    GroupingLevel,
    LoadedDump,
    Workspace,
    load_binary,
    load_path,
    load_profile,
    reanalyze,
)


def _details(dump: LoadedDump) -> list[list[str]]:
    return [f.details for item in dump.analysis.dumps for f in item.findings]


def test_the_binary_enriches_a_copy_once(tmp_path: Path) -> None:
    binary = gotool.build("crashers")
    path = write(tmp_path, "nil.log", crash("nil").stderr)
    loaded = load_path(str(path))
    assert isinstance(loaded, LoadedDump)
    before = _details(loaded)
    model = Workspace()
    model.add(loaded)
    model.add(load_binary(str(binary)))
    name, item = model.dump_at(0)
    assert name == str(path)
    first = next(f for f in item.findings if f.severity == "critical")
    assert any(d.startswith("signal pc 0x") and "main.(*Server).Name" in d for d in first.details)
    assert _details(loaded) == before  # what was loaded is left as it was
    again = model.dumps[0]
    assert again.enriched_by == str(binary)
    _, item_again = model.dump_at(0)
    assert item_again is item  # enriched once, not on every redraw


def test_enrich_returns_a_new_analysis(tmp_path: Path) -> None:
    binary = gotool.build("crashers")
    analysis = analyze(crash("nil").stderr)
    rules = [f.rule for f in analysis.dumps[-1].findings]
    enriched = enrich(analysis, open_context(str(binary)))
    assert enriched is not analysis
    assert [f.rule for f in analysis.dumps[-1].findings] == rules
    assert any(f.details for f in enriched.dumps[-1].findings if f.severity == "critical")


def test_grouping_level_is_typed_and_regroups(tmp_path: Path) -> None:
    assert GroupingLevel.EXACT.toggled() is GroupingLevel.LOOSE
    assert GroupingLevel.LOOSE.toggled().literal == "exact"
    assert GroupingLevel("loose") is GroupingLevel.LOOSE
    path = write(tmp_path, "sigquit.log", crash("deadlock").stderr)
    loaded = load_path(str(path), level=GroupingLevel.EXACT)
    assert isinstance(loaded, LoadedDump)
    loose = reanalyze(loaded, level=GroupingLevel.LOOSE, thresholds=None)
    exact_groups = len(loaded.analysis.dumps[-1].groups)
    assert len(loose.analysis.dumps[-1].groups) <= exact_groups
    model = Workspace()
    model.show_live("http://127.0.0.1:1", loaded.analysis)
    with pytest.raises(BadInput, match="live snapshot"):
        reanalyze(model.dumps[0], level=GroupingLevel.LOOSE, thresholds=None)


def test_one_profile_loader_reads_a_text_dump_as_a_goroutine_profile(tmp_path: Path) -> None:
    path = write(tmp_path, "nil.log", crash("nil").stderr)
    profile = load_profile(str(path))
    assert profile.type_names() == ["goroutine"]
    assert profile.name == str(path)
    with pytest.raises(BadInput):
        load_profile(str(write(tmp_path, "junk.bin", b"\x00\x01\x02junk")))
