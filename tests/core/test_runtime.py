"""ProxyRuntime: the loops together on a MemoryBus, and a graceful stop."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta

from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.intermediary import IntermediaryError, PositionContext, PositionStatus
from adapters.core.models import PaymentEvent, PaymentStatus
from adapters.core.runtime import ProxyRuntime
from adapters.core.service import PaymentService

from .conftest import FakeClock, creation_pending, raw


async def wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def statuses(bus: MemoryBus) -> list[tuple[uuid.UUID, PaymentStatus]]:
    out = []
    for value in bus.messages():
        try:
            event = PaymentEvent.model_validate_json(value)
        except ValueError:
            continue
        out.append((event.id, event.status))
    return out


async def test_published_creation_pending_comes_back_as_payment_pending(
    service: PaymentService, bus: MemoryBus
) -> None:
    runtime = ProxyRuntime(service, poll_interval=0.05, notify_interval=0.05)
    await runtime.start()
    try:
        good = creation_pending()
        for message in (b"garbage", raw(creation_pending(event_version="1.0")), raw(good)):
            await bus.publish("payments", b"k", message)
        pid = uuid.UUID(good["id"])
        await wait_for(lambda: (pid, PaymentStatus.PAYMENT_PENDING) in statuses(bus))
        # Its own PAYMENT_PENDING came back on the topic and was ignored, then committed.
        await wait_for(lambda: bus.lag("payments", service.settings.consumer_group) == 0)
        assert statuses(bus).count((pid, PaymentStatus.PAYMENT_PENDING)) == 1
        assert service.metrics.events_rejected.labels(reason="not_json")._value.get() == 1
        assert runtime.health["consumer"].running
    finally:
        await runtime.stop()
    assert not runtime.running
    assert not any(h.running for h in runtime.health.values())


class SlowStatus(FakeIntermediary):
    entered = False

    async def status(self, ctx: PositionContext) -> PositionStatus:
        self.entered = True
        await asyncio.sleep(60)
        raise IntermediaryError("never")


async def test_stop_is_bounded_even_when_a_loop_hangs(
    service: PaymentService, clock: FakeClock
) -> None:
    slow = SlowStatus()
    service.intermediary = slow
    await service.handle_event(raw(creation_pending()))
    clock.advance(timedelta(hours=1))  # the first status check is due
    runtime = ProxyRuntime(service, shutdown_timeout=0.3, poll_interval=0.01)
    await runtime.start()
    await wait_for(lambda: slow.entered)
    started = time.monotonic()
    await runtime.stop()
    assert time.monotonic() - started < 2
    assert not runtime.running


async def test_consumer_commits_only_after_processing(
    service: PaymentService, bus: MemoryBus
) -> None:
    runtime = ProxyRuntime(service)
    await runtime.start()
    try:
        await bus.publish("payments", b"k", raw(creation_pending()))
        await wait_for(lambda: bus.committed("payments", service.settings.consumer_group) >= 1)
        assert service.store.count_payments() == 1
    finally:
        await runtime.stop()
    # Stopped proxies do not consume: a message published now waits for the next start.
    await bus.publish("payments", b"k", raw(creation_pending()))
    assert bus.lag("payments", service.settings.consumer_group) == 1
