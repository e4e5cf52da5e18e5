"""The paper notice (avviso di pagamento pagoPA) rendered as an A4 PDF, in Italian.

Pure rendering: data in (:mod:`adapters.notice.model`), PDF bytes out
(:func:`render_notice`). The only things read are the installed font files
(:mod:`adapters.notice.fonts`) and the creditor's logo, passed in as bytes.

The layout follows pagoPA's standard notice: the creditor's header, the debtor, "QUANTO E
QUANDO PAGARE?", "DOVE PAGARE?" with the channels, the "BANCHE E ALTRI CANALI" part with
the QR code, the CBILL code and the notice code, the "BOLLETTINO POSTALE PA" part with
Poste's data matrix when the creditor has a postal account, and one page per instalment
when the debt can be paid in instalments.
"""

from adapters.notice.fonts import FONT_PACKAGE, NoticeFontMissing
from adapters.notice.model import (
    Creditor,
    Debtor,
    InvalidNotice,
    Notice,
    PaymentOption,
    PostalAccount,
    StampDetails,
    grouped,
)
from adapters.notice.render import render_notice

__all__ = [
    "FONT_PACKAGE",
    "Creditor",
    "Debtor",
    "InvalidNotice",
    "Notice",
    "NoticeFontMissing",
    "PaymentOption",
    "PostalAccount",
    "StampDetails",
    "grouped",
    "render_notice",
]
