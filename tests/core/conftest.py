"""Fixtures for the adapter core: a store (a SQLite file, and a PostgreSQL schema when
``COLLAUDO_TEST_POSTGRES`` names a server), the fake intermediary, a settable clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.core.bus import MemoryBus
from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.fake import FakeIntermediary
from adapters.core.service import PaymentService, ProxySettings
from adapters.core.store import Store

TENANT_ID = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
SERVICE_ID = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")
STAMP_SERVICE_ID = uuid.UUID("7d0c5a1e-2f4b-4c8e-9b3a-5e6f7a8b9c0d")
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
NOTIFY_URL = "http://platform.test/lang/api/applications/79501b2a/payment"
LANDING_URL = "http://platform.test/lang/it/pratiche/79501b2a/detail"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


def creation_pending(
    payment_id: uuid.UUID | None = None,
    *,
    created_at: datetime = START,
    expire_in: timedelta | None = timedelta(days=30),
    **overrides: Any,
) -> dict[str, Any]:
    """A CREATION_PENDING event v2 as the platform's dispatcher writes it."""
    pid = payment_id or uuid.uuid4()
    event: dict[str, Any] = {
        "id": str(pid),
        "user_id": str(uuid.uuid4()),
        "type": "PAGOPA",
        "tenant_id": str(TENANT_ID),
        "service_id": str(SERVICE_ID),
        "created_at": created_at.isoformat(),
        "updated_at": created_at.isoformat(),
        "status": "CREATION_PENDING",
        "reason": f"{pid} - BNRMHL75C06G702B",
        "remote_id": str(uuid.uuid4()),
        "payment": {
            "transaction_id": None,
            "paid_at": None,
            "expire_at": (created_at + expire_in).isoformat() if expire_in else None,
            "amount": 20.0,
            "currency": "EUR",
            "notice_code": None,
            "iud": None,
            "iuv": None,
            "split": [{"code": "c_1", "amount": 15.0, "meta": {}}, {"code": "c_2", "amount": 5.0}],
        },
        "links": {
            "online_payment_begin": {"url": None, "method": "GET"},
            "online_payment_landing": {"url": LANDING_URL, "method": "GET"},
            "offline_payment": {"url": None, "method": "GET"},
            "receipt": {"url": None, "method": "GET"},
            "notify": [{"url": NOTIFY_URL, "method": "POST", "sent_at": None}],
            "update": {"url": None, "last_check_at": None, "next_check_at": None, "method": "GET"},
        },
        "payer": {
            "type": "human",
            "tax_identification_number": "BNRMHL75C06G702B",
            "name": "Michele",
            "family_name": "Bonaria",
            "country_subdivision": "PI",
            "email": "michele@example.org",
        },
        "event_id": str(uuid.uuid4()),
        "event_version": "2.0",
        "event_created_at": created_at.isoformat(),
        "app_id": "payment-dispatcher:1.0.0",
    }
    event.update(overrides)
    return event


def raw(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which store the test runs on; a test bound to one parametrizes ``store_kind``."""
    return str(request.param)


@pytest.fixture
def store_location(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where ``Store.open`` finds a new, empty store of ``store_kind``."""
    if store_kind == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / ".collaudo" / "proxy.sqlite3")


@pytest.fixture
def store(store_location: str) -> Iterator[Store]:
    s = Store.open(store_location)
    s.put_tenant(
        TenantConfig(
            id=TENANT_ID, name="Comune di Bugliano", tax_identification_number="80000000002"
        )
    )
    s.put_service(ServiceConfig(id=SERVICE_ID, tenant_id=TENANT_ID, reason="Diritti", amount=20))
    s.put_service(
        ServiceConfig(id=STAMP_SERVICE_ID, tenant_id=TENANT_ID, payment_type="stamp", amount=16)
    )
    yield s
    s.close()


@pytest.fixture
def fake() -> FakeIntermediary:
    return FakeIntermediary()


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus()


@pytest.fixture
def platform_requests() -> list[httpx.Request]:
    return []


@pytest.fixture
async def service(
    store: Store,
    fake: FakeIntermediary,
    bus: MemoryBus,
    clock: FakeClock,
    platform_requests: list[httpx.Request],
) -> AsyncIterator[PaymentService]:
    def platform(request: httpx.Request) -> httpx.Response:
        platform_requests.append(request)
        return httpx.Response(204)

    http = httpx.AsyncClient(transport=httpx.MockTransport(platform))
    svc = PaymentService(
        store,
        fake,
        bus,
        ProxySettings(public_url="https://proxy.test", app_id="collaudo-payment-proxy:9.9.9"),
        clock=clock,
        http=http,
    )
    yield svc
    await http.aclose()
