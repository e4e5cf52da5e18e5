"""Status polling: exponential backoff from minutes to at most daily, then EXPIRED."""

from __future__ import annotations

import uuid
from datetime import timedelta

from adapters.core.backoff import POLLING, Backoff
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryUnavailable
from adapters.core.models import PaymentStatus
from adapters.core.service import PaymentService
from adapters.core.store import Store

from .conftest import FakeClock, creation_pending, raw


def test_polling_schedule_starts_in_minutes_and_caps_at_a_day() -> None:
    schedule = POLLING.schedule(14)
    assert schedule[:4] == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert all(b >= a for a, b in zip(schedule, schedule[1:], strict=False))
    assert schedule[-1] == timedelta(days=1)
    assert POLLING.delay(10_000) == timedelta(days=1)  # no overflow, still daily


def test_backoff_rejects_nonsense() -> None:
    import pytest

    with pytest.raises(ValueError, match="0 < first <= maximum"):
        Backoff(first=timedelta(hours=2), maximum=timedelta(hours=1))


async def test_poller_follows_the_backoff_until_expiry_then_expired(
    service: PaymentService, store: Store, clock: FakeClock, fake: FakeIntermediary
) -> None:
    event = creation_pending(expire_in=timedelta(days=3))
    pid = uuid.UUID(event["id"])
    await service.handle_event(raw(event))
    gaps: list[timedelta] = []
    last = clock.now
    for _ in range(200):
        stored = store.get_payment(pid)
        assert stored is not None
        if stored.status is not PaymentStatus.PAYMENT_PENDING:
            break
        assert stored.next_check_at is not None
        clock.now = stored.next_check_at
        assert await service.poll_due(clock.now) == 1
        gaps.append(clock.now - last)
        last = clock.now
    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.EXPIRED
    assert stored.next_check_at is None
    assert "not paid by" in (stored.event.status_reason or "")
    assert gaps[:3] == [timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert max(gaps) <= timedelta(days=1)
    assert clock.now == stored.event.payment.expire_at  # the last check is at the deadline
    assert fake.count("status") == len(gaps)
    # Nothing is polled after the end.
    clock.advance(timedelta(days=5))
    assert await service.poll_due(clock.now) == 0


async def test_payment_seen_paid_by_polling_is_complete(
    service: PaymentService, store: Store, clock: FakeClock, fake: FakeIntermediary
) -> None:
    event = creation_pending()
    pid = uuid.UUID(event["id"])
    await service.handle_event(raw(event))
    fake.pay(pid)
    clock.advance(timedelta(minutes=3))
    await service.poll_due(clock.now)
    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.COMPLETE


async def test_failed_check_moves_the_schedule_on(
    service: PaymentService, store: Store, clock: FakeClock, fake: FakeIntermediary
) -> None:
    event = creation_pending()
    pid = uuid.UUID(event["id"])
    await service.handle_event(raw(event))
    fake.fail_next(1, IntermediaryUnavailable)
    clock.advance(timedelta(minutes=3))
    assert await service.poll_due(clock.now) == 1
    stored = store.get_payment(pid)
    assert stored is not None and stored.status is PaymentStatus.PAYMENT_PENDING
    assert stored.next_check_at is not None and stored.next_check_at > clock.now
    assert "fake status failure" in (stored.last_error or "")
