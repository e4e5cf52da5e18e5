"""Where the platform's payment events go, and where it reads the proxy's from.

The publisher is injected: ``collaudo up`` hands over the proxy's in-process
bus; standalone the simulator uses Kafka when ``COLLAUDO_KAFKA_BOOTSTRAP`` is
set, and otherwise keeps the events in memory (``GET /events``). Whatever
the destination, :class:`Outbox` remembers what was published so a person
can see it.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

logger = logging.getLogger(__name__)

TOPIC = "payments"
CONSUMER_GROUP = "collaudo-platform-sim"


class EventPublisher(Protocol):
    """Anything that can put one message on a topic (the proxy's ``Bus`` fits)."""

    async def publish(self, topic: str, key: bytes, value: bytes) -> None: ...


class _Message(Protocol):
    @property
    def value(self) -> bytes: ...


EventSource = AsyncIterable[bytes | _Message]
"""Raw payment events from the ``payments`` topic: bytes, or messages with ``.value``."""


@dataclass(frozen=True)
class Published:
    topic: str
    key: bytes
    value: bytes
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        value: Any
        try:
            value = json.loads(self.value)
        except ValueError:
            value = self.value.decode("utf-8", "replace")
        return {
            "topic": self.topic,
            "key": self.key.decode("utf-8", "replace"),
            "published_at": self.at.isoformat(),
            "value": value,
        }


class Outbox:
    """Publishes through ``downstream`` (if any) and remembers the last ``limit`` events."""

    def __init__(
        self, downstream: EventPublisher | None, description: str, limit: int = 10_000
    ) -> None:
        self.downstream = downstream
        self.description = description
        self.events: deque[Published] = deque(maxlen=limit)

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        if self.downstream is not None:
            await self.downstream.publish(topic, key, value)
        self.events.append(Published(topic, key, value, datetime.now(UTC)))

    def clear(self) -> None:
        self.events.clear()


class KafkaPublisher:
    """An aiokafka producer; ``start()`` (inside the event loop) before publishing."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._producer: Any = None  # aiokafka binds to the running loop: made in start()

    async def start(self) -> None:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        try:
            await producer.start()
        except Exception as exc:
            await producer.stop()
            raise RuntimeError(
                f"cannot reach Kafka at {self.bootstrap} ({exc}); start the broker, or unset "
                "COLLAUDO_KAFKA_BOOTSTRAP to keep the platform's events in memory"
            ) from exc
        self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        if self._producer is None:
            raise RuntimeError("the Kafka publisher is not started")
        await self._producer.send_and_wait(topic, value=value, key=key)


async def kafka_events(
    bootstrap: str, topic: str = TOPIC, group: str = CONSUMER_GROUP
) -> AsyncIterator[bytes]:
    """Every message on ``topic`` from now on, as the platform's consumer group sees it."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="latest"
    )
    await consumer.start()
    try:
        async for message in consumer:
            if message.value is not None:
                yield message.value
    finally:
        await consumer.stop()


def raw_value(item: bytes | _Message) -> bytes:
    """The payload of one item of an :data:`EventSource`."""
    if isinstance(item, bytes | bytearray):
        return bytes(item)
    return bytes(item.value)
