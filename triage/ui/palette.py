"""Command palette (ctrl+p or :): commands allowed now, groups, findings, themes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from triage.ui import themes
from triage.ui.keys import KEYS


class TriageCommands(Provider):
    """Bindings the focused screen allows, goroutine groups, findings and themes."""

    def _candidates(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        app = self.app
        out: list[tuple[str, str, Callable[[], object]]] = []
        active = {binding.id for binding in _enabled_bindings(screen)}
        for binding_id, spec in KEYS.items():
            if binding_id in active and spec.action != "command_palette":
                out.append(
                    (
                        spec.description,
                        f"key: {binding_id}",
                        partial(app.run_action, spec.action, screen),
                    )
                )
        for name in themes.ALIASES:
            full = themes.ALIASES[name]
            if full in app.available_themes:
                out.append(
                    (
                        f"Theme: {name}",
                        "switch the colour theme",
                        partial(setattr, app, "theme", full),
                    )
                )
        extra = getattr(screen, "palette_commands", None)  # e.g. the cluster screen's switches
        if callable(extra):
            out.extend(extra())
        from triage.ui.widgets.goroutines import GoroutinePane, GroupChosen

        panes = screen.query(GoroutinePane)
        pane = panes.first() if panes else None
        item = pane.item if pane is not None else None
        if pane is not None and item is not None:
            for group in item.groups:
                top = group.top_frame
                label = (
                    f"Group #{group.id}: {group.count} x {group.state} {top.func if top else ''}"
                )
                out.append(
                    (label, "open this group", partial(pane.post_message, GroupChosen(item, group)))
                )
            seen: set[str] = set()
            for group in item.groups:  # every function in a stack leads to its first group
                for frame in group.frames:
                    if frame.func in seen:
                        continue
                    seen.add(frame.func)
                    out.append(
                        (
                            f"Function: {frame.func}",
                            f"in group #{group.id} ({group.count} x {group.state})",
                            partial(pane.post_message, GroupChosen(item, group)),
                        )
                    )
            for finding in item.findings:
                first = next((g for g in item.groups if g.id in finding.groups), None)
                if first is not None:
                    out.append(
                        (
                            f"{finding.severity.upper()}: {finding.summary}",
                            f"finding [{finding.rule}]",
                            partial(pane.post_message, GroupChosen(item, first)),
                        )
                    )
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self._candidates()[:40]:
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        from rapidfuzz import fuzz, process

        candidates = self._candidates()
        names = [c[0] for c in candidates]
        for name, score, index in process.extract(query, names, scorer=fuzz.WRatio, limit=40):
            if score < 50:
                continue
            _, help_text, callback = candidates[index]
            yield Hit(
                score / 100,
                self.matcher(query).highlight(name),
                callback,
                text=name,
                help=help_text,
            )


def _enabled_bindings(screen: Screen[object]) -> list[Binding]:
    """The bindings the screen's focus chain allows now (check_action has run)."""
    return [b.binding for b in screen.active_bindings.values() if b.enabled]
