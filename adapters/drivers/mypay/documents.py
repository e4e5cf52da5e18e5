"""The documents MyPay carries base64 inside its SOAP messages (``PagInf_Dovuti_Pagati_6_2_0.xsd``).

``paaSILImportaDovuto.dovuto`` carries a ``Versamento`` (with ``azione``: I insert, M modify,
A cancel, S print only); ``paaSILInviaDovuti.dovuti`` carries a ``Dovuti``. Every child
element is namespace-qualified (the schema's ``elementFormDefault="qualified"``). Built with
lxml, element by element, in the schema's sequence order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from lxml import etree

from adapters.core.intermediary import Debtor, DigitalStamp, Transfer
from adapters.pagopa import format_plain

NS = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"
VERSIONE_OGGETTO = "6.2.0"
#: ``tipoVersamento``: every payment method the platform offers.
TIPO_VERSAMENTO_ALL = "ALL"
_TAXONOMY = re.compile(r"[0129]/\S{3,138}")


class Azione:
    INSERT = "I"
    MODIFY = "M"
    CANCEL = "A"
    PRINT = "S"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, _q(name))
    if text is not None:
        node.text = text
    return node


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dati_specifici_riscossione(taxonomy: str | None) -> str:
    """``datiSpecificiRiscossione`` (``[0129]/\\S{3,138}``) from a pagoPA taxonomy code."""
    value = (taxonomy or "9/0101108TS/").strip()
    if _TAXONOMY.fullmatch(value):
        return value
    candidate = f"9/{value}"
    if _TAXONOMY.fullmatch(candidate):
        return candidate
    raise ValueError(
        f"taxonomy {taxonomy!r} cannot form datiSpecificiRiscossione "
        "([0129]/ followed by 3-138 non-blank characters, e.g. 9/0101108TS/)"
    )


def _soggetto_pagatore(parent: etree._Element, debtor: Debtor) -> None:
    soggetto = _add(parent, "soggettoPagatore")
    ident = _add(soggetto, "identificativoUnivocoPagatore")
    _add(ident, "tipoIdentificativoUnivoco", "G" if debtor.type == "legal" else "F")
    _add(ident, "codiceIdentificativoUnivoco", debtor.fiscal_code.upper())
    _add(soggetto, "anagraficaPagatore", _cut(debtor.full_name or debtor.fiscal_code, 70))
    optional = (
        ("indirizzoPagatore", debtor.street_name, 70),
        ("civicoPagatore", debtor.building_number, 16),
        ("capPagatore", debtor.postal_code, 16),
        ("localitaPagatore", debtor.town_name, 35),
    )
    for name, value, limit in optional:
        if value and value.strip():
            _add(soggetto, name, _cut(value, limit))
    if debtor.province and re.fullmatch(r"[A-Za-z]{2}", debtor.province.strip()):
        _add(soggetto, "provinciaPagatore", debtor.province.strip().upper())
    if debtor.country and re.fullmatch(r"[A-Za-z]{2}", debtor.country.strip()):
        _add(soggetto, "nazionePagatore", debtor.country.strip().upper())
    if debtor.email and re.fullmatch(r"[^@\s]+@[a-zA-Z0-9.-]+", debtor.email.strip()):
        _add(soggetto, "e-mailPagatore", debtor.email.strip())


def _bilancio(parent: etree._Element, transfers: Sequence[Transfer]) -> None:
    """OpenCity's budget ``split`` as MyPay's ``bilancio`` (one capitolo per share)."""
    bilancio = _add(parent, "bilancio")
    for transfer in transfers:
        capitolo = _add(bilancio, "capitolo")
        _add(capitolo, "codCapitolo", _cut(transfer.code, 64))
        office = transfer.meta.get("office") if transfer.meta else None
        if office:
            _add(capitolo, "codUfficio", _cut(str(office), 64))
        accertamento = _add(capitolo, "accertamento")
        account = transfer.meta.get("accertamento") if transfer.meta else None
        if account:
            _add(accertamento, "codAccertamento", _cut(str(account), 64))
        _add(accertamento, "importo", format_plain(transfer.amount))


def versamento(
    *,
    iud: str,
    amount: Decimal,
    tipo_dovuto: str,
    reason: str,
    taxonomy: str | None,
    debtor: Debtor,
    due: datetime | None,
    azione: str = Azione.INSERT,
    transfers: Sequence[Transfer] = (),
    iuv: str | None = None,
) -> bytes:
    """The ``Versamento`` document for ``paaSILImportaDovuto`` (``iuv`` is needed by azione S,
    print, and absent when MyPay generates it)."""
    root = etree.Element(_q("Versamento"), nsmap={"pay_i": NS})
    _add(root, "versioneOggetto", VERSIONE_OGGETTO)
    _soggetto_pagatore(root, debtor)
    dati = _add(root, "datiVersamento")
    if due is not None:
        _add(dati, "dataEsecuzionePagamento", due.date().isoformat())
    _add(dati, "tipoVersamento", TIPO_VERSAMENTO_ALL)
    if iuv:
        _add(dati, "identificativoUnivocoVersamento", iuv)
    _add(dati, "identificativoUnivocoDovuto", iud)
    _add(dati, "importoSingoloVersamento", format_plain(amount))
    _add(dati, "identificativoTipoDovuto", tipo_dovuto)
    _add(dati, "causaleVersamento", _cut(reason, 1024))
    _add(dati, "datiSpecificiRiscossione", dati_specifici_riscossione(taxonomy))
    if transfers:
        _bilancio(dati, transfers)
    _add(root, "azione", azione)
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document


def dovuti(
    *,
    iud: str,
    iuv: str | None,
    amount: Decimal,
    tipo_dovuto: str,
    reason: str,
    taxonomy: str | None,
    debtor: Debtor,
    stamp: DigitalStamp | None = None,
    transfers: Sequence[Transfer] = (),
) -> bytes:
    """The ``Dovuti`` document for ``paaSILInviaDovuti`` (immediate payment; the only one that
    can carry ``datiMarcaBolloDigitale``)."""
    root = etree.Element(_q("Dovuti"), nsmap={"pay_i": NS})
    _add(root, "versioneOggetto", VERSIONE_OGGETTO)
    _soggetto_pagatore(root, debtor)
    dati = _add(root, "datiVersamento")
    _add(dati, "tipoVersamento", TIPO_VERSAMENTO_ALL)
    if iuv:
        _add(dati, "identificativoUnivocoVersamento", iuv)
    singolo = _add(dati, "datiSingoloVersamento")
    _add(singolo, "identificativoUnivocoDovuto", iud)
    _add(singolo, "importoSingoloVersamento", format_plain(amount))
    _add(singolo, "identificativoTipoDovuto", tipo_dovuto)
    _add(singolo, "causaleVersamento", _cut(reason, 1024))
    _add(singolo, "datiSpecificiRiscossione", dati_specifici_riscossione(taxonomy))
    if stamp is not None:
        bollo = _add(singolo, "datiMarcaBolloDigitale")
        _add(bollo, "tipoBollo", stamp.stamp_type)
        _add(bollo, "hashDocumento", stamp.document_hash)
        _add(bollo, "provinciaResidenza", stamp.province.upper())
    if transfers:
        _bilancio(singolo, transfers)
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document


def mypay_iud(iud: str) -> str:
    """MyPay refuses IUDs starting with "000" and longer than 35 characters; keep the derived
    IUD deterministic while satisfying both."""
    value = iud.strip()
    if value.startswith("000"):
        value = "I" + value
    return value[:35]
