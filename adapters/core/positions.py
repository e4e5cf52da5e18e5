"""From a payment event and its configuration to what a driver needs, and back.

Pure functions: the request to create a debt position, the context to address
an existing one, and the links the proxy writes into the event it publishes.
"""

from __future__ import annotations

import uuid

from adapters.core.config import ServiceConfig, TenantConfig, creditor_config
from adapters.core.intermediary import (
    CreditorConfig,
    Debtor,
    DebtPosition,
    DebtPositionRequest,
    DigitalStamp,
    PositionContext,
    Transfer,
)
from adapters.core.models import Links, PaymentEvent
from adapters.core.settings import ProxySettings
from adapters.pagopa.notice import InvalidNoticeNumber, NoticeNumber
from adapters.pagopa.stamps import InvalidStamp, normalize_document_hash, validate_province_code

__all__ = [
    "InvalidPaymentInput",
    "adopted_position",
    "debtor_of",
    "iud_for",
    "position_context",
    "position_request",
    "proxy_links",
]


class InvalidPaymentInput(ValueError):
    """The event lacks or contradicts what the debt position needs (an internal error)."""


def iud_for(payment_id: uuid.UUID) -> str:
    """The IUD of a payment: its id without dashes, so every retry names the same position."""
    return payment_id.hex


def debtor_of(event: PaymentEvent) -> Debtor:
    """The debtor is ``debtor`` when the event has one, else the payer."""
    person = event.debtor or event.payer
    return Debtor(
        type=person.type,
        fiscal_code=person.tax_identification_number.upper(),
        name=person.name,
        family_name=person.family_name,
        email=person.email,
        street_name=person.street_name,
        building_number=person.building_number,
        postal_code=person.postal_code,
        town_name=person.town_name,
        province=person.country_subdivision,
        country=person.country,
    )


def _stamp(event: PaymentEvent) -> DigitalStamp:
    document = event.payment.document
    if document is None:
        raise InvalidPaymentInput(
            "a marca da bollo digitale needs payment.document.hash (SHA-256 of the document)"
        )
    province = (event.debtor or event.payer).country_subdivision
    if not province:
        raise InvalidPaymentInput(
            "a marca da bollo digitale needs the payer's province in payer.country_subdivision"
        )
    try:
        return DigitalStamp(
            document_hash=normalize_document_hash(document.hash),
            province=validate_province_code(province),
            amount=event.payment.amount,
        )
    except InvalidStamp as exc:
        raise InvalidPaymentInput(str(exc)) from exc


def position_request(
    event: PaymentEvent, tenant: TenantConfig, service: ServiceConfig
) -> DebtPositionRequest:
    """The creation request for a CREATION_PENDING event; raises InvalidPaymentInput."""
    payment = event.payment
    transfers = [
        Transfer(code=s.code, amount=s.amount, meta=dict(s.meta)) for s in payment.split or []
    ]
    if transfers:
        total = sum((t.amount for t in transfers), start=payment.amount * 0)
        if total != payment.amount:
            raise InvalidPaymentInput(
                f"split amounts add up to {total}, the payment amount is {payment.amount}"
            )
    is_stamp = service.payment_type == "stamp" or payment.type == "STAMP"
    return DebtPositionRequest(
        payment_id=event.id,
        iud=iud_for(event.id),
        creditor=creditor_config(tenant, service),
        amount=payment.amount,
        reason=event.reason,
        expire_at=payment.expire_at,
        debtor=debtor_of(event),
        transfers=transfers,
        stamp=_stamp(event) if is_stamp else None,
        taxonomy=payment.pagopa_category or service.collection_data,
    )


def adopted_position(event: PaymentEvent, creditor: CreditorConfig) -> DebtPosition:
    """The position of a PAYMENT_PENDING event created elsewhere (its notice identifies it)."""
    notice_code = event.payment.notice_code
    if not notice_code:
        raise InvalidPaymentInput("a PAYMENT_PENDING event to adopt needs payment.notice_code")
    try:
        notice = NoticeNumber.parse(notice_code)
    except InvalidNoticeNumber as exc:
        raise InvalidPaymentInput(f"payment.notice_code: {exc}") from exc
    return DebtPosition(
        iud=event.payment.iud or iud_for(event.id),
        iuv=event.payment.iuv or notice.iuv,
        notice_number=notice.notice_number,
        creditor_fiscal_code=creditor.creditor_fiscal_code,
        amount=event.payment.amount,
    )


def position_context(
    event: PaymentEvent, position: DebtPosition, creditor: CreditorConfig
) -> PositionContext:
    stamp = None
    if creditor.settings.get("payment_type") == "stamp" or event.payment.type == "STAMP":
        try:
            stamp = _stamp(event)
        except InvalidPaymentInput:
            stamp = None  # refused at creation already; the context still addresses it
    return PositionContext(
        payment_id=event.id,
        creditor=creditor,
        position=position,
        debtor=debtor_of(event),
        reason=event.reason,
        expire_at=event.payment.expire_at,
        stamp=stamp,
    )


def proxy_links(links: Links, payment_id: uuid.UUID, settings: ProxySettings) -> None:
    """Point the event's citizen links at this proxy (in place); notify/landing stay the
    platform's."""
    links.online_payment_begin.url = settings.link(f"online-payment/{payment_id}")
    links.offline_payment.url = settings.link(f"notice/{payment_id}")
    links.receipt.url = settings.link(f"receipt/{payment_id}")
    links.update.url = settings.update_link(f"update/{payment_id}")
    if not links.online_payment_landing.url and settings.landing_fallback_url:
        links.online_payment_landing.url = settings.landing_fallback_url
