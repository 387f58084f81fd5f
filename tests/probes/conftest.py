"""The live target for the probe tests: one leaky service per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.probes.fakes import FakeClock
from tests.support.targets import Service, leaky


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with leaky() as svc:
        yield svc


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
