"""The Kafka bus (aiokafka): the platform's ``payments`` topic in production.

- producer: ``acks=all`` and idempotence on, so a publish that returned is durable
  and a producer retry does not duplicate it; key = ``service_id`` (see
  :func:`adapters.core.store_rows.event_key`), so one service's events stay in order
  on one partition;
- consumer: a consumer group (replicas share the partitions), no auto-commit:
  :meth:`Message.commit` commits ``offset + 1`` of that partition after processing
  (at-least-once; the proxy deduplicates by event id and stored status).

Configuration from the environment (:meth:`KafkaBus.from_env`):
``COLLAUDO_KAFKA_BOOTSTRAP`` (``host:port[,host:port]``), and optionally
``COLLAUDO_KAFKA_SECURITY_PROTOCOL``, ``COLLAUDO_KAFKA_SASL_MECHANISM``,
``COLLAUDO_KAFKA_USERNAME``, ``COLLAUDO_KAFKA_PASSWORD``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from adapters.core.bus import Message

__all__ = ["BOOTSTRAP_ENV", "KafkaBus", "KafkaNotConfigured"]

log = logging.getLogger(__name__)

BOOTSTRAP_ENV = "COLLAUDO_KAFKA_BOOTSTRAP"


class KafkaNotConfigured(RuntimeError):
    """No bootstrap servers: set COLLAUDO_KAFKA_BOOTSTRAP or use the memory bus."""


def _security_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    protocol = env.get("COLLAUDO_KAFKA_SECURITY_PROTOCOL")
    if protocol:
        options["security_protocol"] = protocol
    mechanism = env.get("COLLAUDO_KAFKA_SASL_MECHANISM")
    if mechanism:
        options["sasl_mechanism"] = mechanism
        options["sasl_plain_username"] = env.get("COLLAUDO_KAFKA_USERNAME", "")
        # Read here, handed to aiokafka, never logged.
        options["sasl_plain_password"] = env.get("COLLAUDO_KAFKA_PASSWORD", "")
    return options


def _default_producer(**options: Any) -> Any:
    from aiokafka import AIOKafkaProducer

    return AIOKafkaProducer(**options)


def _default_consumer(topic: str, **options: Any) -> Any:
    from aiokafka import AIOKafkaConsumer

    return AIOKafkaConsumer(topic, **options)


class KafkaBus:
    """A :class:`adapters.core.bus.Bus` on Kafka; factories are injectable for unit tests."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str = "collaudo-payment-proxy",
        security: Mapping[str, Any] | None = None,
        producer_factory: Callable[..., Any] = _default_producer,
        consumer_factory: Callable[..., Any] = _default_consumer,
    ) -> None:
        if not bootstrap_servers.strip():
            raise KafkaNotConfigured(
                f"empty Kafka bootstrap servers; set {BOOTSTRAP_ENV}=host:port or use the "
                "memory bus (--bus memory)"
            )
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.security = dict(security or {})
        self._producer_factory = producer_factory
        self._consumer_factory = consumer_factory
        self._producer: Any = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> KafkaBus:
        env = os.environ if env is None else env
        bootstrap = env.get(BOOTSTRAP_ENV, "")
        if not bootstrap:
            raise KafkaNotConfigured(
                f"{BOOTSTRAP_ENV} is not set; point it at the Kafka brokers (host:port) "
                "or run with the memory bus"
            )
        return cls(bootstrap, security=_security_from_env(env), **kwargs)

    def producer_options(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "acks": "all",
            "enable_idempotence": True,
            **self.security,
        }

    def consumer_options(self, group: str) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "group_id": group,
            "enable_auto_commit": False,  # commit after processing, never before
            "auto_offset_reset": "earliest",
            **self.security,
        }

    async def _started_producer(self) -> Any:
        if self._producer is None:
            producer = self._producer_factory(**self.producer_options())
            await producer.start()
            self._producer = producer
        return self._producer

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        producer = await self._started_producer()
        await producer.send_and_wait(topic, value=value, key=key)

    async def subscribe(self, topic: str, group: str) -> AsyncIterator[Message]:
        consumer = self._consumer_factory(topic, **self.consumer_options(group))
        await consumer.start()
        log.info("consuming %s as group %s from %s", topic, group, self.bootstrap_servers)
        try:
            async for record in consumer:
                yield Message(
                    key=record.key,
                    value=record.value,
                    offset=record.offset,
                    topic=record.topic,
                    partition=record.partition,
                    _commit=self._committer(
                        consumer, record.topic, record.partition, record.offset
                    ),
                )
        finally:
            await consumer.stop()

    @staticmethod
    def _committer(
        consumer: Any, topic: str, partition: int, offset: int
    ) -> Callable[[], Awaitable[None]]:
        async def commit() -> None:
            from aiokafka import TopicPartition

            # Kafka's committed offset is the *next* message to read.
            await consumer.commit({TopicPartition(topic, partition): offset + 1})

        return commit

    async def ping(self) -> bool:
        """True when the brokers answer a metadata request (for ``/status``)."""
        try:
            producer = await self._started_producer()
            await producer.client.fetch_all_metadata()
        except Exception as exc:
            log.warning("Kafka at %s unreachable: %s", self.bootstrap_servers, exc)
            return False
        return True

    async def close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()
