"""The recorded sample the README's first command opens (see tests/samples/record.py)."""

from __future__ import annotations

from pathlib import Path

from triage.goroutines import analyze

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "checkout-sigquit.log"


def test_readme_sample_reads_as_a_sigquit_dump_with_piles() -> None:
    result = analyze(SAMPLE.read_bytes())
    assert len(result.dumps) == 1
    item = result.dumps[0]
    assert item.dump.start_line == 4  # after three ordinary log lines
    assert item.crash is not None and item.crash.message == "SIGQUIT: quit"
    rules = {f.rule for f in item.findings}
    assert {"goroutine-leak", "lock-contention", "network-io", "http-connections"} <= rules
    leak = next(f for f in item.findings if "main.leak.func1" in f.summary)
    assert leak.goroutines == 300
