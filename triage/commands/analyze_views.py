"""``triage analyze --filter EXPR`` and ``--base OLD``: narrow the report, or compare two dumps.

Kept apart from :mod:`triage.commands.analyze` so that module stays the loader
and printer; this one only adds options and reshapes what is printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage.goroutines import Analysis
    from triage.goroutines.diff import DumpDiff
    from triage.goroutines.filter import Filter, Filtered
    from triage.workspace import LoadedDump


def add_options(p: argparse.ArgumentParser) -> None:
    """The ``--filter`` and ``--base`` options."""
    p.add_argument(
        "--filter",
        metavar="EXPR",
        help="keep the groups matching every term: a word (fuzzy: function, file, package, "
        "state, label), func:/file:/pkg:/state:/label:/created: TEXT, label:key=value, "
        "wait>10 (minutes), re:REGEX, !term to exclude",
    )
    p.add_argument(
        "--base",
        metavar="OLD",
        help="an earlier dump (file, URL or -) to compare with: per group, count before and "
        "after; new and vanished groups first",
    )


@dataclass(slots=True)
class Views:
    """What ``--filter`` and ``--base`` asked for, parsed before anything is loaded."""

    filter: Filter | None = None
    base: LoadedDump | None = None
    kept: list[Filtered] = field(default_factory=list)
    diff: DumpDiff | None = None

    def close(self) -> None:
        """Unmap the base dump."""
        if self.base is not None:
            self.base.close()


def prepare(args: argparse.Namespace) -> Views:
    """Parse the filter now, so a typo fails before a slow fetch (exit 2)."""
    from triage.errors import BadInput
    from triage.goroutines.filter import parse_filter

    views = Views()
    if getattr(args, "filter", None):
        views.filter = parse_filter(args.filter)
    if getattr(args, "base", None) == "-" and args.source == "-":
        raise BadInput("the new dump and --base both read stdin", "save one of them to a file")
    return views


def load_base(args: argparse.Namespace, views: Views, load: Callable[[str], LoadedDump]) -> None:
    """Load ``--base`` with ``load`` (the same loader the new dump used)."""
    if getattr(args, "base", None):
        views.base = load(args.base)


def reshape(result: Analysis, views: Views, level: str) -> Analysis:
    """Filter ``result`` (and the base), then compare their primary dumps."""
    from triage.goroutines.diff import diff_dumps
    from triage.goroutines.filter import filter_analysis

    base = views.base.analysis if views.base is not None else None
    if views.filter is not None:
        result, views.kept = filter_analysis(result, views.filter)
        if base is not None:
            base, _ = filter_analysis(base, views.filter)
    if views.base is not None and base is not None:
        old, new = base.primary, result.primary
        if old is not None and new is not None:
            views.diff = diff_dumps(
                old, new, views.base.name, "loose" if level == "loose" else "exact"
            )
    return result


def add_json(doc: dict[str, Any], views: Views, result: Analysis) -> None:
    """``filter`` and ``diff`` keys of the JSON document."""
    from triage.goroutines.diff import diff_json

    if views.filter is not None and result.primary is not None:
        kept = views.kept[result.dumps.index(result.primary)]
        doc["filter"] = {
            "expression": views.filter.expression,
            "goroutines": kept.goroutines,
            "groups": len(kept.groups),
            "total_goroutines": kept.total_goroutines,
            "total_groups": kept.total_groups,
        }
    if views.diff is not None:
        doc["diff"] = diff_json(views.diff)


def text_lines(views: Views, top: int) -> list[str]:
    """The filter's counts and the comparison, printed before the report."""
    from triage.goroutines.diff import diff_lines

    lines: list[str] = []
    if views.filter is not None:
        for i, kept in enumerate(views.kept, 1):
            which = f" (dump {i})" if len(views.kept) > 1 else ""
            lines.append(f"filter '{views.filter.expression}'{which}: {kept.summary()}")
    if views.diff is not None:
        lines.extend(diff_lines(views.diff, top))
    return lines
