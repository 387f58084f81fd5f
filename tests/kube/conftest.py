"""Helpers for tests of the API server: clients built from the fixture's kubeconfigs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from kubernetes import client, config

from tests.support import targets
from tests.support.kube import Kube

ClientFor = Callable[..., client.ApiClient]


@pytest.fixture
def api_for(kube: Kube) -> ClientFor:
    """``api_for(user="admin")`` -> an official ApiClient read from a kubeconfig file."""

    def make(user: str = "admin", token: str | None = None) -> client.ApiClient:
        path = kube.kubeconfig(user=user, token=token)
        return config.new_client_from_config(config_file=str(path))

    return make


@pytest.fixture(scope="session")
def nil_panic() -> str:
    """What a real Go program prints when it dies of a nil pointer dereference."""
    run = targets.crash("nil")
    assert run.returncode == 2
    return run.stderr
