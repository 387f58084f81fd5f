"""What the user asked to see of a profile, as one typed value.

``triage flame X --type alloc_space --focus R --hide R`` used to reach the
top table, the folded and SVG exports, but not the interactive flame view,
because each path read the flags on its own. A :class:`ProfileQuery` carries
them all (sample type, focus/ignore/hide/show, prune, diff base, module) from
the command line to whichever output is chosen, and describes itself for the
flame view's header so the user sees that the graph is filtered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.pprof.model import Profile
    from triage.pprof.stacks import Filters
    from triage.pprof.tree import CallTree

#: frames under this share of the total are left out of an SVG (percent)
DEFAULT_PRUNE = 0.1


@dataclass(frozen=True, slots=True)
class ProfileQuery:
    """A profile's sample type, filters, diff base and module, as asked for."""

    sample_type: str | None = None
    focus: str | None = None
    ignore: str | None = None
    hide: str | None = None
    show: str | None = None
    prune: float = DEFAULT_PRUNE
    #: another profile (path or URL) subtracted, like ``go tool pprof -diff_base``
    diff_base: str | None = None
    #: the service's own module path for origin colours (None: inferred)
    module: str | None = None

    def filters(self) -> Filters:
        """The compiled regexes (BadInput naming the flag for a bad one)."""
        from triage.pprof.stacks import compile_filters

        return compile_filters(self.focus, self.ignore, self.hide, self.show)

    def with_type(self, sample_type: str | None) -> ProfileQuery:
        """The same query for another sample type (the flame view's type switch)."""
        return replace(self, sample_type=sample_type)

    def describe(self) -> str:
        """The filters as the header shows them: ``focus R · hide R`` ("" when none).

        The sample type is left out: the header names the tree's own type.
        """
        parts = [
            f"{name} {value}"
            for name, value in (
                ("focus", self.focus),
                ("ignore", self.ignore),
                ("hide", self.hide),
                ("show", self.show),
                ("minus", self.diff_base),
                ("module", self.module),
            )
            if value
        ]
        return " · ".join(parts)

    def tree(self, profile: Profile, base: Profile | None = None) -> CallTree:
        """The call tree of ``profile`` as this query asks for it."""
        from triage.pprof.stacks import tree_for

        return tree_for(
            profile,
            self.sample_type,
            filters=self.filters(),
            base=base,
            main_module=self.module,
        )
