"""User-facing errors and the exit codes scripts rely on.

Every failure a user can cause or meet (bad input, an unreachable endpoint, a
forbidden request) is raised as a :class:`TriageError` carrying one line of text
that says what failed and what to try. The CLI prints that line and exits with
the error's code; the UI shows it in the status line. Nothing else reaches the
user.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3
EXIT_FORBIDDEN = 4


class TriageError(Exception):
    """A failure with a one-line, actionable message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        """The single line shown to the user."""
        return f"{self.message}; {self.hint}" if self.hint else self.message


class BadInput(TriageError):
    """The input is not what we can read (garbage, empty, wrong format, 404)."""

    exit_code = EXIT_BAD_INPUT


class Unreachable(TriageError):
    """A network endpoint could not be reached or did not answer in time."""

    exit_code = EXIT_UNREACHABLE


class Forbidden(TriageError):
    """The server refused the request for lack of permission (401/403, RBAC)."""

    exit_code = EXIT_FORBIDDEN
