"""Fixtures: the MyPay simulator in-process and on a loopback port, zeep clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from simulators.common.server import BackgroundServer, serving
from simulators.mypay import contracts
from simulators.mypay.app import MyPaySimulator, Settings, create_app
from tests.contracts_env import needs_official
from tests.simulators.mypay.helpers import BINDING

needs_contracts = needs_official(contracts.WSDL_FILE, contracts.DOCUMENTS_XSD)


@pytest.fixture
def app() -> Any:
    return create_app(Settings())


@pytest.fixture
def sim(app: Any) -> MyPaySimulator:
    simulator: MyPaySimulator = app.state.simulator
    return simulator


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Any, BackgroundServer]]:
    """One simulator on a loopback port for the module (reset between tests)."""
    application = create_app(Settings())
    with serving(application) as running:
        yield application, running


@pytest.fixture
def live(served: tuple[Any, BackgroundServer]) -> BackgroundServer:
    application, running = served
    application.state.simulator.reset()
    application.state.simulator.faults.clear()
    return running


@pytest.fixture
def live_sim(served: tuple[Any, BackgroundServer], live: BackgroundServer) -> MyPaySimulator:
    simulator: MyPaySimulator = served[0].state.simulator
    return simulator


def zeep_service(base_url: str) -> Any:
    """A zeep service built from the **official** WSDL, pointed at the simulator."""
    from zeep import Client
    from zeep import Settings as ZeepSettings

    wsdl = str(contracts.contract_file(contracts.WSDL_FILE))
    client = Client(wsdl, settings=ZeepSettings(strict=True, forbid_dtd=True, forbid_entities=True))
    return client.create_service(BINDING, f"{base_url}/ws/pa")


@pytest.fixture
def service(live: BackgroundServer) -> Any:
    return zeep_service(live.url)
