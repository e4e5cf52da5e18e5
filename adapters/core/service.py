"""The payment operations: the consumer's per-event entry point and the citizen links.

:class:`PaymentService` is the one place where a payment changes status. Every
change goes through :meth:`PaymentService._transition`, which checks the
status machine and writes the new event version to the store together with
its outbox row and its notifications (one transaction). Publishing the
outbox, polling and notifying are driven from outside (:mod:`adapters.core.runtime`)
through :meth:`drain_outbox`, :meth:`poll_due` and :meth:`deliver_notifications`.

Rules this module keeps (DESIGN.md "Reliability rules"):

- creation is idempotent: the IUD is the payment id's hex, a redelivered
  CREATION_PENDING never creates a second position, a retry after a timeout
  sends the same IUD;
- nothing is marked paid on anyone's word but the intermediary's ``status``;
- bad events are rejected with a reason and counted; the consumer goes on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

import httpx
from prometheus_client import CollectorRegistry

from adapters.core.bus import Bus
from adapters.core.config import ServiceConfig, TenantConfig, creditor_config
from adapters.core.errors import (
    ConfigurationMissing,
    PaymentNotFound,
    PaymentNotPaid,
    PaymentStateError,
)
from adapters.core.events import EventRejected, parse_event
from adapters.core.intermediary import (
    DebtPosition,
    Intermediary,
    IntermediaryError,
    NotPaidYet,
    PositionContext,
    PositionState,
    Receipt,
    ReturnUrls,
)
from adapters.core.metrics import ProxyMetrics
from adapters.core.models import (
    EVENT_VERSION,
    Links,
    NotifyLink,
    Payer,
    PaymentData,
    PaymentEvent,
    PaymentStatus,
    UrlLink,
    utcnow,
)
from adapters.core.notify import Notifier
from adapters.core.positions import (
    InvalidPaymentInput,
    adopted_position,
    iud_for,
    position_context,
    position_request,
    proxy_links,
)
from adapters.core.settings import ProxySettings
from adapters.core.status import TERMINAL, check_transition
from adapters.core.store import StaleWrite, Store, StoredPayment, crash_point
from adapters.pagopa.notice import NoticeNumber

__all__ = [
    "ImportResult",
    "Outcome",
    "OutcomeAction",
    "PaymentNotFound",
    "PaymentNotPaid",
    "PaymentService",
    "PaymentStateError",
    "ProxySettings",
]

log = logging.getLogger(__name__)

S = PaymentStatus
_POLLED = frozenset({S.PAYMENT_PENDING, S.PAYMENT_STARTED})
IMPORT_NAMESPACE = uuid.UUID("6f1b7c2e-9d0a-4e53-8c1f-2a7b3d4e5f60")


class OutcomeAction(StrEnum):
    CREATED = "created"  # debt position created, PAYMENT_PENDING published
    ADOPTED = "adopted"  # foreign PAYMENT_PENDING stored and polled from now on
    IGNORED = "ignored"  # not for us, already processed, or our own event
    REJECTED = "rejected"  # malformed, other version, other type
    RETRY_SCHEDULED = "retry_scheduled"  # retriable creation failure, will retry
    FAILED = "failed"  # CREATION_FAILED published
    ERROR = "error"  # unexpected internal failure; the message may be retried


@dataclass(frozen=True)
class Outcome:
    """What :meth:`PaymentService.handle_event` did with one message."""

    action: OutcomeAction
    reason: str = ""
    payment_id: uuid.UUID | None = None
    status: PaymentStatus | None = None


@dataclass(frozen=True)
class ImportResult:
    """One imported row: the payment it maps to and whether this call created it."""

    payment_id: uuid.UUID
    created: bool
    event: PaymentEvent


Clock = Callable[[], datetime]
T = TypeVar("T")


class PaymentService:
    """Everything the proxy does to payments; see the module docstring."""

    def __init__(
        self,
        store: Store,
        intermediary: Intermediary,
        bus: Bus,
        settings: ProxySettings | None = None,
        *,
        metrics: ProxyMetrics | None = None,
        clock: Clock = utcnow,
        http: httpx.AsyncClient | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.intermediary = intermediary
        self.bus = bus
        self.settings = settings or ProxySettings()
        self.metrics = metrics or ProxyMetrics()
        self.clock = clock
        self.rng = rng or random.Random()
        self.notifier = Notifier(store, self.metrics, self.settings, clock=clock, http=http)
        # Called after every write that enqueued events (the runtime wakes its loops).
        self.on_outbox: list[Callable[[], None]] = []
        # Striped per-payment locks: one payment's changes never interleave in-process.
        self._locks = [asyncio.Lock() for _ in range(64)]

    @property
    def registry(self) -> CollectorRegistry:
        """The Prometheus registry of this instance (serve it at ``/metrics``)."""
        return self.metrics.registry

    def _lock(self, payment_id: uuid.UUID) -> asyncio.Lock:
        return self._locks[payment_id.int % len(self._locks)]

    async def aclose(self) -> None:
        await self.notifier.aclose()

    # -- consuming --------------------------------------------------------------------------

    async def handle_event(self, raw: bytes) -> Outcome:
        """Process one message of the ``payments`` topic. Never raises."""
        try:
            event = parse_event(raw, accepted_type=self.settings.accepted_type)
        except EventRejected as exc:
            log.warning("rejected event %s: %s (%s)", exc.event_id, exc.detail, exc.reason)
            self.metrics.events_rejected.labels(reason=exc.reason).inc()
            self.metrics.processing_errors.labels(kind="internal").inc()
            return self._count(Outcome(OutcomeAction.REJECTED, f"{exc.reason}: {exc.detail}"))
        try:
            async with self._lock(event.id):
                outcome = await self._dispatch(event)
        except Exception as exc:  # the consumer must survive anything
            log.exception(
                "internal error processing event %s of payment %s", event.event_id, event.id
            )
            self.metrics.processing_errors.labels(kind="internal").inc()
            outcome = Outcome(OutcomeAction.ERROR, f"internal error: {exc!r}", event.id)
        return self._count(outcome)

    def _count(self, outcome: Outcome) -> Outcome:
        self.metrics.events_consumed.labels(outcome=outcome.action.value).inc()
        return outcome

    async def _dispatch(self, event: PaymentEvent) -> Outcome:
        if event.app_id.split(":", 1)[0] == self.settings.app_name:
            return Outcome(OutcomeAction.IGNORED, "own event (app_id)", event.id)
        if self.store.seen_event(event.event_id):
            return Outcome(OutcomeAction.IGNORED, "event already processed (event_id)", event.id)
        stored = self.store.get_payment(event.id)
        if event.status is S.CREATION_PENDING:
            if stored is not None and stored.status is not S.CREATION_PENDING:
                return Outcome(
                    OutcomeAction.IGNORED, f"already processed, now {stored.status}", event.id
                )
            if (
                stored is not None
                and stored.next_attempt_at
                and stored.next_attempt_at > self.clock()
            ):
                return Outcome(OutcomeAction.IGNORED, "creation retry already scheduled", event.id)
            config = self.store.active_config(event.tenant_id, event.service_id)
            if config is None:
                log.info(
                    "payment %s: no active configuration for tenant %s service %s",
                    event.id,
                    event.tenant_id,
                    event.service_id,
                )
                return Outcome(OutcomeAction.IGNORED, "no active configuration", event.id)
            return await self._create(stored or StoredPayment(event=event), config, event.event_id)
        if event.status is S.PAYMENT_PENDING:
            if stored is not None:
                return Outcome(
                    OutcomeAction.IGNORED, f"already processed, now {stored.status}", event.id
                )
            config = self.store.active_config(event.tenant_id, event.service_id)
            if config is None:
                return Outcome(OutcomeAction.IGNORED, "no active configuration", event.id)
            return self._adopt(event, config)
        return Outcome(
            OutcomeAction.IGNORED, f"{event.status} events are published by proxies", event.id
        )

    def _adopt(self, event: PaymentEvent, config: tuple[TenantConfig, ServiceConfig]) -> Outcome:
        try:
            position = adopted_position(event, creditor_config(*config))
        except InvalidPaymentInput as exc:
            log.warning("cannot adopt payment %s: %s", event.id, exc)
            self.metrics.events_rejected.labels(reason="malformed").inc()
            self.metrics.processing_errors.labels(kind="internal").inc()
            return Outcome(OutcomeAction.REJECTED, f"malformed: {exc}", event.id)
        now = self.clock()
        stored = StoredPayment(
            event=event,
            position=position,
            origin="adopted",
            next_check_at=self._next_check(event, 0, now),
        )
        self.store.save_payment(stored, seen_event_id=event.event_id, now=now)
        log.info("adopted payment %s (notice %s)", event.id, position.notice_number)
        return Outcome(
            OutcomeAction.ADOPTED, "foreign PAYMENT_PENDING adopted", event.id, event.status
        )

    # -- creation ---------------------------------------------------------------------------

    async def _create(
        self,
        stored: StoredPayment,
        config: tuple[TenantConfig, ServiceConfig],
        source_event_id: uuid.UUID | None,
    ) -> Outcome:
        event = stored.event
        try:
            request = position_request(event, *config)
        except InvalidPaymentInput as exc:
            self.metrics.processing_errors.labels(kind="internal").inc()
            return self._creation_failed(stored, f"invalid payment: {exc}", source_event_id)
        try:
            position = await self.intermediary.create_debt_position(request)
        except IntermediaryError as exc:
            self.metrics.processing_errors.labels(kind="external").inc()
            self.store.record_exchanges(event.id, "create_debt_position", exc.exchanges)
            if not exc.retriable:
                return self._creation_failed(stored, exc.describe(), source_event_id)
            return self._creation_retry(stored, exc.describe(), source_event_id)
        now = self.clock()
        crash_point("service.after_create")
        pending = event.next_version(self.settings.app_id, now=now, status=S.PAYMENT_PENDING)
        pending.payment.notice_code = position.notice_number
        pending.payment.iuv = position.iuv
        pending.payment.iud = position.iud
        proxy_links(pending.links, event.id, self.settings)
        pending.links.update.next_check_at = self._next_check(pending, 0, now)
        stored.attempts += 1
        stored.position = position
        stored.last_error = None
        stored.next_attempt_at = None
        stored.checks = 0
        self._transition(stored, pending, seen_event_id=source_event_id)
        self.metrics.payments_created.labels(origin=stored.origin).inc()
        log.info(
            "payment %s created: notice %s iuv %s", event.id, position.notice_number, position.iuv
        )
        return Outcome(OutcomeAction.CREATED, "debt position created", event.id, S.PAYMENT_PENDING)

    def _creation_failed(
        self, stored: StoredPayment, why: str, source_event_id: uuid.UUID | None
    ) -> Outcome:
        now = self.clock()
        failed = stored.event.next_version(
            self.settings.app_id, now=now, status=S.CREATION_FAILED, status_reason=why
        )
        stored.attempts += 1
        stored.last_error = why
        stored.next_attempt_at = None
        self._transition(stored, failed, seen_event_id=source_event_id)
        log.warning("payment %s: CREATION_FAILED: %s", stored.id, why)
        return Outcome(OutcomeAction.FAILED, why, stored.id, S.CREATION_FAILED)

    def _creation_retry(
        self, stored: StoredPayment, why: str, source_event_id: uuid.UUID | None
    ) -> Outcome:
        policy = self.settings.creation_retry
        now = self.clock()
        expire_at = stored.event.payment.expire_at
        if policy.exhausted(stored.attempts + 1) or (expire_at is not None and expire_at <= now):
            return self._creation_failed(
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

    def _transition(
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

    def _next_check(self, event: PaymentEvent, checks: int, now: datetime) -> datetime:
        """Next status check: the polling backoff, but never past the expiry."""
        at = now + self.settings.polling.delay(checks, self.rng)
        return min(at, self._expiry(event))

    def _expiry(self, event: PaymentEvent) -> datetime:
        if event.payment.expire_at is not None:
            return event.payment.expire_at
        return event.created_at + timedelta(days=self.settings.max_polling_days)

    # -- citizen links -------------------------------------------------------------------------

    def _require(self, payment_id: uuid.UUID) -> StoredPayment:
        stored = self.store.get_payment(payment_id)
        if stored is None:
            raise PaymentNotFound(payment_id)
        return stored

    def _context(self, stored: StoredPayment) -> PositionContext:
        if stored.position is None:
            raise PaymentStateError(
                stored.id, stored.status, "no debt position exists yet on the intermediary"
            )
        tenant = self.store.get_tenant(stored.event.tenant_id)
        service = self.store.get_service(stored.event.service_id)
        if tenant is None or service is None:
            raise ConfigurationMissing(
                f"payment {stored.id}: tenant {stored.event.tenant_id} or service "
                f"{stored.event.service_id} is no longer configured; restore the configuration"
            )
        return position_context(stored.event, stored.position, creditor_config(tenant, service))

    def _touch(self, stored: StoredPayment, link: UrlLink) -> None:
        """Record ``last_opened_at`` (bookkeeping, not a status change: nothing published)."""
        link.last_opened_at = self.clock()
        try:
            self.store.save_payment(stored)
        except StaleWrite:
            pass  # a concurrent change won; losing one last_opened_at is harmless

    async def begin_online_payment(self, payment_id: uuid.UUID) -> str:
        """The checkout URL for the citizen; moves PAYMENT_PENDING to PAYMENT_STARTED."""
        async with self._lock(payment_id):
            stored = self._require(payment_id)
            if stored.status not in _POLLED:
                raise PaymentStateError(payment_id, stored.status, "there is nothing to pay online")
            ctx = self._context(stored)
            returns = ReturnUrls(
                ok=self.settings.link(f"landing/{payment_id}?outcome=ok"),
                cancel=self.settings.link(f"landing/{payment_id}?outcome=cancel"),
                error=self.settings.link(f"landing/{payment_id}?outcome=error"),
            )
            url = await self._call(
                stored, "checkout_url", self.intermediary.checkout_url(ctx, returns)
            )
            now = self.clock()
            if stored.status is S.PAYMENT_PENDING:
                started = stored.event.next_version(
                    self.settings.app_id, now=now, status=S.PAYMENT_STARTED
                )
                started.links.online_payment_begin.last_opened_at = now
                self._transition(stored, started)
            else:
                self._touch(stored, stored.event.links.online_payment_begin)
            return url

    async def notice_pdf(self, payment_id: uuid.UUID) -> bytes:
        """The paper notice (avviso) PDF, from the intermediary."""
        stored = self._require(payment_id)
        pdf = await self._call(
            stored, "notice_pdf", self.intermediary.notice_pdf(self._context(stored))
        )
        async with self._lock(payment_id):
            fresh = self._require(payment_id)
            self._touch(fresh, fresh.event.links.offline_payment)
        return pdf

    async def update(self, payment_id: uuid.UUID) -> PaymentEvent:
        """Ask the intermediary for the status; publish a new version if it changed."""
        async with self._lock(payment_id):
            stored = self._require(payment_id)
            await self._refresh(stored)
            return stored.event

    async def on_intermediary_callback(self, payment_id: uuid.UUID) -> PaymentEvent:
        """A callback (e.g. "paid") only triggers a check: the intermediary's status decides."""
        return await self.update(payment_id)

    async def landing(self, payment_id: uuid.UUID) -> str:
        """Check the status (best effort) and return the platform's landing URL."""
        async with self._lock(payment_id):
            stored = self._require(payment_id)
            try:
                await self._refresh(stored)
            except (IntermediaryError, StaleWrite) as exc:
                log.warning(
                    "landing %s: status check failed, redirecting anyway: %s", payment_id, exc
                )
            url = (
                stored.event.links.online_payment_landing.url or self.settings.landing_fallback_url
            )
            if not url:
                raise PaymentStateError(
                    payment_id, stored.status, "the event carries no online_payment_landing URL"
                )
            return url

    async def receipt(self, payment_id: uuid.UUID) -> Receipt:
        """The receipt of a paid payment; :class:`PaymentNotPaid` until the intermediary says so."""
        async with self._lock(payment_id):
            stored = self._require(payment_id)
            if stored.status in _POLLED:
                await self._refresh(stored)
            if stored.status is not S.COMPLETE:
                raise PaymentNotPaid(payment_id, stored.status)
            try:
                receipt = await self._call(
                    stored, "receipt", self.intermediary.receipt(self._context(stored))
                )
            except NotPaidYet:
                raise PaymentNotPaid(payment_id, stored.status) from None
            self._touch(stored, stored.event.links.receipt)
            return receipt

    async def _call(self, stored: StoredPayment, operation: str, call: Awaitable[T]) -> T:
        """Await a driver call; on failure count it and keep its exchanges as evidence."""
        try:
            return await call
        except IntermediaryError as exc:
            if not isinstance(exc, NotPaidYet):
                self.metrics.processing_errors.labels(kind="external").inc()
            self.store.record_exchanges(stored.id, operation, exc.exchanges)
            raise

    async def _refresh(self, stored: StoredPayment) -> bool:
        """Ask the intermediary and apply its answer; True when the status changed.

        The only path to COMPLETE: whatever a callback claimed, the intermediary's
        ``status`` is what moves the payment.
        """
        if stored.status not in _POLLED:
            return False
        ctx = self._context(stored)
        try:
            answer = await self._call(stored, "status", self.intermediary.status(ctx))
        except IntermediaryError:
            self.metrics.status_checks.labels(result="error").inc()
            raise
        self.metrics.status_checks.labels(result=answer.state.value.lower()).inc()
        now = self.clock()
        event = stored.event
        target: PaymentStatus | None = None
        why: str | None = None
        if answer.state is PositionState.PAID:
            target = S.COMPLETE
        elif answer.state is PositionState.EXPIRED:
            target, why = S.EXPIRED, "the intermediary reports the position expired"
        elif answer.state is PositionState.CANCELED:
            target, why = S.CANCELED, "the intermediary reports the position cancelled"
        elif now >= self._expiry(event):
            target, why = S.EXPIRED, f"not paid by {self._expiry(event).isoformat()}"
        if target is None:
            stored.checks += 1
            event.links.update.last_check_at = now
            event.links.update.next_check_at = self._next_check(event, stored.checks, now)
            stored.next_check_at = event.links.update.next_check_at
            self.store.save_payment(stored, now=now)
            return False
        new = event.next_version(self.settings.app_id, now=now, status=target, status_reason=why)
        new.links.update.last_check_at = now
        if target is S.COMPLETE:
            new.payment.paid_at = answer.paid_at or now
            new.payment.transaction_id = answer.transaction_id or new.payment.transaction_id
            new.links.receipt.url = self.settings.link(f"receipt/{stored.id}")
        stored.checks += 1
        self._transition(stored, new)
        log.info("payment %s: %s -> %s", stored.id, event.status, target)
        return True

    # -- time-driven work ----------------------------------------------------------------------

    async def poll_due(self, now: datetime | None = None, limit: int = 100) -> int:
        """Run the due status checks (and expiries) and creation retries; returns how many."""
        now = now or self.clock()
        done = 0
        for due in self.store.due_for_creation(now, limit):
            async with self._lock(due.id):
                stored = self.store.get_payment(due.id)
                if stored is None or stored.status is not S.CREATION_PENDING:
                    continue
                config = self.store.active_config(stored.event.tenant_id, stored.event.service_id)
                if config is None:
                    self._creation_failed(
                        stored, "tenant or service configuration deactivated", None
                    )
                else:
                    await self._create(stored, config, None)
                done += 1
        for due in self.store.due_for_check(now, limit):
            async with self._lock(due.id):
                stored = self.store.get_payment(due.id)
                if stored is None or stored.status not in _POLLED:
                    continue
                try:
                    await self._refresh(stored)
                except (IntermediaryError, ConfigurationMissing, StaleWrite) as exc:
                    self._check_failed(stored, exc, now)
                done += 1
        return done

    def _check_failed(self, stored: StoredPayment, exc: Exception, now: datetime) -> None:
        """A failed check still moves the schedule on, so one position cannot starve the rest."""
        log.warning("payment %s: status check failed: %s", stored.id, exc)
        fresh = self.store.get_payment(stored.id)
        if fresh is None or fresh.status not in _POLLED:
            return
        fresh.checks += 1
        fresh.last_error = str(exc)
        fresh.next_check_at = self._next_check(fresh.event, fresh.checks, now)
        if fresh.next_check_at <= now:  # expired while the intermediary was unreachable
            fresh.next_check_at = now + self.settings.polling.first
        fresh.event.links.update.next_check_at = fresh.next_check_at
        self.store.save_payment(fresh, now=now)

    async def drain_outbox(self, limit: int = 500) -> int:
        """Publish the outbox in order; returns how many events were published."""
        published: list[int] = []
        try:
            for record in self.store.pending_outbox(limit):
                await self.bus.publish(record.topic, record.key, record.value)
                crash_point("outbox.after_publish")
                published.append(record.seq)
        finally:
            if published:
                self.store.mark_published(published, self.clock())
                self.metrics.events_published.inc(len(published))
        return len(published)

    async def deliver_notifications(self, now: datetime | None = None) -> int:
        """POST due notifications to the platform; returns how many were delivered."""
        return await self.notifier.deliver_due(now or self.clock())

    # -- CSV import -----------------------------------------------------------------------------

    async def import_payment(
        self,
        *,
        tenant_id: uuid.UUID,
        service_id: uuid.UUID,
        row_key: str,
        amount: Decimal,
        reason: str,
        payer: Payer,
        notice_number: str | None = None,
        expire_at: datetime | None = None,
        remote_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        notify_urls: Sequence[str] = (),
        landing_url: str | None = None,
        created_at: datetime | None = None,
    ) -> ImportResult:
        """Register one CSV row as a payment, idempotently by ``row_key``.

        With ``notice_number`` (validated, check digit included) the position exists
        already: the payment is stored as PAYMENT_PENDING and announced. Without it,
        the position is created on the intermediary as for a CREATION_PENDING event.
        Raises ValueError (InvalidNoticeNumber, ...) for a bad row, ConfigurationMissing
        without an active tenant/service, IntermediaryError when a creation fails.
        """
        payment_id = uuid.uuid5(IMPORT_NAMESPACE, f"{tenant_id}/{service_id}/{row_key}")
        config = self.store.active_config(tenant_id, service_id)
        if config is None:
            raise ConfigurationMissing(
                f"no active configuration for tenant {tenant_id} and service {service_id}; "
                "create or re-activate it before importing"
            )
        notice = NoticeNumber.parse(notice_number) if notice_number else None
        async with self._lock(payment_id):
            existing = self.store.get_payment(payment_id)
            if existing is not None:
                return ImportResult(payment_id, False, existing.event)
            if notice is not None:
                clash = self.store.find_by_notice(tenant_id, notice.notice_number)
                if clash is not None:
                    return ImportResult(clash.id, False, clash.event)
            now = self.clock()
            event = PaymentEvent(
                id=payment_id,
                user_id=user_id,
                type=self.settings.accepted_type,
                tenant_id=tenant_id,
                service_id=service_id,
                created_at=created_at or now,  # when the debt arose outside the platform
                updated_at=now,
                status=S.CREATION_PENDING,
                reason=reason,
                remote_id=remote_id,
                payment=PaymentData(amount=amount, expire_at=expire_at),
                links=Links(
                    notify=[NotifyLink(url=u) for u in notify_urls],
                    online_payment_landing=UrlLink(url=landing_url),
                ),
                payer=payer,
                event_id=uuid.uuid4(),
                event_version=EVENT_VERSION,
                event_created_at=now,
                app_id=self.settings.app_id,
            )
            stored = StoredPayment(event=event, origin="imported")
            if notice is None:
                outcome = await self._create(stored, config, None)
                if outcome.action is OutcomeAction.FAILED:
                    raise InvalidPaymentInput(outcome.reason)
                return ImportResult(payment_id, True, stored.event)
            creditor = creditor_config(*config)
            stored.position = DebtPosition(
                iud=iud_for(payment_id),
                iuv=notice.iuv,
                notice_number=notice.notice_number,
                creditor_fiscal_code=creditor.creditor_fiscal_code,
                amount=amount,
            )
            pending = event.next_version(self.settings.app_id, now=now, status=S.PAYMENT_PENDING)
            pending.payment.notice_code = notice.notice_number
            pending.payment.iuv = notice.iuv
            pending.payment.iud = stored.position.iud
            proxy_links(pending.links, payment_id, self.settings)
            pending.links.update.next_check_at = self._next_check(pending, 0, now)
            self._transition(stored, pending)
            self.metrics.payments_created.labels(origin="imported").inc()
            return ImportResult(payment_id, True, stored.event)
