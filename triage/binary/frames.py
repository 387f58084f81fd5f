"""The frame a symbolizer returns, and function names the way tracebacks print them."""

from __future__ import annotations

from typing import NamedTuple


class SymFrame(NamedTuple):
    """One source-level frame at a PC.

    ``func`` is the symbol name as stored in the binary (what ``go tool
    addr2line`` prints, e.g. ``main.Map[go.shape.int,go.shape.string]``);
    :attr:`print_name` is the name as a Go traceback prints it
    (``main.Map[...]``). ``file`` is empty and ``line`` 0 when only a symbol
    name is known (C code found through ``.symtab``).
    """

    func: str
    file: str
    line: int
    inlined: bool = False

    @property
    def print_name(self) -> str:
        """The name as the Go runtime prints it in a traceback."""
        return traceback_name(self.func)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``triage binary --pc``: func, file, line."""
        return {"func": self.func, "file": self.file, "line": self.line}


def traceback_name(name: str) -> str:
    """``runtime.printFuncName``: shape arguments become ``[...]``; gopanic is "panic"."""
    if name == "runtime.gopanic":
        return "panic"
    return print_name(name)


def print_name(name: str) -> str:
    """``runtime.funcNameForPrint``: hide generic type arguments behind ``[...]``.

    ``main.Map[go.shape.int]`` -> ``main.Map[...]``; a method of a generic type
    that is itself generic, ``p.T[int].M[string]``, keeps the text between the
    two bracket groups: ``p.T[...].M[...]``.
    """
    i = name.find("[")
    j = name.rfind("]")
    if i < 0 or j <= i:
        return name
    interior = name[i + 1 : j]
    if "[" not in interior:
        return name[:i] + "[...]" + name[j + 1 :]
    depth, rbr, lbr = 1, -1, -1
    for k, c in enumerate(interior):
        if c == "[":
            depth += 1
            if depth == 1:
                lbr = k
                break
        elif c == "]":
            depth -= 1
            if depth < 0:
                break
            if depth == 0:
                rbr = k
    if depth == 1 and rbr >= 0 and lbr > rbr:
        return name[:i] + "[...]" + interior[rbr + 1 : lbr] + "[...]" + name[j + 1 :]
    if depth == 1 and rbr == -1 and lbr == -1:
        return name[:i] + "[...]" + name[j + 1 :]
    return name
