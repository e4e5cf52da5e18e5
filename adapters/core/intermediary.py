"""The one seam between the proxy and a pagoPA intermediary.

An intermediary driver implements five verbs and nothing else::

    create_debt_position(request)  -> DebtPosition
    checkout_url(ctx, return_urls) -> str
    notice_pdf(ctx)                -> bytes
    status(ctx)                    -> PositionStatus
    receipt(ctx)                   -> Receipt

A driver that can also withdraw a position offers the optional verb of
:class:`Cancellable` (checked with ``isinstance``)::

    cancel_position(ctx, reason)   -> None

Errors raised by a driver, translated once at its boundary::

    IntermediaryError              every failure; carries the exchanges
    ├── RetriableError             try again later (backoff)
    │   ├── IntermediaryUnavailable    connection refused / reset, DNS, timeout
    │   └── IntermediaryFault          SOAP system fault, HTTP 5xx, malformed answer
    └── PermanentError             retrying will not help
        ├── RequestRejected            semantic / validation error (PAA_SEMANTICA, 4xx)
        ├── AccessDenied               credentials refused, 403 from an IP allowlist
        ├── PositionNotFound           the intermediary does not know the position
        ├── NotPaidYet                 a receipt was asked for an unpaid position
        └── VerbNotImplemented         a (generated) driver has no operation for this verb yet

Each error keeps the :class:`Exchange` list (what was sent and received, where,
when) so a vendor report can show the evidence, and an optional ``diagnosis``:
a sentence telling the integrator what to do (e.g. which source address to ask
the vendor to allow).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Exchange:
    """One request/response with an intermediary, secrets already removed."""

    endpoint: str
    operation: str
    started_at: datetime
    request: str
    response: str | None = None
    status_code: int | None = None
    duration_ms: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "operation": self.operation,
            "started_at": self.started_at.isoformat(),
            "request": self.request,
            "response": self.response,
            "status_code": self.status_code,
            "duration_ms": self.duration_ms,
            "error": self.error,
        }


class IntermediaryError(Exception):
    """Any failure talking to an intermediary."""

    retriable: bool = False

    def __init__(
        self,
        message: str,
        *,
        exchanges: Sequence[Exchange] = (),
        diagnosis: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exchanges: list[Exchange] = list(exchanges)
        self.diagnosis = diagnosis
        self.code = code  # fault code or HTTP status, e.g. "PAA_SEMANTICA", "HTTP 503"

    def describe(self) -> str:
        """One line fit for a payment's ``reason`` and a log line."""
        parts = [self.message]
        if self.code:
            parts.insert(0, f"[{self.code}]")
        if self.diagnosis:
            parts.append(f"— {self.diagnosis}")
        return " ".join(parts)


class RetriableError(IntermediaryError):
    retriable = True


class IntermediaryUnavailable(RetriableError):
    """The intermediary could not be reached or did not answer in time."""


class IntermediaryFault(RetriableError):
    """The intermediary answered with a system error or an unreadable answer."""


class PermanentError(IntermediaryError):
    retriable = False


class RequestRejected(PermanentError):
    """The intermediary refused the request as invalid."""


class AccessDenied(PermanentError):
    """Credentials refused, or the caller's address is not allow-listed."""


class PositionNotFound(PermanentError):
    """The intermediary does not know this debt position."""


class NotPaidYet(PermanentError):
    """A receipt exists only once the position is paid."""


class VerbNotImplemented(PermanentError):
    """The driver does not implement this verb yet (a generated skeleton whose contract had
    no clear operation for it): ``verb`` names it (``notice_pdf``…), the message says which
    operations were candidates and what to write. The proxy records it as the payment's
    reason, and ``collaudo run`` reports the scenario as ``non implementato: <verb>``."""

    def __init__(self, verb: str, message: str, *, candidates: Sequence[str] = ()) -> None:
        super().__init__(
            f"non implementato: {verb} — {message}", code="NOT_IMPLEMENTED", diagnosis=None
        )
        self.verb = verb
        self.candidates = tuple(candidates)


@dataclass(frozen=True)
class Debtor:
    """Who owes the amount (``payer`` of the OpenCity event)."""

    type: str  # "human" | "legal"
    fiscal_code: str
    name: str
    family_name: str | None = None
    email: str | None = None
    street_name: str | None = None
    building_number: str | None = None
    postal_code: str | None = None
    town_name: str | None = None
    province: str | None = None
    country: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.name, self.family_name) if p)


@dataclass(frozen=True)
class Transfer:
    """A share of the amount for a beneficiary (OpenCity ``split``)."""

    code: str
    amount: Decimal
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DigitalStamp:
    """A marca da bollo digitale to collect with the payment."""

    document_hash: str  # base64 SHA-256 of the document (pagoPA ``hashDocumento``)
    province: str  # payer's province of residence, 2-letter sigla
    amount: Decimal = Decimal("16.00")
    stamp_type: str = "01"  # pagoPA ``tipoBollo``


@dataclass(frozen=True)
class CreditorProfile:
    """How the creditor presents itself on the notices the proxy prints (tenant fields)."""

    office: str | None = None  # settore / ufficio
    contact_info: str | None = None
    website: str | None = None
    cbill_code: str | None = None
    logo: bytes | None = None  # PNG or JPEG, checked when configured
    postal_account: str | None = None  # conto corrente postale: enables the Poste part
    postal_account_holder: str | None = None
    postal_authorization: str | None = None


@dataclass(frozen=True)
class CreditorConfig:
    """The tenant/service configuration a driver needs, already resolved.

    ``settings`` holds the driver's own fields (codice IPA, codice tipo dovuto,
    station, ...), keyed as the driver declared them; secrets are *names* of
    environment variables there and are read by the driver at call time.
    """

    tenant_id: uuid.UUID
    service_id: uuid.UUID
    creditor_fiscal_code: str
    creditor_name: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    profile: CreditorProfile = field(default_factory=CreditorProfile)


@dataclass(frozen=True)
class DebtPositionRequest:
    payment_id: uuid.UUID
    iud: str  # derived from payment_id: retries find the same position
    creditor: CreditorConfig
    amount: Decimal
    reason: str
    expire_at: datetime | None
    debtor: Debtor
    transfers: Sequence[Transfer] = ()
    stamp: DigitalStamp | None = None
    taxonomy: str | None = None  # pagoPA category ("collection_data")


@dataclass(frozen=True)
class DebtPosition:
    """What the intermediary created; stored with the payment."""

    iud: str
    iuv: str
    notice_number: str
    creditor_fiscal_code: str
    amount: Decimal
    # Opaque driver handles needed later (e.g. GPD iupd, MyPay identificativo).
    handle: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PositionContext:
    """Everything a driver needs to address an existing position."""

    payment_id: uuid.UUID
    creditor: CreditorConfig
    position: DebtPosition
    debtor: Debtor
    reason: str
    expire_at: datetime | None = None
    stamp: DigitalStamp | None = None  # the marca da bollo the position collects


@dataclass(frozen=True)
class ReturnUrls:
    ok: str
    cancel: str
    error: str


class PositionState(StrEnum):
    UNPAID = "UNPAID"
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"


@dataclass(frozen=True)
class PositionStatus:
    state: PositionState
    paid_at: datetime | None = None
    amount_paid: Decimal | None = None
    transaction_id: str | None = None  # receipt id / IUR
    psp: str | None = None


@dataclass(frozen=True)
class Receipt:
    """The receipt (RT / pagoPA receipt) of a paid position."""

    content: bytes
    media_type: str  # "application/xml", "application/pdf", ...
    filename: str
    iuv: str
    amount: Decimal
    payer_fiscal_code: str | None
    paid_at: datetime | None
    receipt_id: str | None = None


@runtime_checkable
class Intermediary(Protocol):
    """A pagoPA intermediary as the proxy sees it."""

    name: str

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        """Create (or find again, by IUD) the debt position for a payment."""
        ...

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        """Where to send the citizen to pay online."""
        ...

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        """The paper notice (avviso di pagamento), as a PDF."""
        ...

    async def status(self, ctx: PositionContext) -> PositionStatus:
        """The position's state at the intermediary, the source of truth."""
        ...

    async def receipt(self, ctx: PositionContext) -> Receipt:
        """The receipt of a paid position; :class:`NotPaidYet` before."""
        ...


@runtime_checkable
class Cancellable(Protocol):
    """An intermediary that can withdraw a position, so it can no longer be paid.

    Optional: the proxy offers cancellation (``links.cancel``) only for drivers that have
    it. The intermediary refuses to cancel a position already paid; that refusal is
    raised as the driver's error and nothing changes.
    """

    async def cancel_position(self, ctx: PositionContext, reason: str) -> None:
        """Withdraw the position; cancelling one already cancelled is not an error."""
        ...
