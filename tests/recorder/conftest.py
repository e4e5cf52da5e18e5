"""Shared fixtures: the committed sample recordings and the simulators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import http

from collaudo.recorder import contracts
from collaudo.recorder.flows import read_flows
from collaudo.recorder.sample import World, sample_path, simulators
from tests.contracts_env import skip_unless_official

#: Values the samples' demo payer and credentials carry: none may be in a recording.
SECRETS = (
    "sim-password",
    "sim-subscription-key",
    "RSSMRA80A01H501U",
    "mario.rossi@example.org",
    "Rossi",
    "ROSSI",
    "Via Roma",
    "IT60X0542811101000000123456",
)


@pytest.fixture(scope="session")
def mypay_flows() -> list[http.HTTPFlow]:
    return read_flows(sample_path("mypay"))


@pytest.fixture(scope="session")
def gpd_flows() -> list[http.HTTPFlow]:
    return read_flows(sample_path("gpd"))


@pytest.fixture(scope="session")
def govpay_flows() -> list[http.HTTPFlow]:
    return read_flows(sample_path("govpay"))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with simulators() as running:
        yield running


def need_contracts(*names: str) -> None:
    files = [f for name in names for f in contracts.files(name)]
    skip_unless_official(*files)


def sample_bytes(name: str) -> bytes:
    return Path(sample_path(name)).read_bytes()  # type: ignore[arg-type]
