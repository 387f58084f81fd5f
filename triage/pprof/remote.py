"""Former home of profile fetching; the URL rules now live in triage.probes.endpoints.

The pprof package does no HTTP: fetching moved to :mod:`triage.probes.profiles`.
Only this alias of the URL rule is left, for callers written against the old
name (tests/pprof/test_cli.py); remove it once they import the probes module.
"""

from __future__ import annotations


def resolve(url: str, seconds: int | None = None) -> tuple[str, int]:
    """:func:`triage.probes.endpoints.profile_url` under its old name."""
    from triage.probes.endpoints import profile_url

    return profile_url(url, seconds)
