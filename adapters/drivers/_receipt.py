"""Reading the facts out of a payment receipt, whatever its dialect.

Three shapes reach a driver: pagoPA's ``ctReceiptV2`` (inside ``paSendRTV2Req``, as the
GPD payments-receipts API returns it), the old-model RT (``PagInf_RPT_RT_6_2_0.xsd``) and
MyPay's ``Pagati``/``PagatiConRicevuta`` (``PagInf_Dovuti_Pagati_6_2_0.xsd``). Elements
are found by local name, so namespace prefixes do not matter.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from lxml import etree

from adapters.drivers._xml import all_named, child_text, first, parse_xml, text_of


@dataclass(frozen=True)
class ReceiptFacts:
    """What a receipt says about a payment."""

    iuv: str | None
    notice_number: str | None
    amount: Decimal | None
    payer_fiscal_code: str | None
    debtor_fiscal_code: str | None
    paid_at: datetime | None
    receipt_id: str | None
    #: pagoPA ``outcome`` (OK/KO) or MyPay/RT ``codiceEsitoPagamento`` (0 = paid).
    outcome: str | None
    psp: str | None
    #: Digital stamps (``MBDAttachment`` / RT ``allegatoRicevuta`` BD), decoded XML.
    stamps: list[bytes] = field(default_factory=list)
    #: MyPay's IUD of each paid dovuto.
    iuds: list[str] = field(default_factory=list)

    @property
    def paid(self) -> bool:
        return self.outcome in ("OK", "0")


def decode_base64_xml(data: bytes | str, *, rounds: int = 3) -> bytes:
    """Base64 payloads are sometimes encoded more than once (MyPay's ``pagati``): decode until
    the content looks like XML."""
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    for _ in range(rounds):
        if raw.lstrip().startswith(b"<"):
            return raw
        try:
            raw = base64.b64decode(b"".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            return raw
    return raw


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(text[:10]), time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _subject_code(subject: etree._Element | None) -> str | None:
    if subject is None:
        return None
    return text_of(subject, "entityUniqueIdentifierValue") or text_of(
        subject, "codiceIdentificativoUnivoco"
    )


def _stamps(root: etree._Element) -> list[bytes]:
    found = [decode_base64_xml(n.text.strip()) for n in all_named(root, "MBDAttachment") if n.text]
    for attachment in all_named(root, "allegatoRicevuta"):
        if child_text(attachment, "tipoAllegatoRicevuta") == "BD":
            body = child_text(attachment, "testoAllegato")
            if body:
                found.append(decode_base64_xml(body))
    return found


def read_receipt(data: bytes, *, what: str = "receipt") -> ReceiptFacts:
    """Parse ``data`` (raising :class:`adapters.drivers._xml.UnsafeXML`) into facts."""
    root = parse_xml(data, what=what)
    payer = first(root, "payer")
    debtor = first(root, "debtor")
    if debtor is None:
        debtor = first(root, "soggettoPagatore")
    versante = first(root, "soggettoVersante")
    when = (
        text_of(root, "paymentDateTime")
        or text_of(root, "dataOraMessaggioRicevuta")
        or text_of(root, "dataEsitoSingoloPagamento")
    )
    psp = text_of(root, "PSPCompanyName") or text_of(root, "denominazioneAttestante")
    return ReceiptFacts(
        iuv=text_of(root, "creditorReferenceId")
        or text_of(root, "identificativoUnivocoVersamento"),
        notice_number=text_of(root, "noticeNumber"),
        amount=_amount(text_of(root, "paymentAmount") or text_of(root, "importoTotalePagato")),
        payer_fiscal_code=_subject_code(payer) or _subject_code(versante) or _subject_code(debtor),
        debtor_fiscal_code=_subject_code(debtor),
        paid_at=_when(when),
        receipt_id=text_of(root, "receiptId") or text_of(root, "identificativoUnivocoRiscossione"),
        outcome=text_of(root, "outcome") or text_of(root, "codiceEsitoPagamento"),
        psp=psp,
        stamps=_stamps(root),
        iuds=[n.text.strip() for n in all_named(root, "identificativoUnivocoDovuto") if n.text],
    )
