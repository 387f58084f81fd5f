"""Every key binding of the app, in one table.

Each binding has an id (``scope.name``); widgets build their ``BINDINGS`` from
this table with :func:`bindings`, keymap files (``keymaps/*.toml``, and the
user's ``keymap.toml``) rebind by id, and the help screen is generated from it.
``keymaps/default.toml`` lists exactly these defaults (a test keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class KeySpec:
    """A binding's default keys, the action it runs and how help describes it."""

    keys: str
    action: str
    description: str
    show: bool = True
    #: destructive or state-changing keys are never bound in read-only mode
    destructive: bool = False
    #: acted on when the app reads the key, before later keys are handed out: a key
    #: that opens a prompt, so what is typed right after it lands in the prompt
    priority: bool = False


KEYS: dict[str, KeySpec] = {
    # app-wide
    "app.quit": KeySpec("q", "quit", "Quit"),
    "app.help": KeySpec("question_mark,f1", "help", "Help"),
    "app.palette": KeySpec("ctrl+p,colon", "command_palette", "Commands", show=False),
    "app.open": KeySpec("o", "open_source", "Open"),
    "app.theme": KeySpec("ctrl+t", "next_theme", "Theme", show=False),
    "app.cluster": KeySpec("ctrl+k", "open_cluster", "Cluster", show=False, priority=True),
    # workspace
    "pane.next": KeySpec("tab", "next_pane", "Next pane"),
    "pane.prev": KeySpec("shift+tab", "previous_pane", "Previous pane", show=False),
    "pane.goroutines": KeySpec("1", "show_pane('goroutines')", "Goroutines", show=False),
    "pane.flame": KeySpec("2", "show_pane('flame')", "Flame graph", show=False),
    "pane.health": KeySpec("3", "show_pane('health')", "Health", show=False),
    "pane.maximize": KeySpec("z", "toggle_maximize", "Maximise"),
    "data.refresh": KeySpec("r", "refresh", "Refresh"),
    "data.live": KeySpec("L", "toggle_live", "Live refresh", show=False),
    "data.dump": KeySpec("d", "next_dump", "Next dump", show=False),
    "data.profile": KeySpec("p", "fetch_profile", "Profile"),
    "data.save": KeySpec("S", "save_evidence", "Save", show=False),
    "data.compare": KeySpec("c", "compare", "Compare", show=False),
    "data.bundle": KeySpec("B", "capture_bundle", "Capture bundle", show=False),
    # lists (findings and groups)
    "list.down": KeySpec("down,j", "cursor_down", "Down", show=False),
    "list.up": KeySpec("up,k", "cursor_up", "Up", show=False),
    "list.first": KeySpec("home,g", "first", "First", show=False),
    "list.last": KeySpec("end,G", "last", "Last", show=False),
    "list.page_down": KeySpec("pagedown,ctrl+f", "page_down", "Page down", show=False),
    "list.page_up": KeySpec("pageup,ctrl+b", "page_up", "Page up", show=False),
    "goroutines.open": KeySpec("enter", "select", "Open group"),
    "goroutines.loose": KeySpec("l", "toggle_loose", "Loose grouping", show=False),
    "goroutines.filter": KeySpec("slash", "filter", "Filter", show=False, priority=True),
    "goroutines.clear_filter": KeySpec("escape", "clear_filter", "Clear filter", show=False),
    "goroutines.flame": KeySpec("f", "show_in_flame", "In the flame graph", show=False),
    # group detail and other pushed screens
    "screen.back": KeySpec("escape,backspace", "back", "Back"),
    "group.next_sample": KeySpec("n", "next_sample", "Next goroutine"),
    "group.prev_sample": KeySpec("N", "previous_sample", "Previous goroutine", show=False),
    "group.copy": KeySpec("c", "copy_stack", "Copy"),
    "group.edit": KeySpec("e", "edit_source", "Edit source", show=False),
    # flame graph (triage/ui/widgets/flame.py); the arrows also drive its top table
    "flame.left": KeySpec("left,h", "move('left')", "Frame left", show=False),
    "flame.right": KeySpec("right,l", "move('right')", "Frame right", show=False),
    "flame.up": KeySpec("up,k", "move('up')", "Frame up (caller)", show=False),
    "flame.down": KeySpec("down,j", "move('down')", "Frame down (callee)", show=False),
    "flame.page_up": KeySpec("pageup", "page(-1)", "Page up", show=False),
    "flame.page_down": KeySpec("pagedown", "page(1)", "Page down", show=False),
    "flame.first": KeySpec("home,g", "edge(-1)", "First row / top", show=False),
    "flame.last": KeySpec("end,G", "edge(1)", "Last row / bottom", show=False),
    "flame.zoom": KeySpec("enter", "zoom", "Zoom"),
    "flame.zoom_out": KeySpec("backspace,escape", "zoom_out", "Zoom out"),
    "flame.reset": KeySpec("0", "reset", "Whole graph", show=False),
    "flame.search": KeySpec("slash", "search", "Search", priority=True),
    "flame.next_match": KeySpec("n", "next_match", "Next match", show=False),
    "flame.prev_match": KeySpec("N", "previous_match", "Previous match", show=False),
    "flame.top": KeySpec("t", "toggle_top", "Top table"),
    "flame.sort": KeySpec("s", "next_sort", "Sort top", show=False),
    "flame.type": KeySpec("y", "next_type", "Sample type"),
    "flame.sandwich": KeySpec("w", "toggle_sandwich", "Sandwich"),
    "flame.export_folded": KeySpec("e", "export('folded')", "Export folded", show=False),
    "flame.export_svg": KeySpec("E", "export('svg')", "Export SVG", show=False),
    "flame.groups": KeySpec("v", "groups_of_frame", "Groups with this frame", show=False),
    # the approval modal of a cluster action (a low-risk one: the typed name otherwise)
    "approval.confirm": KeySpec("y", "confirm", "Approve", destructive=True),
    # cluster screen (triage/ui/screens/cluster.py) and pod view (pod.py)
    "cluster.open": KeySpec("enter", "select", "Open pod / fold"),
    "cluster.filter": KeySpec("slash", "filter", "Filter", priority=True),
    "cluster.retry": KeySpec("r", "retry", "Retry"),
    "cluster.all_namespaces": KeySpec("A", "toggle_all_namespaces", "All namespaces", show=False),
    "pod.previous": KeySpec("p", "toggle_previous", "Previous/current"),
    "pod.container": KeySpec("c", "next_container", "Container"),
    "pod.tail": KeySpec("n", "next_tail", "Tail lines", show=False),
    "pod.follow": KeySpec("f", "toggle_follow", "Follow"),
    "pod.timestamps": KeySpec("t", "toggle_timestamps", "Timestamps", show=False),
    "pod.wrap": KeySpec("w", "toggle_wrap", "Wrap", show=False),
    "pod.save": KeySpec("s", "save_log", "Save log"),
    "pod.crash": KeySpec("x", "open_crash", "Open crash"),
    # safe actions (cluster screen and pod view): each opens the approval modal first
    "action.suggest": KeySpec("a", "suggested", "Act on suggestion", destructive=True),
    "action.rollback": KeySpec("R", "act('rollback')", "Roll back", destructive=True),
    "action.restart": KeySpec("T", "act('restart')", "Restart", show=False, destructive=True),
    "action.scale": KeySpec("S", "act('scale')", "Scale", show=False, destructive=True),
    "action.patch": KeySpec("P", "act('patch')", "Patch", show=False, destructive=True),
    "action.delete": KeySpec("D", "act('delete')", "Delete pod", show=False, destructive=True),
    "action.cordon": KeySpec("C", "act('cordon')", "Cordon node", show=False, destructive=True),
    "action.uncordon": KeySpec(
        "U", "act('uncordon')", "Uncordon node", show=False, destructive=True
    ),
    "action.drain": KeySpec("E", "act('drain')", "Drain node", show=False, destructive=True),
    "action.approvals": KeySpec("V", "approvals", "Approvals", show=False),
    "action.revisions": KeySpec("H", "revisions", "Revisions", show=False),
    # a Deployment's revisions (H)
    "revisions.rollback": KeySpec("R", "revision('rollback')", "Roll back to it", destructive=True),
    "revisions.anchor": KeySpec("m", "revision('anchor')", "Mark as anchor", destructive=True),
    # the pending two-person requests
    "approvals.approve": KeySpec("y", "decide('approve')", "Approve", destructive=True),
    "approvals.reject": KeySpec("x", "decide('reject')", "Reject", destructive=True),
}


def bindings(*ids: str, read_only: bool = False) -> list[BindingType]:
    """Textual bindings for ``ids``, with their default keys from :data:`KEYS`.

    ``read_only`` leaves every destructive binding out: in read-only mode such a key is
    never bound (rather than bound and refused), so no key, footer, help line or palette
    entry can reach the action. A screen with destructive keys builds its ``BINDINGS``
    for the mode it runs in.
    """
    out: list[BindingType] = []
    for binding_id in ids:
        spec = KEYS[binding_id]
        if read_only and spec.destructive:
            continue
        out.append(
            Binding(
                spec.keys,
                spec.action,
                spec.description,
                show=spec.show,
                priority=spec.priority,
                id=binding_id,
            )
        )
    return out
