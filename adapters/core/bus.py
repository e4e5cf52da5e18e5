"""The message bus between the platform and the proxy: the ``payments`` topic.

Two implementations share one small protocol:

- :class:`MemoryBus`, in-process (the default, and what tests use): an
  append-only log per topic with committed offsets per consumer group, so it
  behaves like Kafka where it matters — a consumer that stops before
  committing gets the message again.
- :class:`adapters.core.kafka.KafkaBus`, through aiokafka.

Messages are keyed by ``service_id`` (one service's events stay in order) and
committed by the consumer only after processing (at-least-once delivery).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["PAYMENTS_TOPIC", "Bus", "MemoryBus", "Message"]

PAYMENTS_TOPIC = "payments"


async def _no_commit() -> None:
    return None


@dataclass
class Message:
    """One message read from a topic; :meth:`commit` acknowledges it (and all before it)."""

    key: bytes | None
    value: bytes
    offset: int
    topic: str = PAYMENTS_TOPIC
    partition: int = 0
    _commit: Callable[[], Awaitable[None]] = field(default=_no_commit, repr=False)

    async def commit(self) -> None:
        await self._commit()


@runtime_checkable
class Bus(Protocol):
    """Publish and consume keyed messages on named topics."""

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        """Append a message; returns once the bus has accepted it durably."""
        ...

    def subscribe(self, topic: str, group: str) -> AsyncIterator[Message]:
        """Messages of ``topic`` from the group's committed position onwards, forever."""
        ...

    async def ping(self) -> bool:
        """True when the bus is reachable (``/status`` reports it)."""
        ...

    async def close(self) -> None:
        """Release connections; idempotent."""
        ...


class MemoryBus:
    """An in-process bus with Kafka's delivery semantics (one partition per topic).

    ``keep_acknowledged=True`` (the default; what tests read through :meth:`messages`)
    keeps every message ever published. ``False`` (what the proxy runs with) drops a
    topic's messages once every consumer group that has subscribed to it has committed
    them, as a broker's retention would: a proxy importing 100,000 rows would otherwise
    keep ~200 MB of events it will never read again. Nothing is dropped from a topic no
    group has subscribed to yet (a late consumer still gets all of it), and a group
    subscribing after a drop starts at the oldest message kept (Kafka's ``earliest``).
    """

    # Drop acknowledged messages in chunks: deleting a list's head costs its length.
    TRIM_CHUNK = 1024

    def __init__(self, *, keep_acknowledged: bool = True) -> None:
        self.keep_acknowledged = keep_acknowledged
        self._logs: dict[str, list[tuple[bytes | None, bytes]]] = defaultdict(list)
        self._base: dict[str, int] = defaultdict(int)  # the offset of _logs[topic][0]
        self._groups: dict[str, set[str]] = defaultdict(set)  # who subscribed, per topic
        self._committed: dict[tuple[str, str], int] = {}
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.closed = False

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        self.publish_nowait(topic, key, value)

    def publish_nowait(self, topic: str, key: bytes | None, value: bytes) -> None:
        """Append from synchronous code (tests, other threads)."""
        if self.closed:
            raise RuntimeError("the memory bus is closed; create a new one")
        self._logs[topic].append((key, value))
        for loop, event in list(self._waiters):
            if loop.is_closed():
                continue
            # Subscribers may live on another loop/thread (e.g. a TestClient portal).
            loop.call_soon_threadsafe(event.set)

    def messages(self, topic: str = PAYMENTS_TOPIC) -> list[bytes]:
        """Every value published on ``topic`` and still kept (a test's view of the log:
        all of them unless ``keep_acknowledged=False``)."""
        return [value for _, value in self._logs[topic]]

    def published(self, topic: str = PAYMENTS_TOPIC) -> int:
        """How many messages were ever published on ``topic``, kept or dropped."""
        return self._base[topic] + len(self._logs[topic])

    def keyed(self, topic: str = PAYMENTS_TOPIC) -> list[tuple[bytes | None, bytes]]:
        return list(self._logs[topic])

    def committed(self, topic: str, group: str) -> int:
        """The next offset the group will read."""
        return self._committed.get((topic, group), 0)

    def lag(self, topic: str, group: str) -> int:
        return self.published(topic) - self.committed(topic, group)

    def _trim(self, topic: str) -> None:
        """Drop the head of ``topic``'s log that every subscribed group has committed."""
        groups = self._groups[topic]
        if self.keep_acknowledged or not groups:
            return
        done = min(self._committed.get((topic, group), 0) for group in groups)
        drop = done - self._base[topic]
        if drop >= self.TRIM_CHUNK:
            del self._logs[topic][:drop]
            self._base[topic] = done

    async def subscribe(self, topic: str, group: str) -> AsyncIterator[Message]:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        waiter = (loop, wake)
        self._waiters.append(waiter)
        self._groups[topic].add(group)
        position = self.committed(topic, group)
        try:
            while not self.closed:
                log = self._logs[topic]
                # Offsets are absolute; the log may have lost its head (keep_acknowledged).
                position = max(position, self._base[topic])
                if position >= self._base[topic] + len(log):
                    wake.clear()
                    if position >= self._base[topic] + len(log):
                        await wake.wait()
                    continue
                key, value = log[position - self._base[topic]]
                offset = position
                position += 1
                yield Message(
                    key=key,
                    value=value,
                    offset=offset,
                    topic=topic,
                    _commit=self._committer(topic, group, offset),
                )
        finally:
            self._waiters.remove(waiter)

    def _committer(self, topic: str, group: str, offset: int) -> Callable[[], Awaitable[None]]:
        async def commit() -> None:
            current = self._committed.get((topic, group), 0)
            self._committed[(topic, group)] = max(current, offset + 1)
            self._trim(topic)

        return commit

    async def ping(self) -> bool:
        return not self.closed

    async def close(self) -> None:
        self.closed = True
        for loop, event in list(self._waiters):
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)
