"""Debt positions as the simulator keeps them, and the parsing of ``PaymentPositionModel``.

Validation is hand-written (no per-request schema engine, for speed) and follows
``gpd.json`` plus GPD's documented rules: amounts coherent with transfers, dates
coherent with each other, one of IBAN / postal IBAN / stamp per transfer. Any
violation raises :class:`InvalidPosition` with a message naming the field, which
the API turns into the spec's ``ProblemJson`` 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.gpd.iuv import InvalidIuv, notice_number, validate_iuv, validate_nav

STATUSES = (
    "DRAFT", "PUBLISHED", "VALID", "INVALID", "EXPIRED", "PARTIALLY_PAID", "PAID", "REPORTED"
)  # fmt: skip
TRANSFER_IDS = ("1", "2", "3", "4", "5")
_IBAN = re.compile(r"^[A-Za-z0-9]{1,35}$")
_POSTAL_IBAN = re.compile(r"^$|^[A-Za-z0-9]{1,35}$")
_TWO_UPPER = re.compile(r"[A-Z]{2}")
_ADDRESS_FIELDS = (
    "streetName", "civicNumber", "postalCode", "city", "province", "region", "country", "email",
    "phone",
)  # fmt: skip


class InvalidPosition(ValueError):
    """The request body is not a valid ``PaymentPositionModel``; the message says where."""


def check_iban(value: object, where: str) -> str:
    """``value`` as a ``TransferModel.iban`` (1 to 35 letters and digits), else
    :class:`InvalidPosition` naming ``where``."""
    if not isinstance(value, str):
        raise InvalidPosition(f"{where} must be a string, got {type(value).__name__}")
    if not _IBAN.match(value):
        raise InvalidPosition(f"{where} {value!r} must be 1 to 35 letters and digits")
    return value


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (GPD works in UTC ``LocalDateTime``)."""
    return datetime.now(UTC).replace(tzinfo=None)


def format_datetime(value: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, e.g. ``2025-01-31T10:00:00.000Z``."""
    return value.isoformat(timespec="milliseconds") + "Z"


def parse_datetime(value: object, where: str) -> datetime:
    """An ISO date-time (with or without offset) as naive UTC; offsets are converted."""
    if not isinstance(value, str):
        raise InvalidPosition(f"{where} must be a date-time string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidPosition(
            f"{where} {value!r} is not an ISO 8601 date-time (e.g. 2030-12-31T23:59:59Z)"
        ) from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@dataclass
class Stamp:
    """A digital stamp (marca da bollo) requested in place of an IBAN."""

    hash_document: str
    stamp_type: str
    provincial_residence: str


@dataclass
class Transfer:
    """One beneficiary share of a payment option (``TransferModel``)."""

    id_transfer: str
    amount: int  # euro cents
    remittance_information: str
    category: str
    organization_fiscal_code: str | None = None
    iban: str | None = None
    postal_iban: str | None = None
    stamp: Stamp | None = None
    company_name: str | None = None
    metadata: list[dict[str, str]] = field(default_factory=list)
    status: str = "T_UNREPORTED"
    # Set when only this transfer changed (updateTransferIbanMassive); else the position's.
    last_updated_date: datetime | None = None


@dataclass
class PaymentOption:
    """One payable notice of a position (``PaymentOptionModel``)."""

    iuv: str
    nav: str
    amount: int  # euro cents
    description: str
    is_partial_payment: bool
    due_date: datetime
    retention_date: datetime | None = None
    fee: int = 0
    notification_fee: int = 0
    transfers: list[Transfer] = field(default_factory=list)
    metadata: list[dict[str, str]] = field(default_factory=list)
    status: str = "PO_UNPAID"
    payment_date: datetime | None = None
    payment_method: str | None = None
    psp_company: str | None = None
    id_receipt: str | None = None


@dataclass
class Debtor:
    """The debtor of a position: ``type`` F (natural person) or G (legal person)."""

    type: str
    fiscal_code: str
    full_name: str
    address: dict[str, str] = field(default_factory=dict)


@dataclass
class DebtPosition:
    """A debt position with its GPD status and bookkeeping dates."""

    organization_fiscal_code: str
    iupd: str
    debtor: Debtor
    company_name: str
    switch_to_expired: bool
    pay_stand_in: bool
    options: list[PaymentOption]
    office_name: str | None = None
    validity_date: datetime | None = None
    status: str = "DRAFT"
    inserted_date: datetime = field(default_factory=utcnow)
    last_updated_date: datetime = field(default_factory=utcnow)
    publish_date: datetime | None = None
    payment_date: datetime | None = None

    @property
    def min_due_date(self) -> datetime:
        return min(option.due_date for option in self.options)

    @property
    def max_due_date(self) -> datetime:
        return max(option.due_date for option in self.options)

    @property
    def amount(self) -> int:
        return sum(option.amount for option in self.options)


def _string(
    body: dict[str, Any], key: str, where: str, *, required: bool, max_length: int | None = None
) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise InvalidPosition(f"{where}{key} is required")
        return None
    if not isinstance(value, str):
        raise InvalidPosition(f"{where}{key} must be a string, got {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise InvalidPosition(
            f"{where}{key} is {len(value)} characters long, the maximum is {max_length}"
        )
    return value


def _required_string(
    body: dict[str, Any], key: str, where: str, max_length: int | None = None
) -> str:
    value = _string(body, key, where, required=True, max_length=max_length)
    assert value is not None
    return value


def _integer(body: dict[str, Any], key: str, where: str, *, required: bool, minimum: int) -> int:
    value = body.get(key)
    if value is None:
        if required:
            raise InvalidPosition(f"{where}{key} is required")
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidPosition(f"{where}{key} must be an integer (euro cents), got {value!r}")
    if value < minimum:
        raise InvalidPosition(f"{where}{key} must be at least {minimum}, got {value}")
    return value


def _boolean(body: dict[str, Any], key: str, where: str, *, default: bool | None) -> bool:
    value = body.get(key)
    if value is None:
        if default is None:
            raise InvalidPosition(f"{where}{key} is required")
        return default
    if not isinstance(value, bool):
        raise InvalidPosition(f"{where}{key} must be true or false, got {value!r}")
    return value


def _metadata(body: dict[str, Any], key: str, where: str) -> list[dict[str, str]]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 10:
        raise InvalidPosition(f"{where}{key} must be a list of at most 10 key-value pairs")
    pairs = []
    for index, item in enumerate(value):
        at = f"{where}{key}[{index}]."
        if not isinstance(item, dict):
            raise InvalidPosition(f"{where}{key}[{index}] must be an object with key and value")
        pairs.append(
            {
                "key": _required_string(item, "key", at, 140),
                "value": _required_string(item, "value", at, 140),
            }
        )
    return pairs


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidPosition(f"{where} must be a JSON object")
    return value


def _stamp(value: object, where: str) -> Stamp:
    body = _object(value, where)
    at = where + "."
    stamp_type = _required_string(body, "stampType", at)
    if len(stamp_type) != 2:
        raise InvalidPosition(f"{at}stampType must be 2 characters (e.g. 01), got {stamp_type!r}")
    province = _required_string(body, "provincialResidence", at)
    if not _TWO_UPPER.search(province):
        raise InvalidPosition(
            f"{at}provincialResidence must be a province code like RM, got {province!r}"
        )
    return Stamp(
        hash_document=_required_string(body, "hashDocument", at, 72),
        stamp_type=stamp_type,
        provincial_residence=province,
    )


def _transfer(value: object, where: str) -> Transfer:
    body = _object(value, where)
    at = where + "."
    id_transfer = _required_string(body, "idTransfer", at)
    if id_transfer not in TRANSFER_IDS:
        raise InvalidPosition(f"{at}idTransfer must be one of 1..5, got {id_transfer!r}")
    iban = _string(body, "iban", at, required=False, max_length=35)
    if iban is not None and not _IBAN.match(iban):
        raise InvalidPosition(f"{at}iban {iban!r} must be 1 to 35 letters and digits")
    postal_iban = _string(body, "postalIban", at, required=False, max_length=35)
    if postal_iban is not None and not _POSTAL_IBAN.match(postal_iban):
        raise InvalidPosition(f"{at}postalIban {postal_iban!r} must be 1 to 35 letters and digits")
    stamp = _stamp(body["stamp"], at + "stamp") if body.get("stamp") is not None else None
    if stamp is not None and (iban or postal_iban):
        raise InvalidPosition(f"{at}stamp is mutually exclusive with iban and postalIban")
    if stamp is None and not iban and not postal_iban:
        raise InvalidPosition(f"{at}one of iban, postalIban or stamp is required")
    return Transfer(
        id_transfer=id_transfer,
        amount=_integer(body, "amount", at, required=True, minimum=1),
        remittance_information=_required_string(body, "remittanceInformation", at, 140),
        category=_required_string(body, "category", at),
        organization_fiscal_code=_string(body, "organizationFiscalCode", at, required=False),
        iban=iban or None,
        postal_iban=postal_iban or None,
        stamp=stamp,
        company_name=_string(body, "companyName", at, required=False, max_length=140),
        metadata=_metadata(body, "transferMetadata", at),
    )


def _option(
    value: object, where: str, segregation_codes: tuple[str, ...], verify_check_digit: bool
) -> PaymentOption:
    body = _object(value, where)
    at = where + "."
    iuv = _required_string(body, "iuv", at)
    nav = _string(body, "nav", at, required=False)
    try:
        validate_iuv(iuv, segregation_codes, verify_check_digit=verify_check_digit)
        if nav is not None:
            validate_nav(nav, iuv)
    except InvalidIuv as exc:
        raise InvalidPosition(f"{at}{exc}") from exc
    raw_transfers = body.get("transfer")
    if not isinstance(raw_transfers, list) or not 1 <= len(raw_transfers) <= 5:
        raise InvalidPosition(f"{at}transfer must list 1 to 5 transfers")
    transfers = [_transfer(t, f"{at}transfer[{i}]") for i, t in enumerate(raw_transfers)]
    ids = [t.id_transfer for t in transfers]
    if len(set(ids)) != len(ids):
        raise InvalidPosition(f"{at}transfer has repeated idTransfer values {ids}")
    amount = _integer(body, "amount", at, required=True, minimum=1)
    total = sum(t.amount for t in transfers)
    if total != amount:
        raise InvalidPosition(
            f"{at}amount {amount} must equal the sum of its transfers' amounts, {total} "
            "(all in euro cents)"
        )
    if "dueDate" not in body or body["dueDate"] is None:
        raise InvalidPosition(f"{at}dueDate is required")
    due_date = parse_datetime(body["dueDate"], f"{at}dueDate")
    retention = body.get("retentionDate")
    retention_date = parse_datetime(retention, f"{at}retentionDate") if retention else None
    if retention_date is not None and retention_date < due_date:
        raise InvalidPosition(f"{at}retentionDate must not be before dueDate")
    return PaymentOption(
        iuv=iuv,
        nav=nav or notice_number(iuv),
        amount=amount,
        description=_required_string(body, "description", at, 140),
        is_partial_payment=_boolean(body, "isPartialPayment", at, default=None),
        due_date=due_date,
        retention_date=retention_date,
        fee=_integer(body, "fee", at, required=False, minimum=0),
        transfers=transfers,
        metadata=_metadata(body, "paymentOptionMetadata", at),
    )


def parse_position(
    body: object,
    organization_fiscal_code: str,
    *,
    segregation_codes: tuple[str, ...] = (),
    verify_check_digit: bool = True,
    now: datetime | None = None,
) -> DebtPosition:
    """Build a DRAFT :class:`DebtPosition` from a ``PaymentPositionModel`` request body."""
    data = _object(body, "the request body")
    iupd = _required_string(data, "iupd", "")
    if not iupd.strip():
        raise InvalidPosition("iupd must not be blank")
    debtor_type = _required_string(data, "type", "")
    if debtor_type not in ("F", "G"):
        raise InvalidPosition(
            f"type must be F (natural person) or G (legal person), got {debtor_type!r}"
        )
    address = {}
    for key in _ADDRESS_FIELDS:
        value = _string(data, key, "", required=False)
        if value is not None:
            address[key] = value
    if "country" in address and not _TWO_UPPER.search(address["country"]):
        raise InvalidPosition(
            f"country must be a 2-letter code like IT, got {address['country']!r}"
        )
    raw_options = data.get("paymentOption")
    if not isinstance(raw_options, list) or not raw_options:
        raise InvalidPosition("paymentOption must list at least one payment option")
    options = [
        _option(o, f"paymentOption[{i}]", segregation_codes, verify_check_digit)
        for i, o in enumerate(raw_options)
    ]
    iuvs = [o.iuv for o in options]
    if len(set(iuvs)) != len(iuvs):
        raise InvalidPosition(f"paymentOption repeats an iuv: {iuvs}")
    validity = data.get("validityDate")
    validity_date = parse_datetime(validity, "validityDate") if validity else None
    current = now or utcnow()
    if validity_date is not None and validity_date < current:
        raise InvalidPosition(
            f"validityDate {format_datetime(validity_date)} must not be in the past "
            f"(now {format_datetime(current)})"
        )
    floor = validity_date or current
    for index, option in enumerate(options):
        if option.due_date < floor:
            raise InvalidPosition(
                f"paymentOption[{index}].dueDate {format_datetime(option.due_date)} must not be "
                f"before {'validityDate' if validity_date else 'now'} ({format_datetime(floor)})"
            )
    return DebtPosition(
        organization_fiscal_code=organization_fiscal_code,
        iupd=iupd,
        debtor=Debtor(
            type=debtor_type,
            fiscal_code=_required_string(data, "fiscalCode", ""),
            full_name=_required_string(data, "fullName", ""),
            address=address,
        ),
        company_name=_required_string(data, "companyName", "", 140),
        office_name=_string(data, "officeName", "", required=False, max_length=140),
        switch_to_expired=_boolean(data, "switchToExpired", "", default=None),
        pay_stand_in=_boolean(data, "payStandIn", "", default=True),
        validity_date=validity_date,
        options=options,
        inserted_date=current,
        last_updated_date=current,
    )
