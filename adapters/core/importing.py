"""The CSV import: one row of a creditor's list registered as a payment, idempotently.

A row's payment id is derived from its tenant, service and ``row_key``
(:data:`IMPORT_NAMESPACE`), so importing the same file twice changes nothing.
With a notice number the position exists already on the intermediary and the
payment is announced as PAYMENT_PENDING; without one the position is created as
for a CREATION_PENDING event (:meth:`Lifecycle.create`).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from adapters.core.config import ServiceConfig, TenantConfig, creditor_config
from adapters.core.errors import ConfigurationMissing
from adapters.core.intermediary import DebtPosition
from adapters.core.lifecycle import Lifecycle
from adapters.core.models import (
    EVENT_VERSION,
    Links,
    NotifyLink,
    Payer,
    PaymentData,
    PaymentEvent,
    PaymentStatus,
    UrlLink,
)
from adapters.core.outcomes import OutcomeAction
from adapters.core.positions import InvalidPaymentInput, iud_for, proxy_links
from adapters.core.store_rows import StoredPayment
from adapters.i18n import gettext as _
from adapters.pagopa.notice import NoticeNumber

__all__ = ["IMPORT_NAMESPACE", "ImportResult", "ImportRow", "import_payment", "register_now"]

S = PaymentStatus
IMPORT_NAMESPACE = uuid.UUID("6f1b7c2e-9d0a-4e53-8c1f-2a7b3d4e5f60")


@dataclass(frozen=True)
class ImportResult:
    """One imported row: the payment it maps to and whether this call created it."""

    payment_id: uuid.UUID
    created: bool
    event: PaymentEvent


@dataclass(frozen=True)
class ImportRow:
    """One CSV row's payment, as :meth:`PaymentService.import_payment` receives it."""

    tenant_id: uuid.UUID
    service_id: uuid.UUID
    row_key: str
    amount: Decimal
    reason: str
    payer: Payer
    notice_number: str | None = None
    expire_at: datetime | None = None
    remote_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    notify_urls: Sequence[str] = ()
    landing_url: str | None = None
    created_at: datetime | None = None

    @functools.cached_property
    def payment_id(self) -> uuid.UUID:
        return uuid.uuid5(IMPORT_NAMESPACE, f"{self.tenant_id}/{self.service_id}/{self.row_key}")


def _config(life: Lifecycle, row: ImportRow) -> tuple[TenantConfig, ServiceConfig]:
    config = life.store.active_config(row.tenant_id, row.service_id)
    if config is None:
        raise ConfigurationMissing(
            _(
                "no active configuration for tenant %(tenant)s and service %(service)s; "
                "create or re-activate it before importing"
            )
            % {"tenant": row.tenant_id, "service": row.service_id}
        )
    return config


def _existing(life: Lifecycle, row: ImportRow, notice: NoticeNumber | None) -> ImportResult | None:
    existing = life.store.get_payment(row.payment_id)
    if existing is not None:
        return ImportResult(row.payment_id, False, existing.event)
    if notice is not None:
        clash = life.store.find_by_notice(row.tenant_id, notice.notice_number)
        if clash is not None:
            return ImportResult(clash.id, False, clash.event)
    return None


async def import_payment(life: Lifecycle, row: ImportRow) -> ImportResult:
    """Register one CSV row as a payment; see :meth:`PaymentService.import_payment`."""
    config = _config(life, row)
    notice = NoticeNumber.parse(row.notice_number) if row.notice_number else None
    async with life.lock(row.payment_id):
        found = _existing(life, row, notice)
        if found is not None:
            return found
        stored = StoredPayment(event=_event(life, row), origin="imported")
        if notice is None:
            outcome = await life.create(stored, config, None)
            if outcome.action is OutcomeAction.FAILED:
                raise InvalidPaymentInput(outcome.reason)
            return ImportResult(row.payment_id, True, stored.event)
        return _register(life, stored, config, notice)


def register_now(
    life: Lifecycle, row: ImportRow, config: tuple[TenantConfig, ServiceConfig] | None = None
) -> ImportResult | None:
    """A row with a notice number registered without awaiting (no intermediary call), so
    many fit in one store transaction; None when an operation in flight holds the
    payment's lock (then use :func:`import_payment`)."""
    if not row.notice_number:
        raise ValueError("register_now needs a row with a notice number")
    config = config or _config(life, row)
    notice = NoticeNumber.parse(row.notice_number)
    if life.lock(row.payment_id).locked():
        return None
    found = _existing(life, row, notice)
    if found is not None:
        return found
    stored = StoredPayment(event=_event(life, row), origin="imported")
    return _register(life, stored, config, notice)


def _event(life: Lifecycle, row: ImportRow) -> PaymentEvent:
    now = life.clock()
    return PaymentEvent(
        id=row.payment_id,
        user_id=row.user_id,
        type=life.settings.accepted_type,
        tenant_id=row.tenant_id,
        service_id=row.service_id,
        created_at=row.created_at or now,  # when the debt arose outside the platform
        updated_at=now,
        status=S.CREATION_PENDING,
        reason=row.reason,
        remote_id=row.remote_id,
        payment=PaymentData(amount=row.amount, expire_at=row.expire_at),
        links=Links(
            notify=[NotifyLink(url=u) for u in row.notify_urls],
            online_payment_landing=UrlLink(url=row.landing_url),
        ),
        payer=row.payer,
        event_id=uuid.uuid4(),
        event_version=EVENT_VERSION,
        event_created_at=now,
        app_id=life.settings.app_id,
    )


def _register(
    life: Lifecycle,
    stored: StoredPayment,
    config: tuple[TenantConfig, ServiceConfig],
    notice: NoticeNumber,
) -> ImportResult:
    """The position exists already: store the payment as PAYMENT_PENDING and announce it."""
    event = stored.event
    now = life.clock()
    creditor = creditor_config(*config)
    stored.position = DebtPosition(
        iud=iud_for(event.id),
        iuv=notice.iuv,
        notice_number=notice.notice_number,
        creditor_fiscal_code=creditor.creditor_fiscal_code,
        amount=event.payment.amount,
    )
    pending = event.next_version(life.settings.app_id, now=now, status=S.PAYMENT_PENDING)
    pending.payment.notice_code = notice.notice_number
    pending.payment.iuv = notice.iuv
    pending.payment.iud = stored.position.iud
    proxy_links(pending.links, event.id, life.settings)
    pending.links.update.next_check_at = life.next_check(pending, 0, now)
    life.transition(stored, pending)
    life.metrics.payments_created.labels(origin="imported").inc()
    return ImportResult(event.id, True, stored.event)
