"""The proxy's long-running loops, started and stopped together.

:class:`ProxyRuntime` owns six asyncio tasks around one :class:`PaymentService`:

- **consumer**: reads the ``payments`` topic, hands each message to
  :meth:`PaymentService.handle_event`, commits only after processing;
- **publisher**: drains the outbox onto the bus (woken by every write);
- **poller**: status checks with backoff, expiries and creation retries;
- **notifier**: POSTs status changes to the platform's notify URLs;
- **importer**: runs the CSV import jobs (:mod:`adapters.core.import_runner`) in
  short batches, woken by each upload, resuming after a restart where the job stopped;
- **pruner**: deletes history and bookkeeping past ``ProxySettings.retention_days``,
  hourly, so a proxy running for years keeps a store of bounded size.

``await runtime.start()`` / ``await runtime.stop()`` (graceful: the message in
hand is finished and committed, the outbox drained once more, everything
within ``shutdown_timeout`` seconds, 15 by default as the platform requires).
The API hooks both into the Starlette lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType

from adapters.core.bus import Bus, Message
from adapters.core.import_runner import ImportRunner
from adapters.core.outcomes import OutcomeAction
from adapters.core.replica import gone_here
from adapters.core.service import PaymentService

__all__ = ["LOOPS", "LoopHealth", "ProxyRuntime"]

log = logging.getLogger(__name__)

_WAKEABLE = ("publisher", "notifier", "importer")
LOOPS = ("consumer", "publisher", "poller", "notifier", "importer", "pruner")


@dataclass
class LoopHealth:
    """What ``/status`` reports about one loop."""

    name: str
    running: bool = False
    iterations: int = 0
    last_error: str | None = None
    last_error_at: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


class ProxyRuntime:
    """Starts, supervises and stops the proxy's loops (see the module docstring)."""

    def __init__(
        self,
        service: PaymentService,
        *,
        bus: Bus | None = None,
        poll_interval: float = 5.0,
        notify_interval: float = 2.0,
        outbox_interval: float = 1.0,
        prune_interval: float = 3600.0,
        import_interval: float = 5.0,
        shutdown_timeout: float = 15.0,
        error_pause: float = 1.0,
        message_attempts: int = 3,
    ) -> None:
        self.service = service
        self.bus = bus or service.bus
        self.poll_interval = poll_interval
        self.notify_interval = notify_interval
        self.outbox_interval = outbox_interval
        self.prune_interval = prune_interval
        self.import_interval = import_interval
        self.importer = ImportRunner(service)
        self.shutdown_timeout = shutdown_timeout
        self.error_pause = error_pause
        self.message_attempts = message_attempts
        self.health: dict[str, LoopHealth] = {name: LoopHealth(name) for name in LOOPS}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._wake = {name: asyncio.Event() for name in _WAKEABLE}
        self._consumer_idle = True
        service.on_outbox.append(self.wake)

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks.values())

    def wake(self) -> None:
        """Something was written to the outbox: publish and notify without waiting."""
        self._wake["publisher"].set()
        self._wake["notifier"].set()

    def wake_importer(self) -> None:
        """A CSV import job was stored: start on it without waiting."""
        self._wake["importer"].set()

    async def start(self) -> None:
        if self.running:
            raise RuntimeError("the proxy runtime is already running; stop() it first")
        self._stopping = asyncio.Event()
        self._wake = {name: asyncio.Event() for name in _WAKEABLE}
        self._release_gone_replicas()
        self._tasks = {
            "consumer": asyncio.create_task(self._consume(), name="proxy-consumer"),
            "publisher": asyncio.create_task(
                self._every(
                    "publisher", self.service.drain_outbox, self.outbox_interval, "publisher"
                ),
                name="proxy-publisher",
            ),
            "poller": asyncio.create_task(
                self._every("poller", self.service.poll_due, self.poll_interval, None),
                name="proxy-poller",
            ),
            "notifier": asyncio.create_task(
                self._every(
                    "notifier", self.service.deliver_notifications, self.notify_interval, "notifier"
                ),
                name="proxy-notifier",
            ),
            "importer": asyncio.create_task(
                self._every("importer", self.importer.run_batch, self.import_interval, "importer"),
                name="proxy-importer",
            ),
            "pruner": asyncio.create_task(
                self._every("pruner", self.service.prune_history, self.prune_interval, None),
                name="proxy-pruner",
            ),
        }
        settings = self.service.settings
        log.info(
            "proxy runtime started as replica %s (claims last %gs): consuming %s as group %s",
            settings.replica_id,
            settings.lease_seconds,
            settings.topic,
            settings.consumer_group,
        )

    def _release_gone_replicas(self) -> None:
        """What replicas of this machine left behind when their process died (this one's
        earlier life, after a crash) is free now: no waiting for the leases to expire."""
        me = self.service.settings.replica_id
        try:
            owners = self.service.store.claim_owners()
        except Exception as exc:  # the loops report a store that does not answer
            log.warning("could not look for claims left by stopped replicas: %s", exc)
            return
        for owner in sorted(owners):
            if gone_here(owner, me):
                released = self.service.store.release_claims(owner)
                log.info(
                    "released %d claims and leases of replica %s: its process is gone",
                    released,
                    owner,
                )

    async def stop(self) -> None:
        """Stop gracefully within ``shutdown_timeout`` seconds; safe to call twice."""
        if not self._tasks:
            return
        deadline = time.monotonic() + self.shutdown_timeout
        self._stopping.set()
        for event in self._wake.values():
            event.set()
        consumer = self._tasks.get("consumer")
        if consumer is not None and self._consumer_idle:
            consumer.cancel()  # waiting for a message: nothing in hand to finish
        pending = [t for t in self._tasks.values() if not t.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            for task in late:
                log.warning("%s did not stop in time; cancelling it", task.get_name())
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        # Publish what the last iterations committed, if time allows.
        remaining = deadline - time.monotonic()
        if remaining > 0:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.service.drain_outbox(), timeout=remaining)
        # Give back what this replica still holds, so the others need not wait for expiry.
        with contextlib.suppress(Exception):
            self.service.store.release_claims(self.service.settings.replica_id)
        with contextlib.suppress(Exception):
            await self.service.aclose()
        for health in self.health.values():
            health.running = False
        self._tasks = {}
        log.info("proxy runtime stopped")

    async def __aenter__(self) -> ProxyRuntime:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _failed(self, name: str, exc: BaseException) -> None:
        health = self.health[name]
        health.last_error = f"{type(exc).__name__}: {exc}"
        health.last_error_at = time.time()
        self.service.metrics.processing_errors.labels(kind="internal").inc()
        log.exception("%s loop error (it keeps running)", name, exc_info=exc)

    async def _nap(self, seconds: float, wake: str | None) -> None:
        event = self._wake[wake] if wake else self._stopping
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)
        if wake:
            event.clear()

    async def _every(
        self, name: str, work: Callable[[], Awaitable[int]], interval: float, wake: str | None
    ) -> None:
        health = self.health[name]
        health.running = True
        try:
            while not self._stopping.is_set():
                try:
                    done = await work()
                    health.iterations += 1
                except Exception as exc:
                    self._failed(name, exc)
                    await self._nap(self.error_pause, None)
                    continue
                if done == 0 and not self._stopping.is_set():
                    await self._nap(interval, wake)
                else:
                    await asyncio.sleep(0)  # more to do: let the other loops and the API in first
        finally:
            health.running = False

    async def _consume(self) -> None:
        health = self.health["consumer"]
        health.running = True
        settings = self.service.settings
        try:
            while not self._stopping.is_set():
                try:
                    messages = self.bus.subscribe(settings.topic, settings.consumer_group)
                    await self._consume_from(messages)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # broker down, etc.: resubscribe after a pause
                    self._failed("consumer", exc)
                    await self._nap(self.error_pause, None)
        finally:
            self._consumer_idle = True
            health.running = False

    async def _consume_from(self, messages: AsyncIterator[Message]) -> None:
        health = self.health["consumer"]
        try:
            while not self._stopping.is_set():
                self._consumer_idle = True
                try:
                    message = await anext(messages)
                except StopAsyncIteration:
                    return
                self._consumer_idle = False
                for attempt in range(1, self.message_attempts + 1):
                    outcome = await self.service.handle_event(message.value)
                    if outcome.action is not OutcomeAction.ERROR:
                        break
                    if attempt < self.message_attempts:
                        await asyncio.sleep(self.error_pause * attempt)
                else:
                    log.error(
                        "message at offset %d dropped after %d attempts: %s",
                        message.offset,
                        self.message_attempts,
                        outcome.reason,
                    )
                # At-least-once: commit only once the outcome is durable.
                await message.commit()
                health.iterations += 1
        finally:
            closer = getattr(messages, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()
