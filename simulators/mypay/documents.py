"""The base64 documents of ``PagInf_Dovuti_Pagati_6_2_0.xsd``: read ``Versamento`` and
``Dovuti``, build ``Pagati``, ``PagatiConRicevuta`` and ``Dovuti``.

Every child element of these documents is qualified (``elementFormDefault="qualified"``),
unlike the SOAP bodies that carry them. Inbound documents are validated against the
XSD in use (the official one, else collaudo's built-in one); outbound ones are built
structurally with lxml (the tests validate them against both).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from simulators.common.safexml import MalformedXML, UnsafeXML, parse_xml
from simulators.mypay import contracts
from simulators.mypay.model import Debtor, Item, Position, Stamp

NS = contracts.PAY_I
VERSIONE_OGGETTO = "6.2"
_BIC = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")


class DocumentError(ValueError):
    """A ``Dovuti``/``Versamento`` document MyPay would refuse, with MyPay's fault code."""

    def __init__(self, fault_code: str, fault_string: str, description: str | None = None):
        super().__init__(
            f"{fault_code}: {fault_string}" + (f" ({description})" if description else "")
        )
        self.fault_code = fault_code
        self.fault_string = fault_string
        self.description = description


@dataclass(frozen=True)
class Versamento:
    """``paaSILImportaDovuto.dovuto``: one dovuto and what to do with it (``azione``)."""

    azione: str
    debtor: Debtor | None
    due_date: date | None
    iuv: str | None
    item: Item


@dataclass(frozen=True)
class Dovuti:
    """``paaSILInviaDovuti.dovuti``: up to five dovuti paid together under one IUV."""

    debtor: Debtor
    iuv: str | None
    items: list[Item]


# --- reading ----------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


_QUALIFIED = _q("*")  # every child in the documents' namespace, matched by lxml in C
_CUT = len(_q(""))
Children = dict[str, etree._Element]


def _children(parent: etree._Element | None) -> Children:
    """The qualified children of ``parent`` by local name, the first of each: one pass over
    the children instead of one search per field (most optional fields are absent, and a
    search for an absent one walks every child)."""
    found: Children = {}
    if parent is not None:
        for child in parent.iterchildren(_QUALIFIED):
            found.setdefault(child.tag[_CUT:], child)
    return found


def _text(children: Children, name: str) -> str | None:
    child = children.get(name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _amount(children: Children, name: str) -> Decimal | None:
    raw = _text(children, name)
    if raw is None:
        return None
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise DocumentError(
            "PAA_XML_NON_VALIDO",
            "XML dei dovuti non valido",
            f"{name} [{raw}] is not an amount like 20.00",
        ) from exc


def _parse(data: bytes, root_name: str, validate: bool) -> etree._Element:
    try:
        root = parse_xml(data)
    except (MalformedXML, UnsafeXML) as exc:
        raise DocumentError("PAA_XML_NON_VALIDO", "XML dei dovuti non valido", str(exc)) from exc
    if root.tag != _q(root_name):
        raise DocumentError(
            "PAA_XML_NON_VALIDO",
            "XML dei dovuti non valido",
            f"expected a {{{NS}}}{root_name} document, got {root.tag}",
        )
    # libxml2 gives the verdict; xmlschema, run only on what libxml2 refuses, names the
    # path and reason as the simulator always has (and keeps the last word: a document
    # only libxml2 refuses is accepted, as before).
    if validate and contracts.available() and not contracts.documents_verdict_schema()(root):
        error = next(iter(contracts.documents_schema().iter_errors(root)), None)
        if error is not None:
            reason = getattr(error, "reason", None) or str(error)
            path = getattr(error, "path", None) or ""
            raise DocumentError(
                "PAA_XML_NON_VALIDO",
                "XML dei dovuti non valido",
                f"{root_name} does not conform to PagInf_Dovuti_Pagati_6_2_0.xsd"
                f" at {path}: {reason}",
            )
    return root


def _debtor(element: etree._Element | None) -> Debtor | None:
    if element is None:
        return None
    fields = _children(element)
    ident = _children(fields.get("identificativoUnivocoPagatore"))
    return Debtor(
        kind=_text(ident, "tipoIdentificativoUnivoco") or "F",
        fiscal_code=(_text(ident, "codiceIdentificativoUnivoco") or "").upper(),
        name=_text(fields, "anagraficaPagatore") or "",
        email=_text(fields, "e-mailPagatore"),
        address=_text(fields, "indirizzoPagatore"),
        civic=_text(fields, "civicoPagatore"),
        postal_code=_text(fields, "capPagatore"),
        city=_text(fields, "localitaPagatore"),
        province=(_text(fields, "provinciaPagatore") or "").upper() or None,
        country=_text(fields, "nazionePagatore"),
    )


def _item(fields: Children) -> Item:
    stamp_el = fields.get("datiMarcaBolloDigitale")
    stamp = None
    if stamp_el is not None:
        stamp_fields = _children(stamp_el)
        stamp = Stamp(
            tipo_bollo=_text(stamp_fields, "tipoBollo") or "01",
            hash_documento=_text(stamp_fields, "hashDocumento") or "",
            provincia_residenza=_text(stamp_fields, "provinciaResidenza") or "",
        )
    amount = _amount(fields, "importoSingoloVersamento")
    return Item(
        iud=_text(fields, "identificativoUnivocoDovuto") or "",
        amount=amount if amount is not None else Decimal("0.00"),
        tipo_dovuto=_text(fields, "identificativoTipoDovuto") or "",
        causale=_text(fields, "causaleVersamento") or "",
        dati_specifici_riscossione=_text(fields, "datiSpecificiRiscossione") or "",
        commissione_carico_pa=_amount(fields, "commissioneCaricoPA"),
        stamp=stamp,
    )


def read_versamento(data: bytes, validate: bool = True) -> Versamento:
    """Parse (and validate) the ``Versamento`` carried by ``paaSILImportaDovuto``."""
    root = _children(_parse(data, "Versamento", validate))
    if "datiVersamento" not in root:
        raise DocumentError(
            "PAA_XML_NON_VALIDO", "XML dei dovuti non valido", "Versamento without datiVersamento"
        )
    dati = _children(root["datiVersamento"])
    due = _text(dati, "dataEsecuzionePagamento")
    try:
        due_date = date.fromisoformat(due[:10]) if due else None
    except ValueError as exc:
        raise DocumentError(
            "PAA_XML_NON_VALIDO",
            "XML dei dovuti non valido",
            f"dataEsecuzionePagamento [{due}] is not a date",
        ) from exc
    return Versamento(
        azione=_text(root, "azione") or "",
        debtor=_debtor(root.get("soggettoPagatore")),
        due_date=due_date,
        iuv=_text(dati, "identificativoUnivocoVersamento"),
        item=_item(dati),
    )


def read_dovuti(data: bytes, validate: bool = True) -> Dovuti:
    """Parse (and validate) the ``Dovuti`` carried by ``paaSILInviaDovuti``."""
    root = _children(_parse(data, "Dovuti", validate))
    debtor = _debtor(root.get("soggettoPagatore"))
    dati_el = root.get("datiVersamento")
    if debtor is None or dati_el is None:
        raise DocumentError(
            "PAA_XML_NON_VALIDO",
            "XML dei dovuti non valido",
            "Dovuti needs soggettoPagatore and datiVersamento",
        )
    items = [_item(_children(el)) for el in dati_el.iterchildren(_q("datiSingoloVersamento"))]
    dati = _children(dati_el)
    return Dovuti(debtor=debtor, iuv=_text(dati, "identificativoUnivocoVersamento"), items=items)


# --- building ---------------------------------------------------------------------------------


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, _q(name))
    if text is not None:
        child.text = text
    return child


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def _soggetto_pagatore(parent: etree._Element, debtor: Debtor) -> None:
    soggetto = _sub(parent, "soggettoPagatore")
    ident = _sub(soggetto, "identificativoUnivocoPagatore")
    _sub(ident, "tipoIdentificativoUnivoco", debtor.kind)
    _sub(ident, "codiceIdentificativoUnivoco", debtor.fiscal_code)
    _sub(soggetto, "anagraficaPagatore", debtor.name[:70])
    for name, value in (
        ("indirizzoPagatore", debtor.address),
        ("civicoPagatore", debtor.civic),
        ("capPagatore", debtor.postal_code),
        ("localitaPagatore", debtor.city),
        ("provinciaPagatore", debtor.province),
        ("nazionePagatore", debtor.country),
        ("e-mailPagatore", debtor.email),
    ):
        if value:
            _sub(soggetto, name, value)


def _attestante_kind(psp_id: str) -> str:
    if _BIC.fullmatch(psp_id):
        return "B"
    if psp_id.upper().startswith("ABI"):
        return "A"
    return "G"


def build_pagati(position: Position, with_receipt: bool) -> bytes:
    """``Pagati`` (or ``PagatiConRicevuta``) for a position closed by a receipt."""
    paid = position.paid
    if paid is None:
        raise ValueError(f"position {position.iuv} has no receipt")
    root = etree.Element(_q("PagatiConRicevuta" if with_receipt else "Pagati"), nsmap={None: NS})
    _sub(root, "versioneOggetto", VERSIONE_OGGETTO)
    dominio = _sub(root, "dominio")
    _sub(dominio, "identificativoDominio", position.creditor.fiscal_code)
    _sub(root, "identificativoMessaggioRicevuta", paid.receipt_id[:35])
    _sub(
        root,
        "dataOraMessaggioRicevuta",
        paid.paid_at.replace(tzinfo=None).isoformat(timespec="seconds"),
    )
    _sub(
        root,
        "riferimentoMessaggioRichiesta",
        (position.sessions[-1] if position.sessions else position.iuv)[:35],
    )
    _sub(root, "riferimentoDataRichiesta", position.created_at.date().isoformat())
    attestante = _sub(root, "istitutoAttestante")
    ident = _sub(attestante, "identificativoUnivocoAttestante")
    _sub(ident, "tipoIdentificativoUnivoco", _attestante_kind(paid.psp_id))
    _sub(ident, "codiceIdentificativoUnivoco", paid.psp_id[:35])
    _sub(attestante, "denominazioneAttestante", (paid.psp_name or paid.psp_id)[:70])
    ente = _sub(root, "enteBeneficiario")
    ident = _sub(ente, "identificativoUnivocoBeneficiario")
    _sub(ident, "tipoIdentificativoUnivoco", "G")
    _sub(ident, "codiceIdentificativoUnivoco", position.creditor.fiscal_code)
    _sub(ente, "denominazioneBeneficiario", position.creditor.name[:70])
    _soggetto_pagatore(root, position.debtor)
    dati = _sub(root, "datiPagamento")
    ok = paid.outcome == "OK"
    _sub(dati, "codiceEsitoPagamento", "0" if ok else "1")
    _sub(dati, "importoTotalePagato", _money(paid.amount if ok else Decimal("0")))
    _sub(dati, "identificativoUnivocoVersamento", position.iuv)
    _sub(dati, "codiceContestoPagamento", "n/a")
    for index, item in enumerate(position.items, start=1):
        single = _sub(dati, "datiSingoloPagamento")
        _sub(single, "identificativoUnivocoDovuto", item.iud)
        amount = paid.transfer_amounts.get(index, item.amount) if ok else Decimal("0")
        _sub(single, "singoloImportoPagato", _money(amount))
        _sub(single, "esitoSingoloPagamento", "ESEGUITO" if ok else "NON ESEGUITO")
        _sub(single, "dataEsitoSingoloPagamento", paid.paid_at.date().isoformat())
        _sub(single, "identificativoUnivocoRiscossione", paid.receipt_id[:35])
        _sub(single, "causaleVersamento", item.causale[:140])
        _sub(single, "datiSpecificiRiscossione", item.dati_specifici_riscossione)
        if with_receipt:
            _sub(single, "indiceDatiSingoloPagamento", str(index))
            if index == 1:
                _sub(single, "commissioniApplicatePSP", _money(paid.fee))
            attachment = paid.mbd_attachments.get(index)
            if attachment is not None:
                allegato = _sub(single, "allegatoRicevuta")
                _sub(allegato, "tipoAllegatoRicevuta", "BD")
                _sub(allegato, "testoAllegato", base64.b64encode(attachment).decode())
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def build_dovuti(position: Position) -> bytes:
    """The ``Dovuti`` document of an open position (``paaSILChiediPosizioniAperte``)."""
    root = etree.Element(_q("Dovuti"), nsmap={None: NS})
    _sub(root, "versioneOggetto", VERSIONE_OGGETTO)
    _soggetto_pagatore(root, position.debtor)
    dati = _sub(root, "datiVersamento")
    _sub(dati, "tipoVersamento", "ALL")
    _sub(dati, "identificativoUnivocoVersamento", position.iuv)
    for item in position.items:
        single = _sub(dati, "datiSingoloVersamento")
        _sub(single, "identificativoUnivocoDovuto", item.iud)
        _sub(single, "importoSingoloVersamento", _money(item.amount))
        if item.commissione_carico_pa is not None:
            _sub(single, "commissioneCaricoPA", _money(item.commissione_carico_pa))
        _sub(single, "identificativoTipoDovuto", item.tipo_dovuto)
        _sub(single, "causaleVersamento", item.causale)
        _sub(single, "datiSpecificiRiscossione", item.dati_specifici_riscossione)
        if item.stamp is not None:
            stamp = _sub(single, "datiMarcaBolloDigitale")
            _sub(stamp, "tipoBollo", item.stamp.tipo_bollo)
            _sub(stamp, "hashDocumento", item.stamp.hash_documento)
            _sub(stamp, "provinciaResidenza", item.stamp.provincia_residenza)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
