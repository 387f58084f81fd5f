"""Find a frame's source file under a checkout or module cache (``--source-root``).

Tracebacks carry the build machine's absolute paths (``/build/src/shop/db.go``,
``/root/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go``) or, with -trimpath,
module paths (``example.com/shop/db.go``). We try the path itself, then the
path's tail below each root, longest tail first.
"""

from __future__ import annotations

from pathlib import Path

MAX_TAIL = 6


def find_source(file: str, roots: list[Path]) -> Path | None:
    """The local copy of ``file`` under one of ``roots``, if there is one."""
    direct = Path(file)
    if direct.is_absolute() and direct.is_file():
        return direct
    parts = [p for p in Path(file).parts if p not in ("/", "")]
    for count in range(min(MAX_TAIL, len(parts)), 0, -1):
        tail = Path(*parts[-count:])
        for root in roots:
            candidate = root / tail
            if candidate.is_file():
                return candidate
    return None


def snippet(path: Path, line: int, context: int = 5) -> tuple[int, str]:
    """(first line number, text) of the lines around ``line``; empty text if unreadable."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return line, ""
    first = max(1, line - context)
    return first, "\n".join(lines[first - 1 : line + context])
