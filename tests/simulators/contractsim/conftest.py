"""Contract simulator tests: small synthetic contracts written here (so nothing is tuned to
the official files) and, where present, the official ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from simulators.common.contracts import find, search_dir
from simulators.contractsim.app import Settings, create_app

HERE = Path(__file__).parent


def official(relative: str) -> Path:
    """The official contract file, or a skip naming how to get it."""
    path = find(relative)
    if path is None:
        pytest.skip(
            f"official contract {relative} not found in {search_dir()}: run `collaudo contracts "
            "fetch` (or set COLLAUDO_CONTRACTS_DIR) to run this test"
        )
    return path


def client_for(location: Path | str, **settings: object) -> TestClient:
    app = create_app(Settings(contract=str(location), **settings))  # type: ignore[arg-type]
    return TestClient(app)
