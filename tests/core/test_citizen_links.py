"""The operations behind the citizen links, and the rule that only the intermediary says PAID."""

from __future__ import annotations

import uuid

import pytest

from adapters.core.bus import MemoryBus
from adapters.core.errors import PaymentStateError
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryUnavailable
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.service import PaymentNotFound, PaymentNotPaid, PaymentService
from adapters.core.store import Store

from .conftest import LANDING_URL, creation_pending, raw


async def created(service: PaymentService) -> uuid.UUID:
    event = creation_pending()
    await service.handle_event(raw(event))
    return uuid.UUID(event["id"])


def statuses(bus: MemoryBus) -> list[PaymentStatus]:
    return [PaymentEvent.model_validate_json(v).status for v in bus.messages()]


async def test_online_payment_redirects_and_moves_to_started(
    service: PaymentService, fake: FakeIntermediary, bus: MemoryBus, store: Store
) -> None:
    pid = await created(service)
    url = await service.begin_online_payment(pid)
    assert url.startswith("https://checkout.fake.invalid/pay/3")
    returns = fake.positions[pid.hex].return_urls
    assert returns is not None and returns.ok == f"https://proxy.test/landing/{pid}?outcome=ok"
    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_STARTED
    assert stored.event.links.online_payment_begin.last_opened_at is not None
    # A second click: same checkout, no second status change.
    await service.begin_online_payment(pid)
    await service.drain_outbox()
    assert statuses(bus) == [PaymentStatus.PAYMENT_PENDING, PaymentStatus.PAYMENT_STARTED]


async def test_callback_alone_never_completes_a_payment(
    service: PaymentService, fake: FakeIntermediary, store: Store, bus: MemoryBus
) -> None:
    pid = await created(service)
    event = await service.on_intermediary_callback(pid)  # "it's paid!" — but it is not
    assert event.status is PaymentStatus.PAYMENT_PENDING
    fake.pay(pid)
    event = await service.on_intermediary_callback(pid)
    assert event.status is PaymentStatus.COMPLETE
    assert event.payment.paid_at is not None
    assert event.payment.transaction_id == f"RT-{event.payment.iuv}"
    assert fake.count("status") == 2
    await service.drain_outbox()
    assert statuses(bus) == [PaymentStatus.PAYMENT_PENDING, PaymentStatus.COMPLETE]


async def test_update_publishes_only_on_change(
    service: PaymentService, fake: FakeIntermediary, store: Store
) -> None:
    pid = await created(service)
    await service.update(pid)
    await service.update(pid)
    assert store.outbox_backlog() == 1
    fake.cancel(pid)
    assert (await service.update(pid)).status is PaymentStatus.CANCELED
    assert store.outbox_backlog() == 2


async def test_receipt_is_409_until_paid_then_served(
    service: PaymentService, fake: FakeIntermediary
) -> None:
    pid = await created(service)
    with pytest.raises(PaymentNotPaid, match="PAYMENT_PENDING"):
        await service.receipt(pid)
    fake.pay(pid)
    receipt = await service.receipt(pid)  # asks the intermediary first, then fetches
    assert receipt.media_type == "application/xml" and receipt.iuv in receipt.content.decode()
    with pytest.raises(PaymentNotFound):
        await service.receipt(uuid.uuid4())


async def test_notice_pdf_is_a_pdf_and_records_the_download(
    service: PaymentService, store: Store
) -> None:
    pid = await created(service)
    pdf = await service.notice_pdf(pid)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    stored = store.get_payment(pid)
    assert stored is not None and stored.event.links.offline_payment.last_opened_at is not None


async def test_landing_checks_status_and_returns_platform_url(
    service: PaymentService, fake: FakeIntermediary, store: Store
) -> None:
    pid = await created(service)
    await service.begin_online_payment(pid)
    fake.pay(pid)
    assert await service.landing(pid) == LANDING_URL
    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.COMPLETE
    # The intermediary down does not strand the citizen on the proxy.
    other = await created(service)
    fake.fail_next(1, IntermediaryUnavailable)
    assert await service.landing(other) == LANDING_URL


async def test_operations_on_wrong_status_say_why(
    service: PaymentService, fake: FakeIntermediary
) -> None:
    fake.reject_creations()
    event = creation_pending()
    await service.handle_event(raw(event))
    with pytest.raises(PaymentStateError, match="CREATION_FAILED: non c.è nulla da pagare"):
        await service.begin_online_payment(uuid.UUID(event["id"]))
    with pytest.raises(PaymentStateError, match="non esiste ancora una posizione debitoria"):
        await service.notice_pdf(uuid.UUID(event["id"]))
