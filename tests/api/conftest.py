"""Fixtures: a proxy app on an in-memory store, a MemoryBus and a FakeIntermediary."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.api.app import create_app
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.service import PaymentService
from adapters.core.store import Store

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PUBLIC_URL = "http://proxy.test"
TENANT_ID = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
SERVICE_ID = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")
# A fiscal code with a valid check digit, and one personal codice fiscale.
CREDITOR_CF = "80000000002"
PAYER_CF = "RSSMRA80A01H501U"


def tenant_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(TENANT_ID),
        "name": "Comune di Bugliano",
        "tax_identification_number": CREDITOR_CF,
        "ipa_code": "c_bugliano",
    }
    body.update(changes)
    return body


def service_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(SERVICE_ID),
        "tenant_id": str(TENANT_ID),
        "payment_type": "pagopa",
        "remote_collection": {"id": str(uuid.uuid4()), "type": "service"},
        "amount": 20.0,
        "reason": "Diritti di segreteria",
        "expire_at": 30,
        "collection_data": "9/0101108TS/",
        "codice_tipo_dovuto": "DIRITTI_SEGRETERIA",
    }
    body.update(changes)
    return body


@pytest.fixture
def fake() -> FakeIntermediary:
    return FakeIntermediary()


@pytest.fixture
def store() -> Store:
    return Store.open(":memory:")


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus()


@pytest.fixture
def app(fake: FakeIntermediary, store: Store, bus: MemoryBus) -> Starlette:
    settings = ApiSettings(api_token=TOKEN, public_url=PUBLIC_URL)
    return create_app(settings, intermediary=fake, store=store, bus=bus, run_background=False)


@pytest.fixture
def service(app: Starlette) -> PaymentService:
    found: PaymentService = app.state.service
    return found


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        yield http


@pytest.fixture
async def configured(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client, with the demo tenant and service configured through the API."""
    response = await client.post("/tenants", json=tenant_body(), headers=AUTH)
    assert response.status_code == 201, response.text
    response = await client.post("/services", json=service_body(), headers=AUTH)
    assert response.status_code == 201, response.text
    return client
