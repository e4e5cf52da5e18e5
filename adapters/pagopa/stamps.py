"""Marca da bollo: paper stamps the citizen declares, and the digital stamp (@e.bollo).

* Paper stamp: the citizen enters the stamp's identifier (the 14-digit serial printed on the
  contrassegno) and its issue date (reference/opencity-payment-proxy.md §5). The 14-digit length
  is this project's working assumption: no source states it (reference/pagopa.md §9).
* Digital stamp (``richiestaMarcaDaBollo`` in paGetPaymentV2): ``tipoBollo`` "01",
  ``hashDocumento`` = base64 of the SHA-256 digest of the document, ``provinciaResidenza`` =
  the payer's province code; OpenCity supports only the €16.00 amount.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from adapters.i18n import gettext as _
from adapters.pagopa.amounts import InvalidAmount, parse_amount
from adapters.pagopa.provinces import HISTORICAL_PROVINCE_CODES, PROVINCE_CODES

__all__ = [
    "DIGITAL_STAMP_AMOUNT",
    "FIRST_STAMP_ISSUE_DATE",
    "TIPO_BOLLO",
    "InvalidStamp",
    "PaperStamp",
    "document_hash",
    "normalize_document_hash",
    "validate_digital_stamp_amount",
    "validate_province_code",
    "validate_stamp_identifier",
    "validate_stamp_issue_date",
]

#: The only digital stamp amount OpenCity supports (imposta di bollo forfettaria).
DIGITAL_STAMP_AMOUNT = Decimal("16.00")
#: ``tipoBollo`` / ``stampType`` code "Imposta di bollo" (stTipoBolloDigitale enum).
TIPO_BOLLO = "01"
#: The electronic contrassegno marca da bollo exists from this date on.
FIRST_STAMP_ISSUE_DATE = date(2005, 9, 1)
STAMP_IDENTIFIER_LENGTH = 14
_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class InvalidStamp(ValueError):
    """A stamp identifier, date, hash, amount or province is invalid; the message says which."""


def validate_stamp_identifier(text: str) -> str:
    """Return the 14-digit paper stamp identifier (spaces removed) or raise ``InvalidStamp``."""
    if not isinstance(text, str):
        raise InvalidStamp(
            _("stamp identifier must be text, got %(type)s") % {"type": type(text).__name__}
        )
    identifier = "".join(text.split())
    if not identifier:
        raise InvalidStamp(_("stamp identifier is empty: enter the 14-digit serial on the stamp"))
    bad = next((c for c in identifier if not ("0" <= c <= "9")), None)
    if bad is not None:
        raise InvalidStamp(
            _("stamp identifier %(identifier)r must be digits only, found %(bad)r")
            % {"identifier": identifier, "bad": bad}
        )
    if len(identifier) != STAMP_IDENTIFIER_LENGTH:
        raise InvalidStamp(
            _("stamp identifier %(identifier)r has %(count)s digits, expected 14")
            % {"identifier": identifier, "count": len(identifier)}
        )
    return identifier


def _parse_date(text: str) -> date:
    value = text.strip()
    for pattern, fmt in ((r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"), (r"\d{2}/\d{2}/\d{4}", "%d/%m/%Y")):
        if re.fullmatch(pattern, value):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                raise InvalidStamp(
                    _("stamp issue date %(value)r is not a real date") % {"value": value}
                ) from None
    raise InvalidStamp(
        _("stamp issue date %(value)r must be YYYY-MM-DD (2024-03-31) or DD/MM/YYYY (31/03/2024)")
        % {"value": value}
    )


def validate_stamp_issue_date(value: str | date, *, today: date | None = None) -> date:
    """Parse and check a paper stamp issue date: not in the future, not before 2005-09-01."""
    if isinstance(value, datetime):
        issue_date = value.date()
    elif isinstance(value, date):
        issue_date = value
    elif isinstance(value, str):
        issue_date = _parse_date(value)
    else:
        raise InvalidStamp(
            _("stamp issue date must be a date or text, got %(type)s")
            % {"type": type(value).__name__}
        )
    today = today or date.today()
    if issue_date > today:
        raise InvalidStamp(
            _("stamp issue date %(date)s is in the future (today is %(today)s)")
            % {"date": issue_date.isoformat(), "today": today.isoformat()}
        )
    if issue_date < FIRST_STAMP_ISSUE_DATE:
        raise InvalidStamp(
            _(
                "stamp issue date %(date)s is before 2005-09-01, when the "
                "electronic marca da bollo was introduced"
            )
            % {"date": issue_date.isoformat()}
        )
    return issue_date


@dataclass(frozen=True, slots=True)
class PaperStamp:
    """A paper marca da bollo declared by the citizen (identifier and issue date)."""

    identifier: str
    issue_date: date

    def __post_init__(self) -> None:
        if validate_stamp_identifier(self.identifier) != self.identifier:
            raise InvalidStamp(f"stamp identifier {self.identifier!r} must not contain spaces")
        if not isinstance(self.issue_date, date) or isinstance(self.issue_date, datetime):
            raise InvalidStamp(f"stamp issue date must be a date, got {self.issue_date!r}")
        # "Not in the future" depends on the clock, so only parse() checks it (with `today`).
        validate_stamp_issue_date(self.issue_date, today=date.max)

    @classmethod
    def parse(
        cls, identifier: str, issue_date: str | date, *, today: date | None = None
    ) -> PaperStamp:
        """Validate user input (identifier with or without spaces, ISO or Italian date)."""
        return cls(
            validate_stamp_identifier(identifier),
            validate_stamp_issue_date(issue_date, today=today),
        )


def document_hash(data: bytes) -> str:
    """``hashDocumento``: the base64 SHA-256 digest of the document (44 characters)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidStamp(f"document must be bytes, got {type(data).__name__}")
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def normalize_document_hash(value: str) -> str:
    """Turn "sha256:<64 hex>" (OpenCity's ``payment.document.hash``), a bare 64-hex digest or a
    base64 digest into the base64 form pagoPA's ``hashDocumento`` expects."""
    if not isinstance(value, str):
        raise InvalidStamp(f"document hash must be text, got {type(value).__name__}")
    text = value.strip()
    algorithm, colon, digest = text.partition(":")
    if colon:
        if algorithm.lower() != "sha256":
            raise InvalidStamp(
                f"document hash uses {algorithm!r}: only sha256 is accepted for the marca da bollo"
            )
        if not _HEX_SHA256.fullmatch(digest):
            raise InvalidStamp(
                f"document hash {text!r}: after 'sha256:' expected 64 hex digits, "
                f"got {len(digest)} characters"
            )
        return base64.b64encode(bytes.fromhex(digest)).decode("ascii")
    if _HEX_SHA256.fullmatch(text):
        return base64.b64encode(bytes.fromhex(text)).decode("ascii")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidStamp(
            f"document hash {text!r} is neither 'sha256:<hex>', 64 hex digits nor base64"
        ) from None
    if len(raw) != 32:
        raise InvalidStamp(
            f"document hash {text!r} decodes to {len(raw)} bytes, a SHA-256 digest has 32"
        )
    return base64.b64encode(raw).decode("ascii")


def validate_digital_stamp_amount(amount: str | int | Decimal) -> Decimal:
    """Return ``Decimal("16.00")`` or raise: €16.00 is the only supported digital stamp."""
    try:
        value = parse_amount(amount)
    except InvalidAmount as exc:
        raise InvalidStamp(f"digital stamp amount: {exc}") from exc
    if value != DIGITAL_STAMP_AMOUNT:
        raise InvalidStamp(f"digital stamp amount is {value}, only 16.00 is supported")
    return value


def validate_province_code(code: str, *, allow_historical: bool = False) -> str:
    """Return the upper-case province sigla for ``provinciaResidenza`` or raise ``InvalidStamp``.

    ``allow_historical=True`` also accepts codes abolished in 2016 (CI, OG, OT, VS).
    """
    if not isinstance(code, str):
        raise InvalidStamp(f"province code must be text, got {type(code).__name__}")
    sigla = code.strip().upper()
    if len(sigla) != 2 or not sigla.isascii() or not sigla.isalpha():
        raise InvalidStamp(f"province code {code!r} must be 2 letters, e.g. RM, MI, TO")
    if sigla in PROVINCE_CODES:
        return sigla
    if sigla in HISTORICAL_PROVINCE_CODES:
        if allow_historical:
            return sigla
        raise InvalidStamp(
            f"province code {sigla} ({HISTORICAL_PROVINCE_CODES[sigla]}) was abolished in 2016; "
            "use the current province (e.g. SU, NU or SS)"
        )
    raise InvalidStamp(f"province code {sigla!r} is not an Italian province or metropolitan city")
