"""Notify: every status change is POSTed to each notify URL until it answers 2xx."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx

from adapters.core.bus import MemoryBus
from adapters.core.fake import FakeIntermediary
from adapters.core.service import PaymentService, ProxySettings
from adapters.core.store import Store

from .conftest import NOTIFY_URL, FakeClock, creation_pending, raw

SECOND_URL = "http://other.test/hook"


async def test_notification_retried_until_2xx_and_sent_at_recorded(
    store: Store, fake: FakeIntermediary, bus: MemoryBus, clock: FakeClock
) -> None:
    answers = {NOTIFY_URL: [503, 500, 200], SECOND_URL: [204]}
    received: list[tuple[str, dict[str, object]]] = []
    refusals = [1]

    def platform(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == NOTIFY_URL and refusals:
            refusals.pop()
            raise httpx.ConnectError("connection refused", request=request)
        received.append((url, json.loads(request.content)))
        return httpx.Response(answers[url].pop(0))

    async with httpx.AsyncClient(transport=httpx.MockTransport(platform)) as http:
        service = PaymentService(
            store, fake, bus, ProxySettings(public_url="https://proxy.test"), clock=clock, http=http
        )
        event = creation_pending()
        event["links"]["notify"].append({"url": SECOND_URL, "method": "POST"})
        pid = uuid.UUID(event["id"])
        await service.handle_event(raw(event))

        assert await service.deliver_notifications() == 1  # second URL ok, first refused
        for _ in range(10):
            clock.advance(timedelta(minutes=5))
            await service.deliver_notifications()

    assert [url for url, _ in received] == [SECOND_URL, NOTIFY_URL, NOTIFY_URL, NOTIFY_URL]
    assert all(body["status"] == "PAYMENT_PENDING" for _, body in received)
    assert answers == {NOTIFY_URL: [], SECOND_URL: []}  # no delivery after the 2xx
    deliveries = {d["url"]: d for d in store.notification_status(pid)}
    assert deliveries[NOTIFY_URL]["attempts"] == 4
    assert deliveries[NOTIFY_URL]["sent_at"] is not None
    assert deliveries[NOTIFY_URL]["last_error"] is None
    stored = store.get_payment(pid)
    assert stored is not None
    assert all(link.sent_at is not None for link in stored.event.links.notify)
    assert service.metrics.notifications.labels(result="retry")._value.get() == 3


async def test_notification_gives_up_after_the_policy_limit(
    store: Store, fake: FakeIntermediary, bus: MemoryBus, clock: FakeClock
) -> None:
    from adapters.core.backoff import Backoff

    policy = Backoff(timedelta(seconds=1), timedelta(seconds=1), max_attempts=3)
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(500))
    ) as http:
        service = PaymentService(
            store, fake, bus, ProxySettings(notify_retry=policy), clock=clock, http=http
        )
        event = creation_pending()
        await service.handle_event(raw(event))
        for _ in range(6):
            await service.deliver_notifications()
            clock.advance(timedelta(seconds=2))
    [delivery] = store.notification_status(uuid.UUID(event["id"]))
    assert delivery["attempts"] == 3 and delivery["sent_at"] is None
    assert delivery["next_attempt_at"] is None and delivery["last_error"] == (
        f"HTTP 500 from {NOTIFY_URL}"
    )


async def test_each_status_change_is_notified(
    service: PaymentService, fake: FakeIntermediary, platform_requests: list[httpx.Request]
) -> None:
    event = creation_pending()
    pid = uuid.UUID(event["id"])
    await service.handle_event(raw(event))
    await service.begin_online_payment(pid)
    fake.pay(pid)
    await service.update(pid)
    await service.deliver_notifications()
    assert [json.loads(r.content)["status"] for r in platform_requests] == [
        "PAYMENT_PENDING",
        "PAYMENT_STARTED",
        "COMPLETE",
    ]
    assert {r.method for r in platform_requests} == {"POST"}
