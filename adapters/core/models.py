"""The OpenCity payment event, version 2.0, as typed models.

Field set and meanings follow the OpenCity developer docs and test fixtures
(see ``reference/opencity-payment-proxy.md`` §1.3). The event travels on the
``payments`` topic keyed by ``service_id``; every component of the platform
writes and reads the whole document, so unknown fields are kept (``extra``)
and re-published untouched.

Amounts are exact :class:`~decimal.Decimal` euros internally and JSON numbers
on the wire, as the platform sends them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)

EVENT_VERSION = "2.0"
PAYMENT_EVENT_TYPE = "PAGOPA"


MAX_AMOUNT = Decimal("999999999.99")  # pagoPA's stAmount: at most 9 integer digits


def _two_decimals(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"amount {value} is not a number")
    if abs(value) > MAX_AMOUNT:  # checked first: quantize() fails on huge exponents
        raise ValueError(f"amount {value} exceeds pagoPA's maximum of {MAX_AMOUNT}")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"amount {value} has more than 2 decimal places")
    return value.quantize(Decimal("0.01"))


Amount = Annotated[
    Decimal,
    AfterValidator(_two_decimals),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""Euros with at most two decimals; a JSON number on the wire."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class PaymentStatus(StrEnum):
    CREATION_PENDING = "CREATION_PENDING"
    CREATION_FAILED = "CREATION_FAILED"
    PAYMENT_PENDING = "PAYMENT_PENDING"
    PAYMENT_STARTED = "PAYMENT_STARTED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    CANCELED = "CANCELED"
    COMPLETE = "COMPLETE"
    EXPIRED = "EXPIRED"
    # Legacy values of the 1.0 field page; parsed, never produced.
    PAYMENT_CONFIRMED = "PAYMENT_CONFIRMED"
    NOTIFICATION_PENDING = "NOTIFICATION_PENDING"


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class LinkMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PATCH = "PATCH"


class UrlLink(_Model):
    url: str | None = None
    last_opened_at: datetime | None = None
    method: LinkMethod = LinkMethod.GET


class NotifyLink(_Model):
    url: str
    method: LinkMethod = LinkMethod.POST
    sent_at: datetime | None = None


class CheckLink(_Model):
    url: str | None = None
    last_check_at: datetime | None = None
    next_check_at: datetime | None = None
    method: LinkMethod = LinkMethod.GET


class Links(_Model):
    online_payment_begin: UrlLink = Field(default_factory=UrlLink)
    online_payment_landing: UrlLink = Field(default_factory=UrlLink)
    offline_payment: UrlLink = Field(default_factory=UrlLink)
    receipt: UrlLink = Field(default_factory=UrlLink)
    notify: list[NotifyLink] = Field(default_factory=list)
    update: CheckLink = Field(default_factory=CheckLink)
    confirm: CheckLink | None = None
    cancel: CheckLink | None = None


class Split(_Model):
    code: str
    amount: Amount
    meta: dict[str, Any] = Field(default_factory=dict)


class Receiver(_Model):
    tax_identification_number: str
    name: str
    iban: str | None = None
    address: str | None = None
    building_number: str | None = None
    postal_code: str | None = None
    town_name: str | None = None
    country_subdivision: str | None = None
    country: str | None = None


class Document(_Model):
    """The document a digital stamp (marca da bollo digitale) is paid for."""

    id: str | None = None
    ref: str | None = None
    hash: str = Field(description="'sha256:<hex>' or the base64 SHA-256 digest")


class PaymentData(_Model):
    transaction_id: str | None = Field(default=None, max_length=255)
    paid_at: datetime | None = None
    expire_at: datetime | None = None
    amount: Amount = Field(gt=0)
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    notice_code: str | None = Field(default=None, max_length=50)
    iud: str | None = Field(default=None, max_length=50)
    iuv: str | None = Field(default=None, max_length=50)
    split: list[Split] | None = None
    type: Literal["PAGOPA", "STAMP"] | None = None
    receiver: Receiver | None = None
    due_type: str | None = None
    pagopa_category: str | None = None
    document: Document | None = None


class Payer(_Model):
    type: Literal["human", "legal"] = "human"
    tax_identification_number: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=255)
    family_name: str | None = Field(default=None, max_length=255)
    street_name: str | None = None
    building_number: str | None = None
    postal_code: str | None = None
    town_name: str | None = None
    country_subdivision: str | None = None
    country: str | None = None
    email: str | None = None


class PaymentEvent(_Model):
    """One version of a payment, as published on the ``payments`` topic."""

    id: uuid.UUID
    user_id: uuid.UUID | None = None
    type: str = Field(max_length=50)
    tenant_id: uuid.UUID
    service_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    status: PaymentStatus
    reason: str = Field(max_length=140)
    remote_id: uuid.UUID | None = None
    payment: PaymentData
    links: Links = Field(default_factory=Links)
    payer: Payer
    debtor: Payer | None = None
    event_id: uuid.UUID
    event_version: str = Field(max_length=10)
    event_created_at: datetime
    app_id: str = Field(max_length=100)
    # collaudo extension: why the proxy moved the payment to this status (e.g. the
    # intermediary's refusal for CREATION_FAILED). ``reason`` stays the causale.
    status_reason: str | None = Field(default=None, max_length=1000)

    @field_validator("created_at", "updated_at", "event_created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def next_version(
        self, app_id: str, *, now: datetime | None = None, **changes: Any
    ) -> PaymentEvent:
        """A copy announcing a change: fresh ``event_id`` and timestamps.

        ``now`` is injectable so tests and replays get reproducible timestamps.
        """
        now = now or utcnow()
        # A validated round trip is a deep copy, several times faster than deepcopy.
        data = type(self).model_validate(self.model_dump(round_trip=True))
        data.status_reason = None
        for key, value in changes.items():
            setattr(data, key, value)
        data.updated_at = now
        data.event_id = uuid.uuid4()
        data.event_created_at = now
        data.event_version = EVENT_VERSION
        data.app_id = app_id
        return data

    def to_json(self) -> bytes:
        # Nulls stay (the platform reads them), the extension only when it says something.
        exclude = {"status_reason"} if self.status_reason is None else None
        return self.model_dump_json(exclude_none=False, exclude=exclude).encode()
