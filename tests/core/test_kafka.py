"""KafkaBus: keying, serialisation and commit logic always; a real broker when configured."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from adapters.core.kafka import BOOTSTRAP_ENV, KafkaBus, KafkaNotConfigured
from adapters.core.models import PaymentEvent
from adapters.core.store_rows import event_key

from .conftest import SERVICE_ID, creation_pending


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes


class FakeConsumer:
    def __init__(self, topic: str, **options: Any) -> None:
        self.topic, self.options = topic, options
        self.records = [Record(topic, 3, 41, b"k", b"a"), Record(topic, 3, 42, b"k", b"b")]
        self.commits: list[dict[Any, int]] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def commit(self, offsets: dict[Any, int]) -> None:
        self.commits.append(offsets)

    def __aiter__(self) -> FakeConsumer:
        return self

    async def __anext__(self) -> Record:
        if not self.records:
            raise StopAsyncIteration
        return self.records.pop(0)


class FakeProducer:
    def __init__(self, **options: Any) -> None:
        self.options = options
        self.sent: list[tuple[str, bytes, bytes]] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send_and_wait(self, topic: str, value: bytes, key: bytes) -> None:
        self.sent.append((topic, key, value))


def test_events_are_keyed_by_service_id_and_serialised_as_json() -> None:
    event = PaymentEvent.model_validate(creation_pending())
    assert event_key(event) == str(SERVICE_ID).encode()
    assert PaymentEvent.model_validate_json(event.to_json()) == event


async def test_publish_uses_an_idempotent_acks_all_producer() -> None:
    producers: list[FakeProducer] = []

    def factory(**options: Any) -> FakeProducer:
        producers.append(FakeProducer(**options))
        return producers[-1]

    bus = KafkaBus("broker:9092", producer_factory=factory)
    await bus.publish("payments", b"svc", b"{}")
    await bus.publish("payments", b"svc", b"{}")
    [producer] = producers  # started once, reused
    assert producer.options["acks"] == "all" and producer.options["enable_idempotence"]
    assert producer.sent == [("payments", b"svc", b"{}")] * 2
    await bus.close()


async def test_consumer_group_without_autocommit_commits_next_offset() -> None:
    consumers: list[FakeConsumer] = []

    def factory(topic: str, **options: Any) -> FakeConsumer:
        consumers.append(FakeConsumer(topic, **options))
        return consumers[-1]

    bus = KafkaBus("broker:9092", consumer_factory=factory)
    seen = []
    async for message in bus.subscribe("payments", "collaudo-payment-proxy"):
        seen.append((message.partition, message.offset, message.value))
        await message.commit()
    [consumer] = consumers
    assert consumer.options["group_id"] == "collaudo-payment-proxy"
    assert consumer.options["enable_auto_commit"] is False
    assert seen == [(3, 41, b"a"), (3, 42, b"b")]
    assert [list(c.values()) for c in consumer.commits] == [[42], [43]]
    assert [next(iter(c)).partition for c in consumer.commits] == [3, 3]
    assert consumer.stopped


def test_configuration_from_environment() -> None:
    with pytest.raises(KafkaNotConfigured, match=BOOTSTRAP_ENV):
        KafkaBus.from_env({})
    bus = KafkaBus.from_env(
        {
            BOOTSTRAP_ENV: "a:9092,b:9092",
            "COLLAUDO_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "COLLAUDO_KAFKA_SASL_MECHANISM": "PLAIN",
            "COLLAUDO_KAFKA_USERNAME": "proxy",
            "COLLAUDO_KAFKA_PASSWORD": "s3cret",
        }
    )
    options = bus.consumer_options("g")
    assert options["bootstrap_servers"] == "a:9092,b:9092"
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_plain_username"] == "proxy"
    assert "s3cret" not in repr(bus.__dict__.get("bootstrap_servers"))


@pytest.mark.kafka
@pytest.mark.skipif(not os.environ.get(BOOTSTRAP_ENV), reason=f"{BOOTSTRAP_ENV} is not set")
async def test_round_trip_through_a_real_broker() -> None:
    bus = KafkaBus.from_env()
    topic = f"collaudo-test-{uuid.uuid4().hex[:8]}"
    group = f"g-{uuid.uuid4().hex[:8]}"
    try:
        await bus.publish(topic, b"svc", b"first")
        await bus.publish(topic, b"svc", b"second")
        got: list[bytes] = []

        async def read(n: int, commit: bool) -> None:
            async for message in bus.subscribe(topic, group):
                got.append(message.value)
                if commit:
                    await message.commit()
                if len(got) >= n:
                    return

        await asyncio.wait_for(read(1, commit=True), timeout=30)
        await asyncio.wait_for(read(2, commit=False), timeout=30)
        # The group resumes after the committed "first"; "second" was not committed.
        await asyncio.wait_for(read(3, commit=True), timeout=30)
        assert got == [b"first", b"second", b"second"]
        assert await bus.ping()
    finally:
        await bus.close()
