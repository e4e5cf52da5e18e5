"""``PATCH /cancel/{id}`` (links.cancel): the intermediary withdraws the position first, the
payment becomes CANCELED once; a paid position is refused and stays paid; drivers without
cancellation are told so."""

from __future__ import annotations

import uuid

import httpx
from starlette.applications import Starlette

from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import (
    Cancellable,
    DebtPosition,
    DebtPositionRequest,
    PositionContext,
    PositionStatus,
    Receipt,
    ReturnUrls,
)
from adapters.core.models import PaymentStatus
from adapters.core.service import PaymentService
from tests.api.conftest import AUTH
from tests.api.test_citizen_links import _created


async def test_links_cancel_points_at_the_proxy_and_cancels_once(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary
) -> None:
    payment_id = await _created(service)
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.event.links.cancel is not None
    link = stored.event.links.cancel
    assert link.url and link.url.endswith(f"/cancel/{payment_id}") and link.method == "PATCH"
    assert (await configured.patch(f"/cancel/{payment_id}")).status_code == 401
    response = await configured.patch(
        f"/cancel/{payment_id}", json={"reason": "pratica ritirata"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["status"] == "CANCELED" and "pratica ritirata" in event["status_reason"]
    assert fake.count("cancel_position") == 1
    events = len(service.store.published_events(payment_id)) + service.store.outbox_backlog()
    again = await configured.patch(f"/cancel/{payment_id}", headers=AUTH)
    assert again.status_code == 200 and again.json()["status"] == "CANCELED"
    assert fake.count("cancel_position") == 1  # nothing asked, nothing published
    after = len(service.store.published_events(payment_id)) + service.store.outbox_backlog()
    assert after == events


async def test_a_paid_position_is_not_cancelled_and_the_payment_completes(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary
) -> None:
    payment_id = await _created(service)
    fake.pay(payment_id)
    response = await configured.patch(f"/cancel/{payment_id}", headers=AUTH)
    assert response.status_code == 502 and "cannot be cancelled" in response.text
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.COMPLETE
    response = await configured.patch(f"/cancel/{payment_id}", headers=AUTH)
    assert response.status_code == 409 and "in attesa di essere pagato" in response.text


async def test_bad_bodies_and_unknown_payments(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    payment_id = await _created(service)
    for body in (b"[1]", b"{not json", b'{"reason": ""}', b'{"reason": 7}'):
        response = await configured.patch(f"/cancel/{payment_id}", content=body, headers=AUTH)
        assert response.status_code == 400 and "reason" in response.json()["detail"]
    response = await configured.patch(f"/cancel/{uuid.uuid4()}", headers=AUTH)
    assert response.status_code == 404


class FiveVerbs:
    """An intermediary with the five verbs only."""

    def __init__(self, inner: FakeIntermediary) -> None:
        self.inner = inner
        self.name = "five-verbs"

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        return await self.inner.create_debt_position(request)

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        return await self.inner.checkout_url(ctx, return_urls)

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        return await self.inner.notice_pdf(ctx)

    async def status(self, ctx: PositionContext) -> PositionStatus:
        return await self.inner.status(ctx)

    async def receipt(self, ctx: PositionContext) -> Receipt:
        return await self.inner.receipt(ctx)


async def test_a_driver_without_cancellation_offers_no_link_and_says_why(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary, app: Starlette
) -> None:
    service.intermediary = FiveVerbs(fake)
    assert not isinstance(service.intermediary, Cancellable)
    payment_id = await _created(service)
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.event.links.cancel is None
    response = await configured.patch(f"/cancel/{payment_id}", headers=AUTH)
    assert response.status_code == 409 and "console" in response.json()["detail"]
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
