"""The payment operations: the consumer's per-event entry point and the citizen links.

:class:`PaymentService` is the public face of the proxy's payment work. Every
status change goes through :meth:`adapters.core.lifecycle.Lifecycle.transition`,
which checks the status machine and writes the new event version to the store
together with its outbox row and its notifications (one transaction). Publishing
the outbox, polling and notifying are driven from outside (:mod:`adapters.core.runtime`)
through :meth:`drain_outbox`, :meth:`poll_due` and :meth:`deliver_notifications`.

The work lives in small sibling modules this class delegates to:
:mod:`~adapters.core.lifecycle` (locks, transitions, polling schedule, creation),
:mod:`~adapters.core.consuming` (one consumed message), :mod:`~adapters.core.polling`
(status checks) and :mod:`~adapters.core.importing` (CSV rows).

Rules these modules keep (DESIGN.md "Reliability rules"):

- creation is idempotent: the IUD is the payment id's hex, a redelivered
  CREATION_PENDING never creates a second position, a retry after a timeout
  sends the same IUD;
- nothing is marked paid on anyone's word but the intermediary's ``status``;
- bad events are rejected with a reason and counted; the consumer goes on.
"""

from __future__ import annotations

import contextlib
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
from prometheus_client import CollectorRegistry

from adapters.core import consuming, importing, polling
from adapters.core.bus import Bus
from adapters.core.config import ServiceConfig, TenantConfig
from adapters.core.crash import crash_point
from adapters.core.errors import PaymentNotFound, PaymentNotPaid, PaymentStateError
from adapters.core.importing import ImportResult, ImportRow
from adapters.core.intermediary import (
    Cancellable,
    Intermediary,
    IntermediaryError,
    NotPaidYet,
    Receipt,
    ReturnUrls,
)
from adapters.core.lifecycle import POLLED, Clock, Lifecycle
from adapters.core.metrics import ProxyMetrics
from adapters.core.models import Payer, PaymentEvent, PaymentStatus, utcnow
from adapters.core.notify import Notifier
from adapters.core.outcomes import Outcome
from adapters.core.settings import ProxySettings
from adapters.core.store import StaleWrite, Store
from adapters.i18n import gettext as _

__all__ = [
    "PaymentNotFound",
    "PaymentNotPaid",
    "PaymentService",
    "PaymentStateError",
    "ProxySettings",
]

log = logging.getLogger(__name__)

S = PaymentStatus
# The named leases (Store.acquire_lease) of the work one replica does at a time.
OUTBOX_LEASE = "outbox"
PRUNER_LEASE = "pruner"
# Tries of a citizen link's write when another replica keeps saving the same payment.
_WRITE_ATTEMPTS = 3


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
        self.bus = bus
        settings = settings or ProxySettings()
        metrics = metrics or ProxyMetrics()
        rng = rng or random.Random()
        self.notifier = Notifier(store, metrics, settings, clock=clock, http=http)
        self._life = Lifecycle(store, intermediary, settings, metrics, clock, rng)

    # The collaborators live on the lifecycle, once. Only the intermediary may be
    # replaced on a running service (a test swapping in a slow one reaches every operation).

    @property
    def intermediary(self) -> Intermediary:
        return self._life.intermediary

    @intermediary.setter
    def intermediary(self, value: Intermediary) -> None:
        self._life.intermediary = value

    @property
    def store(self) -> Store:
        return self._life.store

    @property
    def settings(self) -> ProxySettings:
        return self._life.settings

    @property
    def metrics(self) -> ProxyMetrics:
        return self._life.metrics

    @property
    def clock(self) -> Clock:
        return self._life.clock

    @property
    def rng(self) -> random.Random:
        return self._life.rng

    @property
    def on_outbox(self) -> list[Callable[[], None]]:
        """Called after every write that enqueued events (the runtime wakes its loops);
        append to it."""
        return self._life.on_outbox

    @property
    def registry(self) -> CollectorRegistry:
        """The Prometheus registry of this instance (serve it at ``/metrics``)."""
        return self.metrics.registry

    async def aclose(self) -> None:
        await self.notifier.aclose()

    # -- consuming --------------------------------------------------------------------------

    async def handle_event(self, raw: bytes) -> Outcome:
        """Process one message of the ``payments`` topic. Never raises."""
        return await consuming.handle_event(self._life, raw)

    # -- citizen links -------------------------------------------------------------------------

    async def begin_online_payment(self, payment_id: uuid.UUID) -> str:
        """The checkout URL for the citizen; moves PAYMENT_PENDING to PAYMENT_STARTED."""
        async with self._life.lock(payment_id):
            stored = self._life.require(payment_id)
            if stored.status not in POLLED:
                raise PaymentStateError(
                    payment_id, stored.status, _("there is nothing to pay online")
                )
            ctx = self._life.context(stored)
            returns = ReturnUrls(
                ok=self.settings.link(f"landing/{payment_id}?outcome=ok"),
                cancel=self.settings.link(f"landing/{payment_id}?outcome=cancel"),
                error=self.settings.link(f"landing/{payment_id}?outcome=error"),
            )
            url = await self._life.call(
                stored, "checkout_url", self.intermediary.checkout_url(ctx, returns)
            )
            for attempt in range(1, _WRITE_ATTEMPTS + 1):
                now = self.clock()
                if stored.status is S.PAYMENT_STARTED:
                    self._life.touch(stored, stored.event.links.online_payment_begin)
                    return url
                if stored.status is not S.PAYMENT_PENDING:  # paid or expired meanwhile
                    raise PaymentStateError(
                        payment_id, stored.status, _("there is nothing to pay online")
                    )
                started = stored.event.next_version(
                    self.settings.app_id, now=now, status=S.PAYMENT_STARTED
                )
                started.links.online_payment_begin.last_opened_at = now
                try:
                    self._life.transition(stored, started)
                    return url
                except StaleWrite:
                    # Another replica saved the payment since it was read here (its
                    # poller, the same link opened there): read it again and decide anew.
                    if attempt == _WRITE_ATTEMPTS:
                        raise
                    stored = self._life.require(payment_id)
            raise AssertionError("unreachable")  # pragma: no cover

    async def notice_pdf(self, payment_id: uuid.UUID) -> bytes:
        """The paper notice (avviso) PDF, from the intermediary."""
        stored = self._life.require(payment_id)
        pdf = await self._life.call(
            stored, "notice_pdf", self.intermediary.notice_pdf(self._life.context(stored))
        )
        async with self._life.lock(payment_id):
            fresh = self._life.require(payment_id)
            self._life.touch(fresh, fresh.event.links.offline_payment)
        return pdf

    async def update(self, payment_id: uuid.UUID) -> PaymentEvent:
        """Ask the intermediary for the status; publish a new version if it changed."""
        async with self._life.lock(payment_id):
            for attempt in range(1, _WRITE_ATTEMPTS + 1):
                stored = self._life.require(payment_id)
                try:
                    await polling.refresh(self._life, stored)
                    return stored.event
                except StaleWrite:  # another replica saved it meanwhile: ask again
                    if attempt == _WRITE_ATTEMPTS:
                        raise
            raise AssertionError("unreachable")  # pragma: no cover

    async def on_intermediary_callback(self, payment_id: uuid.UUID) -> PaymentEvent:
        """A callback (e.g. "paid") only triggers a check: the intermediary's status decides.

        A failed check is kept as the payment's ``last_error`` (shown by ``/payments/{id}``)
        and moves the polling schedule on, as a failed poll does; the error is raised.
        """
        async with self._life.lock(payment_id):
            stored = self._life.require(payment_id)
            try:
                await polling.refresh(self._life, stored)
            except IntermediaryError as exc:
                polling.check_failed(self._life, stored, exc, self.clock())
                raise
            return stored.event

    async def landing(self, payment_id: uuid.UUID) -> str:
        """Check the status (best effort) and return the platform's landing URL."""
        async with self._life.lock(payment_id):
            stored = self._life.require(payment_id)
            try:
                await polling.refresh(self._life, stored)
            except (IntermediaryError, StaleWrite) as exc:
                log.warning(
                    "landing %s: status check failed, redirecting anyway: %s", payment_id, exc
                )
            url = (
                stored.event.links.online_payment_landing.url or self.settings.landing_fallback_url
            )
            if not url:
                raise PaymentStateError(
                    payment_id, stored.status, _("the event carries no online_payment_landing URL")
                )
            return url

    async def cancel(self, payment_id: uuid.UUID, reason: str) -> PaymentEvent:
        """Withdraw a pending payment: the intermediary cancels the position, then CANCELED.

        Only through a driver that offers :class:`Cancellable` (a position left payable at
        the intermediary while the platform thinks it cancelled would take the citizen's
        money for nothing). The intermediary refuses a paid position: its error is raised
        and the payment is checked again. Cancelling a CANCELED payment changes nothing.
        """
        async with self._life.lock(payment_id):
            stored = self._life.require(payment_id)
            if stored.status is S.CANCELED:
                return stored.event
            if stored.status not in POLLED:
                raise PaymentStateError(
                    payment_id,
                    stored.status,
                    _("only a payment waiting to be paid can be cancelled"),
                )
            intermediary = self.intermediary
            if not isinstance(intermediary, Cancellable):
                raise PaymentStateError(
                    payment_id,
                    stored.status,
                    _(
                        "the %(driver)s driver cannot cancel positions: withdraw it on the "
                        "intermediary's console; the proxy sees the cancellation at its next check"
                    )
                    % {"driver": intermediary.name},
                )
            ctx = self._life.context(stored)
            try:
                await self._life.call(
                    stored, "cancel_position", intermediary.cancel_position(ctx, reason)
                )
            except IntermediaryError:
                with contextlib.suppress(IntermediaryError, StaleWrite):
                    await polling.refresh(self._life, stored)  # paid meanwhile? say so
                raise
            now = self.clock()
            cancelled = stored.event.next_version(
                self.settings.app_id,
                now=now,
                status=S.CANCELED,
                status_reason=f"cancelled at the platform's request: {reason}",
            )
            self._life.transition(stored, cancelled)
            log.info("payment %s cancelled: %s", payment_id, reason)
            return cancelled

    async def receipt(self, payment_id: uuid.UUID) -> Receipt:
        """The receipt of a paid payment; :class:`PaymentNotPaid` until the intermediary says so."""
        async with self._life.lock(payment_id):
            stored = self._life.require(payment_id)
            if stored.status in POLLED:
                await polling.refresh(self._life, stored)
            if stored.status is not S.COMPLETE:
                raise PaymentNotPaid(payment_id, stored.status)
            try:
                receipt = await self._life.call(
                    stored, "receipt", self.intermediary.receipt(self._life.context(stored))
                )
            except NotPaidYet:
                raise PaymentNotPaid(payment_id, stored.status) from None
            self._life.touch(stored, stored.event.links.receipt)
            return receipt

    # -- time-driven work ----------------------------------------------------------------------

    async def poll_due(self, now: datetime | None = None, limit: int = 100) -> int:
        """Run the due status checks (and expiries) and creation retries; returns how many."""
        return await polling.poll_due(self._life, now or self.clock(), limit)

    async def drain_outbox(self, limit: int = 500) -> int:
        """Publish the outbox in order; returns how many events were published.

        One replica publishes at a time (the ``outbox`` lease, renewed at each batch that
        finds work), so a payment's events reach the bus in the order they were written
        whichever replica wrote them; the holder's loop publishes the other replicas' rows
        at its next tick, and once it is idle (or dead) for a lease the next replica with
        work takes over. A replica that dies between publishing and marking leaves those
        rows to the next holder, which publishes them again with the same ``event_id``
        (consumers deduplicate).
        """
        if not self.store.pending_outbox(1):
            return 0  # nothing to publish: no lease taken, no write
        settings = self.settings
        if not self.store.acquire_lease(OUTBOX_LEASE, settings.replica_id, settings.lease_seconds):
            return 0  # another replica is publishing; it publishes our rows too
        published: list[int] = []
        try:
            # Read after taking the lease: a previous holder may have published meanwhile.
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

    async def prune_history(self, now: datetime | None = None) -> int:
        """Delete one batch of bookkeeping older than ``settings.retention_days``
        (see :meth:`Store.prune`); returns the rows deleted, 0 when retention is off or
        another replica holds the ``pruner`` lease (renewed here at each batch)."""
        days = self.settings.retention_days
        if days == 0:
            return 0
        settings = self.settings
        if not self.store.acquire_lease(PRUNER_LEASE, settings.replica_id, settings.lease_seconds):
            return 0  # another replica is pruning (one at a time: same rows, same locks)
        deleted = self.store.prune((now or self.clock()) - timedelta(days=days))
        total = sum(deleted.values())
        if total:
            log.info(
                "pruned bookkeeping older than %d days: %s",
                days,
                ", ".join(f"{n} {table}" for table, n in deleted.items() if n),
            )
        return total

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
        return await importing.import_payment(
            self._life,
            ImportRow(
                tenant_id=tenant_id,
                service_id=service_id,
                row_key=row_key,
                amount=amount,
                reason=reason,
                payer=payer,
                notice_number=notice_number,
                expire_at=expire_at,
                remote_id=remote_id,
                user_id=user_id,
                notify_urls=notify_urls,
                landing_url=landing_url,
                created_at=created_at,
            ),
        )

    async def import_row(self, row: ImportRow) -> ImportResult:
        """:meth:`import_payment` of a row already packed."""
        return await importing.import_payment(self._life, row)

    def register_now(
        self, row: ImportRow, config: tuple[TenantConfig, ServiceConfig] | None = None
    ) -> ImportResult | None:
        """A row with a notice number registered synchronously (nothing to ask the
        intermediary), so a batch of them fits in one store transaction
        (:meth:`Store.group`); None when an operation in flight holds the payment.
        ``config``: the active tenant and service, read once for many rows (None: read
        here; ConfigurationMissing when there is none)."""
        return importing.register_now(self._life, row, config)
