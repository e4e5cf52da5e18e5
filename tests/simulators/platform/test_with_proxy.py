"""The platform simulator against the real adapter core: the contract holds both ways.

The proxy (PaymentService with the fake intermediary) reads what the platform
publishes, and its notify callbacks and topic events land in the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from pathlib import Path

import httpx
import lxml.html
import pytest

from adapters.core.bus import MemoryBus
from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.fake import FakeIntermediary
from adapters.core.service import PaymentService, ProxySettings
from adapters.core.store import Store
from simulators.platform.app import Settings, consume, create_app
from tests.simulators.platform.conftest import SUOLO, TENANT, application_body

GROUP = "collaudo-platform-sim"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "proxy.sqlite3")
    tenant = uuid.UUID(TENANT)
    store.put_tenant(
        TenantConfig(id=tenant, name="Comune di Bugliano", tax_identification_number="80000000002")
    )
    store.put_service(ServiceConfig(id=uuid.UUID(SUOLO), tenant_id=tenant, amount=20))
    return store


async def _settle(bus: MemoryBus) -> None:
    """Until the platform has read (and committed) everything on the topic."""
    for _ in range(200):
        if bus.lag("payments", GROUP) == 0:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the platform did not read the topic")


async def test_application_paid_through_the_proxy(store: Store) -> None:
    bus = MemoryBus()
    fake = FakeIntermediary()
    app = create_app(Settings(public_url="http://platform.test"), publisher=bus)
    platform = app.state.platform
    reader = asyncio.create_task(consume(platform, bus.subscribe("payments", GROUP)))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://platform.test"
    ) as http:
        service = PaymentService(
            store, fake, bus, ProxySettings(public_url="http://proxy.test"), http=http
        )
        created = (await http.post("/applications", json=application_body())).json()
        payment_id = uuid.UUID(created["payment_id"])
        (published,) = bus.messages()

        outcome = await service.handle_event(published)
        assert outcome.payment_id == payment_id, outcome
        await service.drain_outbox()
        assert await service.deliver_notifications() == 1
        await _settle(bus)

        latest = (await http.get(f"/payments/{payment_id}")).json()
        assert latest["status"] == "PAYMENT_PENDING"
        assert latest["links"]["online_payment_begin"]["url"].startswith("http://proxy.test/")
        page = lxml.html.fromstring((await http.get("/")).text)
        assert page.xpath("//a[@data-link='online_payment_begin']")

        fake.pay(payment_id)
        await service.update(payment_id)
        await service.drain_outbox()
        await service.deliver_notifications()
        await _settle(bus)

        assert (await http.get(f"/payments/{payment_id}")).json()["status"] == "COMPLETE"
        page = lxml.html.fromstring((await http.get("/")).text)
        assert page.xpath("//a[@data-link='receipt']/text()") == ["Scarica ricevuta"]
        (position,) = (await http.get("/_admin/positions")).json()
        vias = {(e["via"], e["status"]) for e in position["exchanges"]}
        # Each proxy version arrived both ways; one was stored, the other seen as duplicate.
        assert {("notify", "PAYMENT_PENDING"), ("topic", "PAYMENT_PENDING")} <= vias
        assert {("notify", "COMPLETE"), ("topic", "COMPLETE")} <= vias
        await service.aclose()
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader
