"""The request and reply types passed between the HTTP layer and the handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from triage.kubeserver.authz import User
from triage.kubeserver.resources import ResourceType

JSON = dict[str, Any]
JSON_TYPE = "application/json"


@dataclass
class Request:
    """One API request after authentication."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    user: User
    alive: Callable[[], bool]
    query: list[tuple[str, str]] = field(default_factory=list)  # repeated params kept

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``true``/``1``)."""
        return self.params.get(name, "").lower() in ("true", "1")

    def header(self, name: str) -> str:
        """A request header by case-insensitive name ("" when absent)."""
        return self.headers.get(name.lower(), "")

    @property
    def accept(self) -> str:
        """The Accept header ("" when absent)."""
        return self.header("Accept")


@dataclass
class Target:
    """A resource URL: the type, namespace (None = all), name and subresource."""

    rtype: ResourceType
    namespace: str | None
    name: str = ""
    sub: str = ""


@dataclass
class Reply:
    """An answer: a complete body, or a chunked ``stream`` of bytes."""

    code: int = 200
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterator[bytes] | None = None
    # A 101 Switching Protocols reply hands the connection (rfile, wfile) over.
    upgrade: Callable[[BinaryIO, BinaryIO], None] | None = None
