"""The flame graphs a workspace shows, built off the UI thread.

Plain functions from core values to a :class:`TreeReady` (the tree and its
header) or an exported file, called from the workspace's thread workers. The
header names the source, the sample type and, when the profile query filters
anything, the query, so a filtered graph is never mistaken for the whole one:
the query comes first, where an 80-column header still shows it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from triage.ui.render import source_label
from triage.ui.widgets.flamepane import TreeReady

if TYPE_CHECKING:
    from triage.goroutines import DumpAnalysis
    from triage.pprof.model import Profile
    from triage.pprof.query import ProfileQuery
    from triage.pprof.tree import CallTree


def dump_tree(item: DumpAnalysis, name: str, query: ProfileQuery | None = None) -> TreeReady:
    """The goroutine flame graph of a dump, filtered as ``query`` says (its type aside).

    A filtered dump goes through the pprof engine as a goroutine/count profile,
    so ``triage flame DUMP --focus R`` shows what its top table does.
    """
    from triage.goroutines.flame import goroutine_profile, goroutine_tree

    what = f"goroutines of {source_label(name)} · {item.dump.goroutine_count:,}"
    if query is None or not (query.filters() or query.module):
        return TreeReady(goroutine_tree(item), f"Flame graph · {what}", source="dump")
    tree = query.with_type(None).tree(goroutine_profile(item, name))
    return TreeReady(tree, f"Flame graph · {query.describe()} · {what}", source="dump")


def profile_tree(profile: Profile, name: str, query: ProfileQuery) -> TreeReady:
    """The call tree of a profile as ``query`` asks (BadInput for a type it lacks)."""
    tree = query.tree(profile)
    current = tree.sample_type.type
    what = f"{source_label(name)} · {current} ({tree.sample_type.unit})"
    described = query.describe()
    title = f"Flame graph · {described} · {what}" if described else f"Flame graph · {what}"
    return TreeReady(
        tree,
        title,
        source="profile",
        sample_types=[t.type for t in profile.sample_types],
        current_type=current,
        profile=profile,
    )


def export(kind: str, tree: CallTree, title: str, directory: Path) -> Path:
    """Write the graph to ``directory``: folded stacks or a standalone SVG."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"triage-flame-{stamp}.{'svg' if kind == 'svg' else 'folded'}"
    with path.open("w", encoding="utf-8") as out:
        if kind == "svg":
            from triage.pprof.svg import render_svg

            render_svg(tree, title or "triage flame graph", out)
        else:
            from triage.pprof.folded import write_folded

            write_folded(tree, out)
    return path
