"""A standalone SVG flame graph (icicle: root on top), to open in any browser.

No script and no external resource: frames are plain rectangles with a
``<title>`` each, so hovering shows the full name, value, share, origin and
file:line, and the file is safe to open from an untrusted source. Colours mark
origin (or, in a diff, growth red and shrinkage blue, deeper for larger
changes); the origin's mark also starts every label, so colour is never the
only cue.
"""

from __future__ import annotations

import zlib
from html import escape
from typing import TextIO

from triage.pprof.origin import Origin
from triage.pprof.tree import CallTree, Node
from triage.pprof.units import format_percent, format_value

WIDTH = 1200
ROW = 17
PAD = 10
TOP = 58
FONT = 12
CHAR = FONT * 0.6  # average glyph width of the monospace font, in px

ORIGIN_COLOURS: dict[Origin, tuple[int, int, int]] = {
    Origin.OWN: (240, 150, 80),
    Origin.DEPENDENCY: (120, 165, 235),
    Origin.STDLIB: (130, 200, 130),
    Origin.RUNTIME: (190, 190, 200),
    Origin.UNKNOWN: (230, 230, 230),
}


def render_svg(tree: CallTree, title: str, out: TextIO, *, min_px: float = 0.4) -> int:
    """Write the SVG of ``tree`` to ``out``; return the number of frames drawn."""
    frames: list[str] = []
    depth = _draw(tree, frames, min_px)
    height = TOP + (depth + 1) * ROW + 40
    out.write(
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans Mono, Menlo, monospace" '
        f'font-size="{FONT}">\n'
        f"<title>{escape(title)}</title>\n"
        f'<rect width="100%" height="100%" fill="#fdfdfb"/>\n'
        f'<text x="{PAD}" y="22" font-size="16">{escape(title)}</text>\n'
        f'<text x="{PAD}" y="42" fill="#444">{escape(_summary(tree))}</text>\n'
    )
    for frame in frames:
        out.write(frame)
    out.write(_legend(tree, height - 18))
    out.write("</svg>\n")
    return len(frames)


def _summary(tree: CallTree) -> str:
    unit = tree.unit
    kind = "diff against base, " if tree.is_diff else ""
    return (
        f"{tree.sample_type.type} ({unit}): {kind}total {format_value(tree.total, unit)}; "
        "width = share of samples, hover a frame for details"
    )


def _draw(tree: CallTree, frames: list[str], min_px: float) -> int:
    root = tree.root
    total = root.weight
    if total <= 0:
        return 0
    scale = (WIDTH - 2 * PAD) / total
    deepest = 0
    todo: list[tuple[Node, float]] = [(root, float(PAD))]
    while todo:
        node, x = todo.pop()
        w = node.weight * scale
        if w < min_px:
            continue
        deepest = max(deepest, node.depth)
        frames.append(_frame(tree, node, x, w))
        offset = x
        for child in node.kids:
            todo.append((child, offset))
            offset += child.weight * scale
    return deepest


def _frame(tree: CallTree, node: Node, x: float, w: float) -> str:
    y = TOP + node.depth * ROW
    unit = tree.unit
    name = "all samples" if node.parent is None else node.name
    details = [
        name,
        f"total {format_value(node.total, unit)} ({format_percent(tree.percent(node.total))})",
        f"self {format_value(node.self_value, unit)} "
        f"({format_percent(tree.percent(node.self_value))})",
    ]
    if node.parent is not None:
        details.append(node.origin.value)
    if node.location:
        details.append(node.location)
    label = _fit(f"{node.origin.mark} {name}" if node.parent is not None else name, w)
    text = f'<text x="{x + 3:.1f}" y="{y + ROW - 5}">{escape(label)}</text>' if label else ""
    return (
        f"<g><title>{escape(chr(10).join(details))}</title>"
        f'<rect x="{x:.2f}" y="{y}" width="{max(w - 0.5, 0.1):.2f}" height="{ROW - 1}" '
        f'rx="2" fill="{_fill(tree, node)}"/>{text}</g>\n'
    )


def _fit(label: str, w: float) -> str:
    room = int((w - 6) / CHAR)
    if room < 3:
        return ""
    return label if len(label) <= room else label[: room - 2] + ".."


def _fill(tree: CallTree, node: Node) -> str:
    if tree.is_diff and node.parent is not None:
        share = node.total / node.weight if node.weight else 0.0
        strength = int(200 * min(1.0, abs(share)))
        if share > 0:
            return f"rgb(255,{235 - strength},{235 - strength})"
        return f"rgb({235 - strength},{235 - strength // 2},255)"
    r, g, b = ORIGIN_COLOURS[node.origin] if node.parent is not None else (220, 220, 220)
    # A small stable shift per name keeps neighbouring frames of one origin apart.
    shift = zlib.crc32(node.name.encode()) % 24 - 12
    return f"rgb({_clamp(r + shift)},{_clamp(g + shift)},{_clamp(b + shift)})"


def _clamp(v: int) -> int:
    return max(0, min(255, v))


def _legend(tree: CallTree, y: int) -> str:
    items: list[tuple[str, str]]
    if tree.is_diff:
        items = [("rgb(255,60,60)", "grew"), ("rgb(60,140,255)", "shrank")]
    else:
        items = [(f"rgb{ORIGIN_COLOURS[o]}", f"{o.mark} {o.value}") for o in Origin]
    parts = []
    x = PAD
    for colour, text in items:
        parts.append(
            f'<rect x="{x}" y="{y - 11}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{x + 20}" y="{y}">{escape(text)}</text>'
        )
        x += 40 + int(len(text) * CHAR)
    return "<g>" + "".join(parts) + "</g>\n"
