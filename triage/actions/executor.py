"""What the pipeline needs from a cluster: the Executor protocol (no kubernetes here).

``triage.cluster.executor.ClientExecutor`` implements it over the cluster
client. Every method speaks plain JSON; failures are
:class:`~triage.errors.TriageError` subclasses with the exit code the CLI
uses, and the three answers actions react to have their own types:
:class:`~triage.actions.model.NotFound` (404),
:class:`~triage.actions.model.Conflict` (409) and
:class:`~triage.actions.model.TooManyRequests` (429).
"""

from __future__ import annotations

from typing import Protocol

from triage.actions.model import JSON, ApiRequest, Check


class Executor(Protocol):
    """One cluster context, as the current user."""

    @property
    def context(self) -> str:
        """The kubeconfig context name."""
        ...

    def read(self, path: str, query: tuple[tuple[str, str], ...] = ()) -> JSON:
        """GET one object or one list page (lists follow ``continue`` inside)."""
        ...

    def send(self, request: ApiRequest, *, dry_run: bool = False) -> JSON:
        """Send a request (``dryRun=All`` added when ``dry_run``); the answer's JSON."""
        ...

    def allowed(self, check: Check) -> tuple[bool, str]:
        """A SelfSubjectAccessReview: (allowed, the server's reason)."""
        ...

    def identity(self) -> str:
        """Who we are: SelfSubjectReview's username, else the kubeconfig user."""
        ...
