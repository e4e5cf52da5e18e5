"""Citizen links against the FakeIntermediary: redirects, PDF, receipt before/after paying."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from adapters.core.fake import FAKE_CHECKOUT, FakeIntermediary
from adapters.core.intermediary import IntermediaryFault, IntermediaryUnavailable
from adapters.core.models import EVENT_VERSION, PaymentStatus
from adapters.core.service import PaymentService
from tests.api.conftest import PAYER_CF, SERVICE_ID, TENANT_ID

LANDING = "https://servizi.comune.bugliano.pi.it/pratiche/42/detail"


def creation_event(payment_id: uuid.UUID) -> bytes:
    now = datetime.now(UTC)
    return (
        f'{{"id": "{payment_id}", "type": "PAGOPA", "tenant_id": "{TENANT_ID}", '
        f'"service_id": "{SERVICE_ID}", "created_at": "{now.isoformat()}", '
        f'"updated_at": "{now.isoformat()}", "status": "CREATION_PENDING", '
        f'"reason": "Diritti di segreteria", '
        f'"payment": {{"amount": 20.0, "currency": "EUR", '
        f'"expire_at": "{(now + timedelta(days=30)).isoformat()}"}}, '
        f'"links": {{"online_payment_landing": {{"url": "{LANDING}", "method": "GET"}}}}, '
        f'"payer": {{"type": "human", "tax_identification_number": "{PAYER_CF}", '
        f'"name": "Mario", "family_name": "Rossi"}}, '
        f'"event_id": "{uuid.uuid4()}", "event_version": "{EVENT_VERSION}", '
        f'"event_created_at": "{now.isoformat()}", "app_id": "platform-sim:1.0"}}'
    ).encode()


async def _created(service: PaymentService) -> uuid.UUID:
    payment_id = uuid.uuid4()
    outcome = await service.handle_event(creation_event(payment_id))
    assert outcome.action.value == "created", outcome
    return payment_id


async def test_online_payment_redirects_to_checkout_and_starts_the_payment(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    payment_id = await _created(service)
    response = await configured.get(f"/online-payment/{payment_id}")
    assert response.status_code == 302
    assert response.headers["location"].startswith(FAKE_CHECKOUT)
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_STARTED


async def test_notice_and_its_alias_return_a_pdf(
    configured: httpx.AsyncClient, service: PaymentService
) -> None:
    payment_id = await _created(service)
    for path in (f"/notice/{payment_id}", f"/offline-payment/{payment_id}"):
        response = await configured.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


async def test_receipt_is_409_until_paid_then_the_rt(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary
) -> None:
    payment_id = await _created(service)
    unpaid = await configured.get(f"/receipt/{payment_id}")
    assert unpaid.status_code == 409
    assert unpaid.headers["content-type"].startswith("application/problem+json")
    assert "pagare prima" in unpaid.json()["detail"]

    fake.pay(payment_id)
    updated = await configured.get(f"/update/{payment_id}")
    assert updated.status_code == 200
    assert updated.json()["status"] == "COMPLETE"
    assert updated.json()["id"] == str(payment_id)

    paid = await configured.get(f"/receipt/{payment_id}")
    assert paid.status_code == 200
    assert paid.headers["content-type"].startswith("application/xml")
    assert b"<receipt>" in paid.content
    assert "attachment" in paid.headers["content-disposition"]


async def test_landing_checks_and_redirects_to_the_platform(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary
) -> None:
    payment_id = await _created(service)
    fake.pay(payment_id)
    response = await configured.get(f"/landing/{payment_id}?outcome=ok")
    assert response.status_code == 302
    assert response.headers["location"] == LANDING
    stored = service.store.get_payment(payment_id)
    assert stored is not None and stored.status is PaymentStatus.COMPLETE


async def test_unknown_payments_are_404_problems(configured: httpx.AsyncClient) -> None:
    for path in ("/receipt", "/notice", "/online-payment", "/update", "/landing"):
        response = await configured.get(f"{path}/{uuid.uuid4()}")
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await configured.get("/receipt/123")).status_code == 404


async def test_intermediary_failures_are_503_or_502_problems_without_traceback(
    configured: httpx.AsyncClient, service: PaymentService, fake: FakeIntermediary
) -> None:
    payment_id = await _created(service)
    fake.fail_next(1, IntermediaryUnavailable)
    down = await configured.get(f"/notice/{payment_id}")
    assert down.status_code == 503
    assert down.headers["retry-after"] == "30"
    assert "Traceback" not in down.text and "riprovare più tardi" in down.json()["detail"]
    fake.fail_next(1, IntermediaryFault)
    broken = await configured.get(f"/online-payment/{payment_id}")
    assert broken.status_code == 502
    assert "FAKE" in broken.json()["detail"]
