"""The CSV import: one row of a creditor's list registered as a payment, idempotently.

A row's payment id is derived from its tenant, service and ``row_key``
(:data:`IMPORT_NAMESPACE`), so importing the same file twice changes nothing.
With a notice number the position exists already on the intermediary and the
payment is announced as PAYMENT_PENDING; without one the position is created as
for a CREATION_PENDING event (:meth:`Lifecycle.create`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from adapters.core.config import creditor_config
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
from adapters.pagopa.notice import NoticeNumber

__all__ = ["IMPORT_NAMESPACE", "ImportResult", "import_payment"]

S = PaymentStatus
IMPORT_NAMESPACE = uuid.UUID("6f1b7c2e-9d0a-4e53-8c1f-2a7b3d4e5f60")


@dataclass(frozen=True)
class ImportResult:
    """One imported row: the payment it maps to and whether this call created it."""

    payment_id: uuid.UUID
    created: bool
    event: PaymentEvent


async def import_payment(
    life: Lifecycle,
    *,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    row_key: str,
    amount: Decimal,
    reason: str,
    payer: Payer,
    notice_number: str | None,
    expire_at: datetime | None,
    remote_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    notify_urls: Sequence[str],
    landing_url: str | None,
    created_at: datetime | None,
) -> ImportResult:
    """Register one CSV row as a payment; see :meth:`PaymentService.import_payment`."""
    payment_id = uuid.uuid5(IMPORT_NAMESPACE, f"{tenant_id}/{service_id}/{row_key}")
    config = life.store.active_config(tenant_id, service_id)
    if config is None:
        raise ConfigurationMissing(
            f"no active configuration for tenant {tenant_id} and service {service_id}; "
            "create or re-activate it before importing"
        )
    notice = NoticeNumber.parse(notice_number) if notice_number else None
    async with life.lock(payment_id):
        existing = life.store.get_payment(payment_id)
        if existing is not None:
            return ImportResult(payment_id, False, existing.event)
        if notice is not None:
            clash = life.store.find_by_notice(tenant_id, notice.notice_number)
            if clash is not None:
                return ImportResult(clash.id, False, clash.event)
        now = life.clock()
        event = PaymentEvent(
            id=payment_id,
            user_id=user_id,
            type=life.settings.accepted_type,
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
            app_id=life.settings.app_id,
        )
        stored = StoredPayment(event=event, origin="imported")
        if notice is None:
            outcome = await life.create(stored, config, None)
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
        pending = event.next_version(life.settings.app_id, now=now, status=S.PAYMENT_PENDING)
        pending.payment.notice_code = notice.notice_number
        pending.payment.iuv = notice.iuv
        pending.payment.iud = stored.position.iud
        proxy_links(pending.links, payment_id, life.settings)
        pending.links.update.next_check_at = life.next_check(pending, 0, now)
        life.transition(stored, pending)
        life.metrics.payments_created.labels(origin="imported").inc()
        return ImportResult(payment_id, True, stored.event)
