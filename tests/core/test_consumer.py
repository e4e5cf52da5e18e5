"""Consuming the payments topic: create, retry, fail, ignore, adopt, reject."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryFault
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.outcomes import OutcomeAction
from adapters.core.service import PaymentService
from adapters.core.store import Store
from adapters.pagopa.notice import NoticeNumber, generate_notice

from .conftest import LANDING_URL, SERVICE_ID, TENANT_ID, FakeClock, creation_pending, raw


def published(bus: MemoryBus) -> list[PaymentEvent]:
    return [PaymentEvent.model_validate_json(v) for v in bus.messages("payments")]


async def test_creation_pending_becomes_payment_pending_with_links(
    service: PaymentService, bus: MemoryBus, fake: FakeIntermediary
) -> None:
    event = creation_pending()
    outcome = await service.handle_event(raw(event))
    assert outcome.action is OutcomeAction.CREATED
    assert await service.drain_outbox() == 1

    [out] = published(bus)
    pid = event["id"]
    assert out.status is PaymentStatus.PAYMENT_PENDING
    assert str(out.id) == pid
    assert out.event_id != uuid.UUID(event["event_id"])
    assert out.event_version == "2.0"
    assert out.app_id == "collaudo-payment-proxy:9.9.9"
    assert out.payment.iud == uuid.UUID(pid).hex  # IUD = payment id without dashes
    notice = NoticeNumber.parse(out.payment.notice_code or "")  # a valid check digit
    assert out.payment.iuv == notice.iuv
    assert out.links.online_payment_begin.url == f"https://proxy.test/online-payment/{pid}"
    assert out.links.offline_payment.url == f"https://proxy.test/notice/{pid}"
    assert out.links.receipt.url == f"https://proxy.test/receipt/{pid}"
    assert out.links.update.url == f"https://proxy.test/update/{pid}"
    assert out.links.online_payment_landing.url == LANDING_URL
    assert out.links.update.next_check_at is not None
    # Everything the platform sent is kept: payer, split, remote id.
    assert out.payer.family_name == "Bonaria"
    assert [s.code for s in out.payment.split or []] == ["c_1", "c_2"]
    assert str(out.remote_id) == event["remote_id"]
    # The message key keeps one service's events ordered.
    assert bus.keyed()[0][0] == str(SERVICE_ID).encode()
    assert fake.count("create_debt_position") == 1


async def test_redelivered_creation_pending_creates_one_position(
    service: PaymentService, fake: FakeIntermediary, store: Store
) -> None:
    event = creation_pending()
    await service.handle_event(raw(event))
    again = await service.handle_event(raw(event))
    # Same payment, a different event id (e.g. the dispatcher re-emitted it).
    third = await service.handle_event(raw({**event, "event_id": str(uuid.uuid4())}))
    assert again.action is OutcomeAction.IGNORED
    assert third.action is OutcomeAction.IGNORED and "already processed" in third.reason
    assert fake.count("create_debt_position") == 1
    assert len(fake.positions) == 1
    assert store.outbox_backlog() == 1


async def test_retriable_failures_then_success_create_one_position(
    service: PaymentService, fake: FakeIntermediary, store: Store, clock: FakeClock
) -> None:
    fake.fail_next(2, IntermediaryFault)
    event = creation_pending()
    pid = uuid.UUID(event["id"])
    first = await service.handle_event(raw(event))
    assert first.action is OutcomeAction.RETRY_SCHEDULED
    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.CREATION_PENDING
    assert stored.attempts == 1 and "fake create_debt_position failure" in (stored.last_error or "")
    assert store.exchanges_for(pid)[0]["operation"] == "create_debt_position"

    assert await service.poll_due(clock.now) == 0  # not due yet: backoff
    clock.advance(timedelta(minutes=1))
    await service.poll_due(clock.now)  # second failure
    clock.advance(timedelta(hours=1))
    await service.poll_due(clock.now)  # success

    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
    assert fake.count("create_debt_position") == 3
    assert len(fake.positions) == 1
    assert {iud for op, iud in fake.calls} == {pid.hex}  # every attempt, the same IUD
    assert service.metrics.processing_errors.labels(kind="external")._value.get() == 2


async def test_timeout_after_creation_is_retried_with_the_same_iud(
    service: PaymentService, fake: FakeIntermediary, store: Store, clock: FakeClock
) -> None:
    fake.timeout_after_create(1)  # created remotely, answer lost
    event = creation_pending()
    assert (await service.handle_event(raw(event))).action is OutcomeAction.RETRY_SCHEDULED
    clock.advance(timedelta(hours=1))
    await service.poll_due(clock.now)
    stored = store.get_payment(uuid.UUID(event["id"]))
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
    assert len(fake.positions) == 1
    assert [iud for _, iud in fake.calls] == [uuid.UUID(event["id"]).hex] * 2


async def test_permanent_failure_is_creation_failed_with_the_reason(
    service: PaymentService, fake: FakeIntermediary, bus: MemoryBus
) -> None:
    fake.reject_creations("PAA_SEMANTICA")
    event = creation_pending()
    outcome = await service.handle_event(raw(event))
    assert outcome.action is OutcomeAction.FAILED
    await service.drain_outbox()
    [out] = published(bus)
    assert out.status is PaymentStatus.CREATION_FAILED
    assert out.status_reason is not None and "PAA_SEMANTICA" in out.status_reason
    assert out.reason == event["reason"]  # the causale is not overwritten
    assert json.loads(bus.messages()[0])["status_reason"] == out.status_reason


async def test_retries_give_up_into_creation_failed(
    service: PaymentService, fake: FakeIntermediary, store: Store, clock: FakeClock
) -> None:
    fake.fail_next(100)
    event = creation_pending()
    await service.handle_event(raw(event))
    for _ in range(30):
        clock.advance(timedelta(hours=1))
        await service.poll_due(clock.now)
    stored = store.get_payment(uuid.UUID(event["id"]))
    assert stored is not None and stored.status is PaymentStatus.CREATION_FAILED
    assert "gave up after 20 attempts" in (stored.event.status_reason or "")


async def test_split_that_does_not_add_up_fails_creation_as_internal_error(
    service: PaymentService, fake: FakeIntermediary
) -> None:
    event = creation_pending()
    event["payment"]["split"] = [{"code": "c_1", "amount": 1.0}]
    outcome = await service.handle_event(raw(event))
    assert outcome.action is OutcomeAction.FAILED
    assert "split amounts add up to 1.00, the payment amount is 20.00" in outcome.reason
    assert fake.count("create_debt_position") == 0
    assert service.metrics.processing_errors.labels(kind="internal")._value.get() == 1


async def test_no_active_configuration_is_ignored(
    service: PaymentService, store: Store, fake: FakeIntermediary
) -> None:
    other_service = creation_pending(service_id=str(uuid.uuid4()))
    assert (await service.handle_event(raw(other_service))).action is OutcomeAction.IGNORED
    svc_config = store.get_service(SERVICE_ID)
    assert svc_config is not None
    store.put_service(svc_config.model_copy(update={"active": False}))  # soft-deleted
    outcome = await service.handle_event(raw(creation_pending()))
    assert outcome.action is OutcomeAction.IGNORED and "no active configuration" in outcome.reason
    assert fake.calls == []


async def test_bad_events_are_rejected_counted_and_the_consumer_goes_on(
    service: PaymentService, store: Store
) -> None:
    good = creation_pending()
    missing_amount = creation_pending()
    del missing_amount["payment"]["amount"]
    messages = [
        b"{not json",
        b"[1, 2]",
        raw(creation_pending(event_version="1.0")),
        raw(creation_pending(type="STAMP_ONLY")),
        raw(missing_amount),
        raw(creation_pending(tenant_id="not-a-uuid")),
        raw(good),
    ]
    outcomes = [await service.handle_event(m) for m in messages]
    assert [o.action for o in outcomes] == [OutcomeAction.REJECTED] * 6 + [OutcomeAction.CREATED]
    assert "payment.amount: Field required" in outcomes[4].reason
    assert "event_version '1.0' is not supported" in outcomes[2].reason
    rejected = service.metrics.events_rejected
    assert rejected.labels(reason="not_json")._value.get() == 2
    assert rejected.labels(reason="event_version")._value.get() == 1
    assert rejected.labels(reason="type")._value.get() == 1
    assert rejected.labels(reason="malformed")._value.get() == 2
    assert service.metrics.processing_errors.labels(kind="internal")._value.get() == 6
    assert store.count_payments() == 1


async def test_own_published_events_are_ignored_when_they_come_back(
    service: PaymentService, bus: MemoryBus, fake: FakeIntermediary
) -> None:
    await service.handle_event(raw(creation_pending()))
    await service.drain_outbox()
    [own] = bus.messages()
    assert (await service.handle_event(own)).reason == "own event (app_id)"
    # Even under another app_id (e.g. rewritten by a relay), its event_id is known.
    relayed = json.loads(own)
    relayed["app_id"] = "relay:1"
    outcome = await service.handle_event(json.dumps(relayed).encode())
    assert outcome.action is OutcomeAction.IGNORED
    assert fake.count("create_debt_position") == 1


async def test_already_processed_payment_pending_is_ignored(
    service: PaymentService, bus: MemoryBus, store: Store
) -> None:
    await service.handle_event(raw(creation_pending()))
    await service.drain_outbox()
    echoed = json.loads(bus.messages()[0])
    echoed.update(event_id=str(uuid.uuid4()), app_id="payment-updater:2.0")
    outcome = await service.handle_event(json.dumps(echoed).encode())
    assert outcome.action is OutcomeAction.IGNORED and "already processed" in outcome.reason
    assert store.outbox_backlog() == 0


async def test_foreign_payment_pending_with_configuration_is_adopted(
    service: PaymentService, store: Store, fake: FakeIntermediary, clock: FakeClock
) -> None:
    valid = generate_notice(3, "0000000000001", segregation_code="02").notice_number
    event = creation_pending(status="PAYMENT_PENDING", app_id="other-proxy:1.0")
    event["payment"]["notice_code"] = valid
    outcome = await service.handle_event(raw(event))
    assert outcome.action is OutcomeAction.ADOPTED
    stored = store.find_by_notice(TENANT_ID, valid)
    assert stored is not None and stored.origin == "adopted"
    assert stored.position is not None and stored.position.iuv == valid[1:]
    assert stored.next_check_at is not None  # polled from now on
    assert store.outbox_backlog() == 0  # nothing changed, nothing to announce
    assert fake.calls == []

    bad = creation_pending(status="PAYMENT_PENDING", app_id="other-proxy:1.0")
    bad["payment"]["notice_code"] = "302000000000000199"
    rejected = await service.handle_event(raw(bad))
    assert rejected.action is OutcomeAction.REJECTED and "cifre di controllo" in rejected.reason
