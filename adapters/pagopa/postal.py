"""The Poste Italiane part of a paper notice: the postal account and the data matrix payload.

The "Bollettino Postale PA" section of a notice carries an ECC200 data matrix that Poste's
counters (and the IO app) read. Its payload, as pagoPA's notice generator and the IO app's
decoder agree (reference/pagopa.md §1.5), is 256 characters::

    codfase=NBPA;                       literal, 13
    18 <notice code 18n>                codeline: length tag + value
    12 <postal account 12n, 0-padded>
    10 <amount in cents 10n, 0-padded>
    3 896                               document type 896
    1P1                                 literal
    <creditor fiscal code 11>
    <debtor fiscal code 16, space-padded>
    <debtor name 40, space-padded>
    <reason 110, space-padded>
    <12 spaces> A

The IO app reads the notice code, the amount and the creditor's fiscal code at fixed offsets
(15, 49, 66) and nothing past offset 77 (its own test sample is 255 characters long); the
widths after it are the generator's, and Poste's counters read the whole codeline.
Text fields are cut to their width (never overflowing into the next one: the decoders read
fixed offsets) and folded to ASCII, so each character is one byte and "Niccolò" prints as
"Niccolo" rather than shifting every later field.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from adapters.i18n import gettext as _
from adapters.pagopa.amounts import to_cents
from adapters.pagopa.notice import NoticeNumber

__all__ = [
    "DATAMATRIX_LENGTH",
    "POSTE_DOCUMENT_TYPE",
    "InvalidPostalAccount",
    "ascii_fold",
    "normalize_postal_account",
    "poste_datamatrix_payload",
]

POSTE_DOCUMENT_TYPE = "896"
DATAMATRIX_LENGTH = 256
_WIDTHS = {"debtor_fiscal_code": 16, "debtor_name": 40, "reason": 110}


class InvalidPostalAccount(ValueError):
    """A conto corrente postale number is malformed; the message says how."""


def normalize_postal_account(value: str) -> str:
    """The account number as digits (spaces dropped), 1 to 12 of them, not all zeros."""
    if not isinstance(value, str):
        raise InvalidPostalAccount(
            _("postal account must be text, got %(type)s") % {"type": type(value).__name__}
        )
    digits = value.replace(" ", "").strip()
    if not digits or not digits.isascii() or not digits.isdigit():
        raise InvalidPostalAccount(
            _("postal account %(value)r must be the conto corrente postale number: digits only")
            % {"value": value}
        )
    if len(digits) > 12:
        raise InvalidPostalAccount(
            _("postal account %(value)r has %(count)s digits: at most 12")
            % {"value": value, "count": len(digits)}
        )
    if int(digits) == 0:
        raise InvalidPostalAccount(_("postal account %(value)r is all zeros") % {"value": value})
    return digits


def ascii_fold(text: str) -> str:
    """Accents dropped (è → e), other non-ASCII characters and controls turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        out.append(char if " " <= char <= "~" else " ")
    return "".join(out)


def _field(text: str, width: int) -> str:
    folded = " ".join(ascii_fold(text).split())
    return folded[:width].ljust(width)


def poste_datamatrix_payload(
    *,
    notice_number: str,
    postal_account: str,
    amount: Decimal,
    creditor_fiscal_code: str,
    debtor_fiscal_code: str,
    debtor_name: str,
    reason: str,
) -> str:
    """The 256-character payload of the Poste data matrix; raises ValueError on bad input."""
    notice = NoticeNumber.parse(notice_number, validate_check_digit=False).notice_number
    account = normalize_postal_account(postal_account)
    cents = to_cents(amount)
    if cents <= 0 or cents >= 10**10:
        raise ValueError(f"amount {amount} does not fit the data matrix's 10 digits of cents")
    creditor = creditor_fiscal_code.strip()
    if len(creditor) != 11 or not creditor.isdigit():
        raise ValueError(f"creditor fiscal code {creditor_fiscal_code!r} must be 11 digits")
    codeline = f"18{notice}12{account:0>12}10{cents:010d}3{POSTE_DOCUMENT_TYPE}"
    payload = (
        "codfase=NBPA;"
        + codeline
        + "1P1"
        + creditor
        + _field(debtor_fiscal_code.upper(), _WIDTHS["debtor_fiscal_code"])
        + _field(debtor_name, _WIDTHS["debtor_name"])
        + _field(reason, _WIDTHS["reason"])
        + " " * 12
        + "A"
    )
    if len(payload) != DATAMATRIX_LENGTH:  # every part above has a fixed width
        raise ValueError(f"data matrix payload is {len(payload)} characters, not 256")
    return payload
