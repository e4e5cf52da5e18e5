"""``GET /payments/{id}``: the operator's view, with the reason of a creation in trouble."""

from __future__ import annotations

import uuid

import httpx

from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryUnavailable
from adapters.core.service import PaymentService
from tests.api.conftest import AUTH
from tests.api.test_citizen_links import _created, creation_event


async def test_a_retried_creation_shows_attempts_and_the_last_error(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary
) -> None:
    fake.fail_next(1, IntermediaryUnavailable)
    payment_id = uuid.uuid4()
    outcome = await service.handle_event(creation_event(payment_id))
    assert outcome.action.value != "created"
    detail = (await configured.get(f"/payments/{payment_id}", headers=AUTH)).json()
    assert detail["event"]["status"] == "CREATION_PENDING"
    assert detail["processing"]["creation_attempts"] == 1
    assert detail["processing"]["last_error"]  # the reason, readable
    assert detail["processing"]["next_attempt_at"] is not None
    assert detail["position"] is None


async def test_a_created_payment_shows_its_debt_position(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    payment_id = await _created(service)
    response = await configured.get(f"/payments/{payment_id}", headers=AUTH)
    assert response.status_code == 200
    detail = response.json()
    assert detail["event"]["status"] == "PAYMENT_PENDING"
    assert detail["position"]["iud"] == payment_id.hex
    assert detail["position"]["notice_number"] == detail["event"]["payment"]["notice_code"]
    assert detail["processing"]["last_error"] is None


async def test_payment_detail_needs_the_token_and_a_known_id(
    configured: httpx.AsyncClient,
) -> None:
    unknown = uuid.uuid4()
    assert (await configured.get(f"/payments/{unknown}")).status_code == 401
    assert (await configured.get(f"/payments/{unknown}", headers=AUTH)).status_code == 404
    assert (await configured.get("/payments/not-a-uuid", headers=AUTH)).status_code in (400, 404)


async def test_payment_detail_serialises_notifications_with_their_times(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    payment_id = await _created(service)
    stored = service.store.get_payment(payment_id)
    assert stored is not None
    assert service.store.notification_status(payment_id) is not None
    response = await configured.get(f"/payments/{payment_id}", headers=AUTH)
    assert response.status_code == 200
    assert isinstance(response.json()["notifications"], list)
