"""Fixtures: the simulated world (once per session, reset per test) and fresh drivers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.drivers.stack import Stack, make_driver, start_stack


@pytest.fixture(scope="session")
def world() -> Iterator[Stack]:
    started = start_stack()
    try:
        yield started.stack
    finally:
        started.stop()


@pytest.fixture
def stack(world: Stack) -> Stack:
    world.reset()
    return world


@pytest.fixture(params=["mypay", "gpd"])
def driver_name(request: pytest.FixtureRequest, stack: Stack) -> str:
    name: str = request.param
    stack.route_creditor_to(name)
    return name


@pytest.fixture
async def driver(driver_name: str) -> AsyncIterator[Any]:
    instance = make_driver(driver_name)
    yield instance
    await instance.aclose()
