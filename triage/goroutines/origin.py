"""Where a Go function comes from: the runtime, the standard library, a
dependency, or the service's own module.

Function names in tracebacks are ``<import path>.<rest>``; the linker escapes
dots in the last path element (``gopkg.in/yaml%2ev3.(*decoder).unmarshal``), so
the package ends at the first dot after the last slash.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache


class Origin(StrEnum):
    """The four origins the flame graph and the diagnosis care about."""

    RUNTIME = "runtime"
    STDLIB = "stdlib"
    DEPENDENCY = "dependency"
    OWN = "own"


_CLOSURE = re.compile(r"^(?:func\d+|gowrap\d+|\d+)$")


@lru_cache(maxsize=65536)
def split_func(func: str) -> tuple[str, str, str]:
    """Split ``pkg.(*Recv).Name`` into (package, receiver, name)."""
    slash = func.rfind("/")
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


_RUNTIME_PREFIXES = ("runtime/internal/", "internal/runtime/")


@lru_cache(maxsize=65536)
def classify(func: str, file: str = "", main_module: str = "") -> Origin:
    """Classify a frame by its function name (and file, where the name is ambiguous).

    A dotted first path element is not the standard library. Among those, the
    service's own module is ``main_module`` when known; otherwise code that is
    not under a module cache (``/pkg/mod/``, ``@vX``) or ``vendor/`` is taken
    to be the service's own (for example a monorepo package next to main).
    """
    pkg = package_of(func)
    if pkg == "runtime" or pkg.startswith(_RUNTIME_PREFIXES) or (not pkg and func == "goexit"):
        return Origin.RUNTIME
    if pkg == "main":
        return Origin.OWN
    first = pkg.split("/", 1)[0]
    if "." not in first:
        return Origin.STDLIB
    if main_module:
        if pkg == main_module or pkg.startswith(main_module + "/"):
            return Origin.OWN
        return Origin.DEPENDENCY
    if file and ("/pkg/mod/" in file or "@v" in file or "/vendor/" in file):
        return Origin.DEPENDENCY
    if file:
        return Origin.OWN
    return Origin.DEPENDENCY


def is_user(func: str, file: str = "", main_module: str = "") -> bool:
    """True for code the service's engineers wrote or chose (not runtime or stdlib)."""
    return classify(func, file, main_module) in (Origin.OWN, Origin.DEPENDENCY)
