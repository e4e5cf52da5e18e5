"""Retention: old bookkeeping goes, payments and anything still in flight stay."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import Exchange
from adapters.core.models import PaymentStatus
from adapters.core.runtime import LOOPS, ProxyRuntime
from adapters.core.service import PaymentService, ProxySettings
from adapters.core.store import Store

from .conftest import FakeClock, creation_pending, raw

RETENTION = timedelta(days=90)


def rows(store: Store, table: str) -> int:
    """Rows in ``table``, read through the store's own connection (SQLite or PostgreSQL)."""
    return int(store._query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


async def paid_and_notified(
    service: PaymentService, fake: FakeIntermediary, clock: FakeClock
) -> uuid.UUID:
    """A payment created, published, notified, paid and published again: finished."""
    event = creation_pending(created_at=clock.now)
    pid = uuid.UUID(event["id"])
    await service.handle_event(raw(event))
    fake.pay(pid)
    clock.advance(timedelta(minutes=5))
    assert await service.poll_due(clock.now) == 1
    await service.drain_outbox()
    await service.deliver_notifications()
    return pid


async def test_old_history_goes_the_payment_and_recent_history_stay(
    service: PaymentService, store: Store, fake: FakeIntermediary, clock: FakeClock
) -> None:
    old = await paid_and_notified(service, fake, clock)
    history = [e.status for e in store.published_events(old)]
    assert history == [PaymentStatus.PAYMENT_PENDING, PaymentStatus.COMPLETE]
    assert rows(store, "seen_events") == 1 and rows(store, "notifications") == 2

    clock.advance(RETENTION + timedelta(days=1))
    recent = await paid_and_notified(service, fake, clock)
    # Two published events, one consumed event id, two delivered notifications.
    assert await service.prune_history() == 5
    assert store.published_events(old) == [] and store.notification_status(old) == []
    paid = store.get_payment(old)
    assert paid is not None and paid.status is PaymentStatus.COMPLETE  # the payment stays
    assert [e.status for e in store.published_events(recent)] == history
    assert len(store.notification_status(recent)) == 2
    assert rows(store, "seen_events") == 1  # the recent payment's consumed event
    assert await service.prune_history() == 0  # nothing left to do: the loop naps


async def test_unpublished_events_and_pending_notifications_are_never_pruned(
    service: PaymentService, store: Store, clock: FakeClock
) -> None:
    event = creation_pending(created_at=clock.now)
    pid = uuid.UUID(event["id"])
    await service.handle_event(raw(event))  # published to the outbox, not drained yet
    clock.advance(RETENTION * 3)
    service.store.prune(clock.now)  # even a cutoff past everything
    assert store.outbox_backlog() == 1
    assert [n["sent_at"] for n in store.notification_status(pid)] == [None]


async def test_exchanges_are_kept_for_the_retention_period(
    service: PaymentService, store: Store, clock: FakeClock
) -> None:
    pid = uuid.uuid4()
    for age in (RETENTION + timedelta(hours=1), RETENTION - timedelta(hours=1)):
        exchange = Exchange("http://mypay.test/ws", "paaSILImportaDovuto", clock.now - age, "<x/>")
        store.record_exchanges(pid, "create_debt_position", [exchange])
    assert await service.prune_history() == 1
    [kept] = store.exchanges_for(pid)
    assert kept["started_at"] == (clock.now - RETENTION + timedelta(hours=1)).isoformat()


async def test_pruning_goes_in_batches(store: Store, clock: FakeClock) -> None:
    pid = uuid.uuid4()
    exchanges = [Exchange("http://x", "op", clock.now - RETENTION * 2, "r") for _ in range(7)]
    store.record_exchanges(pid, "status", exchanges)
    batches = []
    while deleted := store.prune(clock.now - RETENTION, batch=3)["exchanges"]:
        batches.append(deleted)
    assert batches == [3, 3, 1]


async def test_zero_days_keeps_everything(
    store: Store, fake: FakeIntermediary, bus: MemoryBus, clock: FakeClock
) -> None:
    service = PaymentService(store, fake, bus, ProxySettings(retention_days=0), clock=clock)
    pid = uuid.uuid4()
    store.record_exchanges(pid, "status", [Exchange("http://x", "op", clock.now, "r")])
    clock.advance(RETENTION * 10)
    assert await service.prune_history() == 0
    assert len(store.exchanges_for(pid)) == 1
    await service.aclose()


def test_negative_retention_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match=r"retention_days must be 0 \(keep everything\) or more"):
        ProxySettings(retention_days=-1)


async def test_the_runtime_prunes_in_its_own_supervised_loop(
    service: PaymentService, store: Store, clock: FakeClock
) -> None:
    pid = uuid.uuid4()
    store.record_exchanges(pid, "status", [Exchange("http://x", "op", clock.now, "r")])
    clock.advance(RETENTION * 2)
    runtime = ProxyRuntime(service, prune_interval=3600)
    async with runtime:
        for _ in range(200):
            if not store.exchanges_for(pid):
                break
            await asyncio.sleep(0.01)
        assert store.exchanges_for(pid) == []
        assert "pruner" in LOOPS and runtime.health["pruner"].running  # napping, not done
    assert not runtime.health["pruner"].running
