"""The QR code payload printed on a pagoPA paper notice (avviso 3.0, "Codice QR")::

    PAGOPA|002|<codice avviso 18n>|<CF ente creditore 11n>|<importo in cents, 2..11 chars>

We always emit at least two amount digits (zero-padded); the parser also accepts the 1-digit
amounts that decoders in the wild tolerate ("several QRCodes have been encoded using only 1
digit", io-pagopa-commons).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from adapters.pagopa.amounts import InvalidAmount, from_cents, parse_amount, to_cents
from adapters.pagopa.fiscal_code import InvalidFiscalCode, validate_creditor_fiscal_code
from adapters.pagopa.notice import InvalidNoticeNumber, NoticeNumber

__all__ = [
    "QR_IDENTIFIER",
    "QR_VERSION",
    "InvalidQrPayload",
    "QrPayload",
    "build_qr_payload",
    "parse_qr_payload",
]

QR_IDENTIFIER = "PAGOPA"
QR_VERSION = "002"
_FIELDS = ("identifier", "version", "notice number", "creditor fiscal code", "amount")


class InvalidQrPayload(ValueError):
    """A QR payload (or what would go into one) is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class QrPayload:
    """The decoded content of a notice QR code."""

    notice_number: NoticeNumber
    creditor_fiscal_code: str
    amount: Decimal

    @property
    def amount_cents(self) -> int:
        """The amount in euro cents, as encoded in the QR code."""
        return to_cents(self.amount)

    def __str__(self) -> str:
        # Already validated when built; non-strict so legacy samples print back unchanged.
        return build_qr_payload(
            self.notice_number, self.creditor_fiscal_code, self.amount, strict=False
        )


def _notice(notice: NoticeNumber | str, strict: bool) -> NoticeNumber:
    if isinstance(notice, NoticeNumber):
        if strict and not notice.has_valid_check_digit:
            raise InvalidQrPayload(
                f"notice number {notice}: check digit is {notice.check_digit}, "
                f"expected {notice.expected_check_digit}"
            )
        return notice
    try:
        return NoticeNumber.parse(notice, validate_check_digit=strict)
    except InvalidNoticeNumber as exc:
        raise InvalidQrPayload(str(exc)) from exc


def build_qr_payload(
    notice: NoticeNumber | str,
    creditor_fiscal_code: str,
    amount: Decimal | str | int,
    *,
    strict: bool = True,
) -> str:
    """Build the QR payload text. ``amount`` is in euros (``Decimal("12.34")``, "12,34", 12).

    ``strict=False`` accepts notice numbers and creditor codes with wrong check digits, such as
    pagoPA's test creditor ``77777777777``.
    """
    notice_number = _notice(notice, strict)
    try:
        creditor = validate_creditor_fiscal_code(creditor_fiscal_code, strict=strict)
        cents = to_cents(parse_amount(amount, allow_zero=False))
    except (InvalidFiscalCode, InvalidAmount) as exc:
        raise InvalidQrPayload(str(exc)) from exc
    return "|".join((QR_IDENTIFIER, QR_VERSION, str(notice_number), creditor, f"{cents:02d}"))


def parse_qr_payload(text: str, *, strict: bool = True) -> QrPayload:
    """Decode a notice QR payload, raising ``InvalidQrPayload`` that names the bad field.

    The amount may have 1 to 11 digits. ``strict=False`` skips the mod-93 and creditor check
    digits (pagoPA's own samples often fail them).
    """
    if not isinstance(text, str):
        raise InvalidQrPayload(f"QR payload must be text, got {type(text).__name__}")
    payload = text.strip()
    parts = payload.split("|")
    if len(parts) != len(_FIELDS):
        raise InvalidQrPayload(
            f"QR payload {payload!r} has {len(parts)} '|'-separated fields, expected 5: "
            "PAGOPA|002|<notice number>|<creditor fiscal code>|<amount in cents>"
        )
    identifier, version, notice, creditor, amount = parts
    if identifier != QR_IDENTIFIER:
        raise InvalidQrPayload(f"QR payload identifier is {identifier!r}, expected 'PAGOPA'")
    if version != QR_VERSION:
        raise InvalidQrPayload(f"QR payload version is {version!r}, only '002' is defined")
    notice_number = _notice(notice, strict)
    try:
        creditor_code = validate_creditor_fiscal_code(creditor, strict=strict)
    except InvalidFiscalCode as exc:
        raise InvalidQrPayload(str(exc)) from exc
    if not amount:
        raise InvalidQrPayload("QR payload amount is empty: expected 1 to 11 digits of euro cents")
    if not (amount.isascii() and amount.isdigit()):
        raise InvalidQrPayload(f"QR payload amount {amount!r} must be euro cents, digits only")
    if not 1 <= len(amount) <= 11:
        raise InvalidQrPayload(
            f"QR payload amount {amount!r} has {len(amount)} digits, expected 1 to 11"
        )
    cents = int(amount)
    if cents == 0:
        raise InvalidQrPayload("QR payload amount is zero: a notice must ask for at least 0.01")
    return QrPayload(notice_number, creditor_code, from_cents(cents))
