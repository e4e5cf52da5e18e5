"""What the platform accepts: application requests and payment events v2, validated.

Written here, from the reference (``opencity-payment-proxy.md`` §1.3), not
borrowed from the adapter: the platform and the proxy must agree through the
contract, not through shared code.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

EVENT_VERSION = "2.0"

# Demo data of DESIGN.md ("Demo data"): the world every simulator starts in.
DEMO_TENANT_ID = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
DEMO_TENANT_NAME = "Comune di Bugliano"
OCCUPAZIONE_SUOLO_ID = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")
CANONE_CUP_ID = uuid.UUID("a5a9bf9f-7b5c-4aed-b020-5bf2d1ca75ab")
RESIDENZA_ID = uuid.UUID("7d0c5a1e-2f4b-4c8e-9b3a-5e6f7a8b9c0d")
DEMO_SERVICES: dict[uuid.UUID, str] = {
    OCCUPAZIONE_SUOLO_ID: "Occupazione suolo pubblico",
    CANONE_CUP_ID: "Canone unico patrimoniale",
    RESIDENZA_ID: "Istanza di residenza",
}

# Current statuses first, then the legacy ones of the 1.0 field page (still parsed).
STATUS_LABELS: dict[str, str] = {
    "CREATION_PENDING": "In attesa di creazione",
    "CREATION_FAILED": "Creazione non riuscita",
    "PAYMENT_PENDING": "Da pagare",
    "PAYMENT_STARTED": "Pagamento avviato",
    "PAYMENT_FAILED": "Pagamento non riuscito",
    "CANCELED": "Annullato",
    "COMPLETE": "Pagato",
    "EXPIRED": "Scaduto",
    "PAYMENT_CONFIRMED": "Pagamento confermato",
    "NOTIFICATION_PENDING": "In attesa di notifica",
}
Status = Literal[
    "CREATION_PENDING", "CREATION_FAILED", "PAYMENT_PENDING", "PAYMENT_STARTED",
    "PAYMENT_FAILED", "CANCELED", "COMPLETE", "EXPIRED", "PAYMENT_CONFIRMED",
    "NOTIFICATION_PENDING",
]  # fmt: skip

_TAX_ID = re.compile(r"^(?:[A-Z0-9]{16}|[0-9]{11})$")
_SHA256_HEX = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")


class Payer(BaseModel):
    """Who pays: the citizen (``human``) or a company (``legal``)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    type: Literal["human", "legal"] = "human"
    tax_identification_number: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=255)
    family_name: str | None = Field(default=None, max_length=255)
    street_name: str | None = None
    building_number: str | None = None
    postal_code: str | None = None
    town_name: str | None = None
    country_subdivision: str | None = Field(default=None, max_length=2)
    country: str | None = Field(default=None, max_length=2)
    email: str | None = None

    @field_validator("tax_identification_number")
    @classmethod
    def _tax_id(cls, value: str) -> str:
        value = value.upper()
        if not _TAX_ID.match(value):
            raise ValueError(
                "must be a codice fiscale (16 letters and digits) or a partita IVA (11 digits)"
            )
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value


class ApplicationRequest(BaseModel):
    """The body of ``POST /applications``: one application with one payment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tenant_id: uuid.UUID
    service_id: uuid.UUID
    amount: Decimal = Field(gt=0, le=Decimal("999999999.99"))
    reason: str | None = Field(default=None, min_length=1, max_length=140)
    payer: Payer
    document_hash: str | None = Field(
        default=None, description="SHA-256 of the document a digital stamp is paid for"
    )

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: Decimal) -> Decimal:
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(f"amount {value} has more than 2 decimal places")
        return value.quantize(Decimal("0.01"))

    @field_validator("document_hash")
    @classmethod
    def _hash(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _SHA256_HEX.match(value)
        if not match:
            raise ValueError("must be a SHA-256 digest: 'sha256:' and 64 hex digits")
        return f"sha256:{match.group(1).lower()}"


class IncomingEvent(BaseModel):
    """The fields of a payment event v2 the platform relies on; the rest is kept as sent."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID
    event_id: uuid.UUID
    tenant_id: uuid.UUID
    service_id: uuid.UUID
    remote_id: uuid.UUID | None = None
    status: Status
    updated_at: datetime
    event_created_at: datetime
    event_version: Literal["2.0"]
    payment: dict[str, Any]
    links: dict[str, Any] = Field(default_factory=dict)

    @field_validator("updated_at", "event_created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @property
    def version_key(self) -> tuple[datetime, datetime]:
        """Orders versions of one payment: later ``updated_at``, then ``event_created_at``."""
        return (self.updated_at, self.event_created_at)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic's errors as ``{"field": "payer.name", "message": ...}`` for a person."""
    errors = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "(body)"
        message = error["msg"]
        if error["type"] == "missing":
            message = "is required"
        elif error["type"] == "extra_forbidden":
            message = "is not a field of this request"
        errors.append({"field": field, "message": message})
    return errors


def summary(errors: list[dict[str, str]]) -> str:
    """``"payer.name: is required; amount: ..."``, for a problem's ``detail``."""
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


def parse_event(raw: bytes | str | dict[str, Any]) -> tuple[IncomingEvent, dict[str, Any]]:
    """Validate one payment event; returns the model and the document as sent.

    Raises :class:`MalformedEvent` naming what is wrong.
    """
    if isinstance(raw, dict):
        document = raw
    else:
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedEvent(f"body is not JSON: {exc}", []) from exc
    if not isinstance(document, dict):
        raise MalformedEvent("a payment event is a JSON object", [])
    try:
        event = IncomingEvent.model_validate(document)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise MalformedEvent(f"not a payment event v2: {summary(errors)}", errors) from exc
    return event, document


class MalformedEvent(ValueError):
    """A payment event the platform cannot use; ``errors`` lists the fields at fault."""

    def __init__(self, reason: str, errors: list[dict[str, str]]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors
