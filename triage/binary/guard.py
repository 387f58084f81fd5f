"""The one boundary where a damaged binary's failures become BadInput.

Every reader here works on bytes the user handed in: a field that points past
the file, an address of 2^64-1 that overflows a ``struct`` word, a DWARF
abbreviation table that does not exist. Our own readers then fail with the
data-shaped built-in errors (``struct.error``, IndexError, OverflowError...);
pyelftools fails with those and with anything else (AssertionError,
AttributeError, TypeError from half-parsed structures). Each public entry point
of :mod:`triage.binary` runs its work inside :func:`corrupt_input`, so only
:class:`~triage.errors.TriageError` leaves the package, as one line naming the
file and the table that is damaged. A programming error in our own code (an
AttributeError raised outside pyelftools and outside its results) still
surfaces as an internal error rather than being blamed on the file.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager

from triage.errors import BadInput, TriageError

HINT = "copy the binary again (kubectl cp can cut files short)"

#: what a parser of untrusted bytes raises when the bytes lie
DATA_ERRORS: tuple[type[BaseException], ...] = (
    struct.error,
    IndexError,
    KeyError,
    ValueError,  # includes UnicodeDecodeError
    OverflowError,
    ZeroDivisionError,
    RecursionError,
    EOFError,
)


@contextmanager
def corrupt_input(
    name: str, what: str, hint: str = HINT, *, foreign: bool = False
) -> Iterator[None]:
    """Turn a damaged ``what`` of binary ``name`` into one BadInput line.

    ``foreign`` marks code that walks pyelftools' own structures, where any
    exception is the library's reaction to a corrupt file.
    """
    try:
        yield
    except TriageError:
        raise
    except DATA_ERRORS as exc:
        raise _bad(name, what, hint, exc) from None
    except Exception as exc:
        if foreign or _from_elftools(exc):
            raise _bad(name, what, hint, exc) from None
        raise


def _bad(name: str, what: str, hint: str, exc: BaseException) -> BadInput:
    detail = str(exc).splitlines()[0][:80] if str(exc) else ""
    kind = type(exc).__name__
    if type(exc).__module__ not in ("builtins", "exceptions"):
        kind = f"{type(exc).__module__.split('.')[0]}.{kind}"
    return BadInput(f"{name}: corrupt {what} ({kind}{': ' + detail if detail else ''})", hint)


def _from_elftools(exc: BaseException) -> bool:
    """True when the exception was raised inside pyelftools."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith("elftools."):
            return True
        tb = tb.tb_next
    return False
