"""The shared core of the payment operations: locks, transitions, schedule, creation.

:class:`Lifecycle` holds the collaborators every payment operation needs (store,
intermediary, settings, metrics, clock) and the steps they share:

- :meth:`Lifecycle.transition` is the one way a status changes: it checks the
  status machine and writes the new event version together with its outbox row
  and its notifications (one transaction), then wakes the outbox's publishers;
- :meth:`Lifecycle.next_check` is the polling schedule, never past the expiry;
- :meth:`Lifecycle.create` creates the debt position of a CREATION_PENDING
  payment, idempotently (the IUD is the payment id's hex), scheduling retries;
- :meth:`Lifecycle.call` runs a driver call on an existing position, keeping the
  exchanges of a failure as evidence.

:class:`~adapters.core.service.PaymentService` is the public face built on it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from adapters.core.config import ServiceConfig, TenantConfig, creditor_config
from adapters.core.crash import crash_point
from adapters.core.errors import ConfigurationMissing, PaymentNotFound, PaymentStateError
from adapters.core.intermediary import (
    Cancellable,
    Intermediary,
    IntermediaryError,
    NotPaidYet,
    PositionContext,
)
from adapters.core.metrics import ProxyMetrics
from adapters.core.models import CheckLink, LinkMethod, PaymentEvent, PaymentStatus, UrlLink
from adapters.core.outcomes import Outcome, OutcomeAction
from adapters.core.positions import (
    InvalidPaymentInput,
    position_context,
    position_request,
    proxy_links,
)
from adapters.core.settings import ProxySettings
from adapters.core.status import TERMINAL, check_transition
from adapters.core.store import StaleWrite, Store
from adapters.core.store_rows import StoredPayment
from adapters.i18n import gettext as _

__all__ = ["POLLED", "Clock", "Lifecycle"]

log = logging.getLogger(__name__)

S = PaymentStatus
# The statuses whose position may still be paid: the ones the proxy keeps checking.
POLLED = frozenset({S.PAYMENT_PENDING, S.PAYMENT_STARTED})

Clock = Callable[[], datetime]
T = TypeVar("T")


class Lifecycle:
    """Locks, status transitions, the polling schedule and creation of one proxy's payments."""

    def __init__(
        self,
        store: Store,
        intermediary: Intermediary,
        settings: ProxySettings,
        metrics: ProxyMetrics,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.store = store
        self.intermediary = intermediary
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.rng = rng
        # Called after every write that enqueued events (the runtime wakes its loops).
        self.on_outbox: list[Callable[[], None]] = []
        # Striped per-payment locks: one payment's changes never interleave in-process.
        self._locks = [asyncio.Lock() for _ in range(64)]

    def lock(self, payment_id: uuid.UUID) -> asyncio.Lock:
        """The lock to hold while reading and changing this payment."""
        return self._locks[payment_id.int % len(self._locks)]

    # -- creation ---------------------------------------------------------------------------

    async def create(
        self,
        stored: StoredPayment,
        config: tuple[TenantConfig, ServiceConfig],
        source_event_id: uuid.UUID | None,
    ) -> Outcome:
        """Create the payment's debt position: PAYMENT_PENDING, a retry, or CREATION_FAILED."""
        event = stored.event
        try:
            request = position_request(event, *config)
        except InvalidPaymentInput as exc:
            self.metrics.processing_errors.labels(kind="internal").inc()
            return self.creation_failed(stored, f"invalid payment: {exc}", source_event_id)
        try:
            position = await self.intermediary.create_debt_position(request)
        except IntermediaryError as exc:
            self.metrics.processing_errors.labels(kind="external").inc()
            self.store.record_exchanges(event.id, "create_debt_position", exc.exchanges)
            if not exc.retriable:
                return self.creation_failed(stored, exc.describe(), source_event_id)
            return self._creation_retry(stored, exc.describe(), source_event_id)
        now = self.clock()
        crash_point("service.after_create")
        pending = event.next_version(self.settings.app_id, now=now, status=S.PAYMENT_PENDING)
        pending.payment.notice_code = position.notice_number
        pending.payment.iuv = position.iuv
        pending.payment.iud = position.iud
        proxy_links(pending.links, event.id, self.settings)
        if isinstance(self.intermediary, Cancellable):
            pending.links.cancel = CheckLink(
                url=self.settings.update_link(f"cancel/{event.id}"), method=LinkMethod.PATCH
            )
        pending.links.update.next_check_at = self.next_check(pending, 0, now)
        stored.attempts += 1
        stored.position = position
        stored.last_error = None
        stored.next_attempt_at = None
        stored.checks = 0
        self.transition(stored, pending, seen_event_id=source_event_id)
        self.metrics.payments_created.labels(origin=stored.origin).inc()
        log.info(
            "payment %s created: notice %s iuv %s", event.id, position.notice_number, position.iuv
        )
        return Outcome(OutcomeAction.CREATED, "debt position created", event.id, S.PAYMENT_PENDING)

    def creation_failed(
        self, stored: StoredPayment, why: str, source_event_id: uuid.UUID | None
    ) -> Outcome:
        """Publish CREATION_FAILED with ``why`` as the status reason."""
        now = self.clock()
        failed = stored.event.next_version(
            self.settings.app_id, now=now, status=S.CREATION_FAILED, status_reason=why
        )
        stored.attempts += 1
        stored.last_error = why
        stored.next_attempt_at = None
        self.transition(stored, failed, seen_event_id=source_event_id)
        log.warning("payment %s: CREATION_FAILED: %s", stored.id, why)
        return Outcome(OutcomeAction.FAILED, why, stored.id, S.CREATION_FAILED)

    def _creation_retry(
        self, stored: StoredPayment, why: str, source_event_id: uuid.UUID | None
    ) -> Outcome:
        policy = self.settings.creation_retry
        now = self.clock()
        expire_at = stored.event.payment.expire_at
        if policy.exhausted(stored.attempts + 1) or (expire_at is not None and expire_at <= now):
            return self.creation_failed(
                stored, f"gave up after {stored.attempts + 1} attempts: {why}", source_event_id
            )
        stored.next_attempt_at = now + policy.delay(stored.attempts, self.rng)
        stored.attempts += 1
        stored.last_error = why
        # The stored CREATION_PENDING row is the durable retry record; nothing to publish.
        self.store.save_payment(stored, seen_event_id=None, now=now)
        log.warning(
            "payment %s: creation attempt %d failed, retry at %s: %s",
            stored.id,
            stored.attempts,
            stored.next_attempt_at.isoformat(),
            why,
        )
        return Outcome(OutcomeAction.RETRY_SCHEDULED, why, stored.id, S.CREATION_PENDING)

    # -- the one way a status changes ---------------------------------------------------------

    def transition(
        self,
        stored: StoredPayment,
        new_event: PaymentEvent,
        *,
        seen_event_id: uuid.UUID | None = None,
    ) -> None:
        """Store ``new_event`` as the payment's latest version and publish it (outbox)."""
        check_transition(stored.event.status, new_event.status)
        stored.event = new_event
        if new_event.status in TERMINAL:
            stored.next_check_at = None
            new_event.links.update.next_check_at = None
        else:
            stored.next_check_at = new_event.links.update.next_check_at
        self.store.save_payment(
            stored,
            publish=True,
            topic=self.settings.topic,
            seen_event_id=seen_event_id,
            now=new_event.event_created_at,
        )
        for wake in self.on_outbox:
            wake()

    def next_check(self, event: PaymentEvent, checks: int, now: datetime) -> datetime:
        """Next status check: the polling backoff, but never past the expiry."""
        at = now + self.settings.polling.delay(checks, self.rng)
        return min(at, self.expiry(event))

    def expiry(self, event: PaymentEvent) -> datetime:
        """When the payment expires: its ``expire_at``, else the longest polling allowed."""
        if event.payment.expire_at is not None:
            return event.payment.expire_at
        return event.created_at + timedelta(days=self.settings.max_polling_days)

    # -- an existing position -------------------------------------------------------------------

    def require(self, payment_id: uuid.UUID) -> StoredPayment:
        """The stored payment; :class:`PaymentNotFound` when there is none."""
        stored = self.store.get_payment(payment_id)
        if stored is None:
            raise PaymentNotFound(payment_id)
        return stored

    def context(self, stored: StoredPayment) -> PositionContext:
        """What a driver needs to act on the payment's position (it must exist)."""
        if stored.position is None:
            raise PaymentStateError(
                stored.id, stored.status, _("no debt position exists yet on the intermediary")
            )
        tenant = self.store.get_tenant(stored.event.tenant_id)
        service = self.store.get_service(stored.event.service_id)
        if tenant is None or service is None:
            raise ConfigurationMissing(
                _(
                    "payment %(id)s: tenant %(tenant)s or service %(service)s is no longer "
                    "configured; restore the configuration"
                )
                % {
                    "id": stored.id,
                    "tenant": stored.event.tenant_id,
                    "service": stored.event.service_id,
                }
            )
        return position_context(stored.event, stored.position, creditor_config(tenant, service))

    def touch(self, stored: StoredPayment, link: UrlLink) -> None:
        """Record ``last_opened_at`` (bookkeeping, not a status change: nothing published)."""
        link.last_opened_at = self.clock()
        try:
            self.store.save_payment(stored)
        except StaleWrite:
            pass  # a concurrent change won; losing one last_opened_at is harmless

    async def call(self, stored: StoredPayment, operation: str, call: Awaitable[T]) -> T:
        """Await a driver call; on failure count it and keep its exchanges as evidence."""
        try:
            return await call
        except IntermediaryError as exc:
            if not isinstance(exc, NotPaidYet):
                self.metrics.processing_errors.labels(kind="external").inc()
            self.store.record_exchanges(stored.id, operation, exc.exchanges)
            raise
