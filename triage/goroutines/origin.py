"""Where a Go function comes from, for goroutine frames.

The classification itself is triage.pprof.origin's (one rule set for flame
graphs and dumps). A dump adds one clue profiles lack: each frame's file. Without
a known main module, a dotted package whose files are not in a module cache
(``/pkg/mod/``, ``@vX``) or ``vendor/`` is the service's own code (a monorepo
package beside main), not a dependency.
"""

from __future__ import annotations

import re
from functools import lru_cache

from triage.pprof.origin import Origin
from triage.pprof.origin import classify as classify_name

__all__ = ["Origin", "classify", "is_user", "package_of", "split_func"]

_CLOSURE = re.compile(r"^(?:func\d+|gowrap\d+|\d+)$")


@lru_cache(maxsize=65536)
def split_func(func: str) -> tuple[str, str, str]:
    """Split ``pkg.(*Recv).Name`` into (package, receiver, name); ``%2e`` is unescaped."""
    slash = func.rfind("/", 0, func.find("[") if "[" in func else len(func))
    dot = func.find(".", slash + 1)
    if dot < 0:
        return "", "", func
    pkg = func[:dot].replace("%2e", ".")
    rest = func[dot + 1 :]
    if rest.startswith("("):
        close = rest.find(")")
        if close > 0 and rest[close + 1 : close + 2] == ".":
            return pkg, rest[1:close], rest[close + 2 :]
    first, sep, tail = rest.partition(".")
    if sep and not _CLOSURE.match(tail.split(".")[0]) and first[:1].isupper():
        return pkg, first, tail
    return pkg, "", rest


def package_of(func: str) -> str:
    """The import path of ``func``'s package."""
    return split_func(func)[0]


def _in_module_cache(file: str) -> bool:
    return "/pkg/mod/" in file or "@v" in file or "/vendor/" in file


def _runtime_source(file: str) -> bool:
    """A file of the Go runtime's own source (``.../src/runtime/``, ``src/pkg/runtime`` before
    Go 1.4, ``runtime/`` with -trimpath), or C/assembly, which only the runtime compiles."""
    return (
        "/src/runtime/" in file
        or "/src/pkg/runtime/" in file
        or file.startswith("runtime/")
        or file.endswith((".c", ".s"))
    )


@lru_cache(maxsize=65536)
def classify(func: str, file: str = "", main_module: str = "") -> Origin:
    """The origin of a frame, using its file when the main module is unknown.

    A function printed without a package is the runtime's when its file is: the
    C runtime of Go 1.4 and older (``runfinq()`` in ``mgc0.c``) and ``panic(...)``
    (runtime.gopanic as tracebacks print it) name no package.
    """
    origin = classify_name(func, main_module or None)
    if origin is Origin.UNKNOWN and file and _runtime_source(file):
        return Origin.RUNTIME
    if origin is Origin.DEPENDENCY and not main_module and file and not _in_module_cache(file):
        return Origin.OWN
    return origin


def is_user(func: str, file: str = "", main_module: str = "") -> bool:
    """True for code the service's engineers wrote or chose (not runtime or stdlib)."""
    return classify(func, file, main_module) in (Origin.OWN, Origin.DEPENDENCY)
