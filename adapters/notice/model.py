"""What a notice shows: creditor, debtor, subject and the payment options.

A notice has a single payment (rata unica), instalments (two or more, each with its own
notice code), or both; a digital-stamp notice has one single payment. Everything is
validated here, so the renderer only draws.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from adapters.pagopa import (
    InvalidNoticeNumber,
    NoticeNumber,
    build_qr_payload,
    normalize_postal_account,
    poste_datamatrix_payload,
)

CBILL_PATTERN = r"[A-Z0-9]{5}"
POSTAL_AMOUNT_LIMIT = Decimal("100000000.00")  # 10**10 cents


class InvalidNotice(ValueError):
    """The notice's data is incomplete or contradictory; the message says what to fix."""


def grouped(notice_number: str) -> str:
    """The notice code in blocks of four digits, as printed on notices."""
    return " ".join(notice_number[i : i + 4] for i in range(0, len(notice_number), 4))


@dataclass(frozen=True)
class PostalAccount:
    """The creditor's conto corrente postale, for the "Bollettino Postale PA" part."""

    number: str
    holder: str  # intestatario del conto
    authorization: str | None = None  # Poste's authorisation to print bollettini in proprio

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "number", normalize_postal_account(self.number))
        except ValueError as exc:
            raise InvalidNotice(str(exc)) from exc
        if not self.holder.strip():
            raise InvalidNotice("the postal account needs its holder (intestatario)")


@dataclass(frozen=True)
class Creditor:
    """The creditor institution (ente creditore) as the notice presents it."""

    name: str
    fiscal_code: str
    office: str | None = None  # settore / ufficio
    contact_info: str | None = None  # telephone, e-mail, opening hours
    website: str | None = None
    cbill_code: str | None = None
    logo: bytes | None = None  # PNG or JPEG
    postal_account: PostalAccount | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidNotice("the creditor needs a name")
        if not re.fullmatch(r"[0-9]{11}", self.fiscal_code):
            raise InvalidNotice(f"creditor fiscal code {self.fiscal_code!r} must be 11 digits")
        if self.cbill_code is not None and not re.fullmatch(CBILL_PATTERN, self.cbill_code):
            raise InvalidNotice(
                f"CBILL code {self.cbill_code!r} must be 5 capital letters or digits"
            )


@dataclass(frozen=True)
class Debtor:
    """Who the notice is addressed to (destinatario dell'avviso)."""

    name: str
    fiscal_code: str
    address: str | None = None

    def __post_init__(self) -> None:
        if not self.fiscal_code.strip():
            raise InvalidNotice("the debtor needs a fiscal code")


@dataclass(frozen=True)
class PaymentOption:
    """One way to pay: the single payment or one instalment, with its own notice code."""

    notice_number: str
    amount: Decimal
    due_date: date | None = None
    iuv: str | None = None

    def __post_init__(self) -> None:
        try:
            notice = NoticeNumber.parse(self.notice_number, validate_check_digit=False)
        except InvalidNoticeNumber as exc:
            raise InvalidNotice(str(exc)) from exc
        object.__setattr__(self, "notice_number", notice.notice_number)
        if self.iuv is None:
            object.__setattr__(self, "iuv", notice.iuv)
        if not isinstance(self.amount, Decimal) or self.amount <= 0:
            raise InvalidNotice(f"amount {self.amount!r} must be a Decimal above zero")


@dataclass(frozen=True)
class StampDetails:
    """The marca da bollo digitale a stamp notice collects (pagoPA @e.bollo)."""

    document_hash: str  # base64 SHA-256 of the document
    province: str  # payer's province of residence
    stamp_type: str = "01"  # tipoBollo: 01 = imposta di bollo


@dataclass(frozen=True)
class Notice:
    """A whole notice."""

    creditor: Creditor
    debtor: Debtor
    subject: str
    single: PaymentOption | None = None
    instalments: Sequence[PaymentOption] = field(default_factory=tuple)
    stamp: StampDetails | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "instalments", tuple(self.instalments))
        if not self.subject.strip():
            raise InvalidNotice("the notice needs a subject (oggetto del pagamento)")
        if self.single is None and not self.instalments:
            raise InvalidNotice("a notice needs a single payment, instalments, or both")
        if len(self.instalments) == 1:
            raise InvalidNotice(
                "one instalment alone is a single payment: give it as `single`, "
                "or give two or more instalments"
            )
        if self.stamp is not None and (self.single is None or self.instalments):
            raise InvalidNotice("a digital-stamp notice has exactly one single payment")
        codes = [o.notice_number for o in self.options]
        if len(set(codes)) != len(codes):
            raise InvalidNotice("every payment option needs its own notice code")

    @property
    def options(self) -> tuple[PaymentOption, ...]:
        """Every payment option, the single payment first."""
        return ((self.single,) if self.single else ()) + tuple(self.instalments)

    @property
    def postal(self) -> bool:
        """Whether the notice has the Poste part: never for a digital stamp (paid only
        online, on the creditor's site), nor when an amount exceeds the bollettino's 10
        digits of cents (from 100 million euro: such a notice is paid through pagoPA)."""
        return (
            self.creditor.postal_account is not None
            and self.stamp is None
            and all(o.amount < POSTAL_AMOUNT_LIMIT for o in self.options)
        )

    def qr_payload(self, option: PaymentOption) -> str:
        """``PAGOPA|002|<notice>|<creditor CF>|<cents>`` for one option."""
        # strict=False: pagoPA's own test creditor (77777777777) fails the check digit.
        return build_qr_payload(
            option.notice_number, self.creditor.fiscal_code, option.amount, strict=False
        )

    def datamatrix_payload(self, option: PaymentOption) -> str:
        """Poste's data matrix payload for one option (only with a postal account)."""
        account = self.creditor.postal_account
        if account is None:
            raise InvalidNotice("the data matrix needs the creditor's postal account")
        return poste_datamatrix_payload(
            notice_number=option.notice_number,
            postal_account=account.number,
            amount=option.amount,
            creditor_fiscal_code=self.creditor.fiscal_code,
            debtor_fiscal_code=self.debtor.fiscal_code,
            debtor_name=self.debtor.name,
            reason=self.subject,
        )
