"""Where a frame's code comes from: the Go runtime, the standard library, a
dependency, or the service's own module.

Go symbol names carry the full import path of their package
(``github.com/lib/pq.(*conn).query``, ``net/http.(*conn).serve``,
``main.main.func1``); the linker escapes dots in the last path element as
``%2e``, so the package is everything up to the first dot after the last slash.

The service's own module is not written in a profile. Unless given, it is
inferred (:func:`infer_main_module`) from the file paths of ``main`` package
functions: an own package ``example.com/shop/internal/store`` whose files sit in
``/src/shop/internal/store`` has its module root at ``/src/shop`` (the path minus
the import path's matching tail) and that root holds the main package's
directory, so the module is ``example.com/shop``. Files under a module cache
(``/pkg/mod/``, ``@v``) or a ``vendor/`` tree are never own code. When no such
package is seen, only ``main`` counts as own code, which is then the truth for
that profile.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Origin(enum.Enum):
    """The origin classes, in legend order; ``value`` is the legend text."""

    OWN = "own module"
    DEPENDENCY = "dependency"
    STDLIB = "standard library"
    RUNTIME = "runtime"
    UNKNOWN = "unsymbolized"

    @property
    def mark(self) -> str:
        """A one-character cue that does not rely on colour (for legends and rows)."""
        return _MARKS[self]


_MARKS = {
    Origin.OWN: "*",
    Origin.DEPENDENCY: "+",
    Origin.STDLIB: "=",
    Origin.RUNTIME: "~",
    Origin.UNKNOWN: "?",
}

_RUNTIME_PACKAGES = ("runtime", "internal/runtime", "runtime/internal", "runtime/cgo")


def package_of(name: str) -> str:
    """The import path of a Go function's package ("" for unsymbolized frames)."""
    slash = name.rfind("/", 0, _first_bracket(name))
    dot = name.find(".", slash + 1)
    if dot <= 0:
        return ""
    return name[:dot]


def _first_bracket(name: str) -> int:
    """Slashes inside generic type arguments (``F[go.shape.*net/http.Request]``) don't count."""
    cut = name.find("[")
    return len(name) if cut < 0 else cut


def classify(name: str, main_module: str | None = None) -> Origin:
    """The origin of the function called ``name``.

    A goroutine flame graph's state leaf (``[chan receive]``) is no function, but
    it is not unsymbolized either: it is where the runtime parked the goroutine.
    """
    if name.startswith("[") and name.endswith("]"):
        return Origin.RUNTIME
    package = package_of(name)
    if not package:
        return Origin.UNKNOWN
    if package == "main" or (
        main_module and (package == main_module or package.startswith(main_module + "/"))
    ):
        return Origin.OWN
    if package in _RUNTIME_PACKAGES or package.startswith(
        ("runtime/internal/", "internal/runtime/")
    ):
        return Origin.RUNTIME
    first = package.split("/", 1)[0]
    if "." not in first:
        return Origin.STDLIB
    return Origin.DEPENDENCY


def infer_main_module(functions: Iterable[tuple[str, str]]) -> str | None:
    """Infer the main module's path from (function name, file name) pairs; see the module doc."""
    pairs = [(package_of(name), filename) for name, filename in functions if filename]
    main_dirs = {_dirname(f) for package, f in pairs if package == "main"}
    if not main_dirs:
        return None
    found: set[str] = set()
    for package, filename in pairs:
        if package in ("", "main") or "." not in package.split("/", 1)[0]:
            continue
        if "/pkg/mod/" in filename or "/vendor/" in filename or "@v" in filename:
            continue
        module = _module_for(package, _dirname(filename), main_dirs)
        if module:
            found.add(module)
    if not found:
        return None
    return min(found, key=lambda m: (len(m), m))


def _module_for(package: str, directory: str, main_dirs: set[str]) -> str | None:
    parts = package.split("/")
    dirs = directory.split("/")
    for tail in range(len(parts)):
        if tail and (tail > len(dirs) or parts[-tail] != dirs[-tail]):
            return None
        root = "/".join(dirs[: len(dirs) - tail])
        if any(d == root or d.startswith(root + "/") for d in main_dirs):
            return "/".join(parts[: len(parts) - tail])
    return None


def _dirname(path: str) -> str:
    cut = path.rfind("/")
    return path[:cut] if cut > 0 else ""
