"""pprof profiles: decoding, call trees, and flame graph exports (no UI here).

The pipeline, one module per step::

    decode.decode(data)              gzip / raw profile.proto  ->  model.Profile
    stacks.tree_for(profile, type)   samples, filters, diff    ->  tree.CallTree
    tree.tree_from_stacks(pairs)     (frames root->leaf, value) ->  tree.CallTree
    views.top_rows / search / sandwich, layout.icicle / prune   (what the widget shows)
    folded.write_folded, svg.render_svg, report.top_report      (exports, CLI text)
    symbolize.symbolize / main_module_of                         (with the service's binary)
    dropframes.apply_drop_frames                                  (a profile's own drop_frames)

Fetching a profile over HTTP is not done here but in triage.probes.profiles.
Importing this package does not import protobuf; it loads when first used.
"""

from __future__ import annotations

from triage.pprof.model import Profile, ValueType
from triage.pprof.origin import Origin, classify
from triage.pprof.tree import CallTree, Frame, Node, tree_from_stacks

__all__ = [
    "CallTree",
    "Frame",
    "Node",
    "Origin",
    "Profile",
    "ValueType",
    "classify",
    "tree_from_stacks",
]
