"""Building MyPay requests the way a SIL does: base64 documents from lxml, zeep clients."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from simulators.common.station import StationReceipt, StationTransfer
from simulators.mypay import contracts

NS = contracts.PAY_I
BINDING = (
    "{http://www.regione.veneto.it/pagamenti/ente/PagamentiTelematiciDovutiPagati}"
    "PagamentiTelematiciDovutiPagatiBinding"
)
COD_IPA = "c_bugliano"
PASSWORD = "sim-password"
CF_ENTE = "80000000002"
DEBTOR_CF = "RSSMRA80A01H501U"
IBAN = "IT60X0542811101000000123456"


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = text
    return el


def _soggetto(
    root: etree._Element, fiscal_code: str = DEBTOR_CF, name: str = "Mario Rossi"
) -> None:
    soggetto = _sub(root, "soggettoPagatore")
    ident = _sub(soggetto, "identificativoUnivocoPagatore")
    _sub(ident, "tipoIdentificativoUnivoco", "F")
    _sub(ident, "codiceIdentificativoUnivoco", fiscal_code)
    _sub(soggetto, "anagraficaPagatore", name)
    _sub(soggetto, "e-mailPagatore", "mario.rossi@example.org")


def versamento(
    iud: str,
    amount: str = "20.00",
    azione: str = "I",
    tipo: str = "DIRITTI_SEGRETERIA",
    causale: str = "Diritti di segreteria occupazione suolo pubblico",
    iuv: str | None = None,
    due: date | None = date(2031, 12, 31),
    debtor: str = DEBTOR_CF,
) -> bytes:
    """A ``Versamento`` document for ``paaSILImportaDovuto``."""
    root = etree.Element(f"{{{NS}}}Versamento", nsmap={"pay_i": NS})
    _sub(root, "versioneOggetto", "6.2")
    _soggetto(root, debtor)
    dati = _sub(root, "datiVersamento")
    if due is not None:
        _sub(dati, "dataEsecuzionePagamento", due.isoformat())
    _sub(dati, "tipoVersamento", "ALL")
    if iuv:
        _sub(dati, "identificativoUnivocoVersamento", iuv)
    _sub(dati, "identificativoUnivocoDovuto", iud)
    _sub(dati, "importoSingoloVersamento", amount)
    _sub(dati, "identificativoTipoDovuto", tipo)
    _sub(dati, "causaleVersamento", causale)
    _sub(dati, "datiSpecificiRiscossione", "9/0101108TS/")
    _sub(root, "azione", azione)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def dovuti(items: list[dict[str, Any]], debtor: str = DEBTOR_CF) -> bytes:
    """A ``Dovuti`` document for ``paaSILInviaDovuti``; items: iud, amount, tipo, causale,
    and for a stamp ``stamp=(hash, province)``."""
    root = etree.Element(f"{{{NS}}}Dovuti", nsmap={"pay_i": NS})
    _sub(root, "versioneOggetto", "6.2")
    _soggetto(root, debtor)
    dati = _sub(root, "datiVersamento")
    _sub(dati, "tipoVersamento", "ALL")
    for item in items:
        single = _sub(dati, "datiSingoloVersamento")
        _sub(single, "identificativoUnivocoDovuto", item["iud"])
        _sub(single, "importoSingoloVersamento", item.get("amount", "20.00"))
        _sub(single, "identificativoTipoDovuto", item.get("tipo", "DIRITTI_SEGRETERIA"))
        _sub(single, "causaleVersamento", item.get("causale", "Diritti di segreteria"))
        _sub(single, "datiSpecificiRiscossione", item.get("dsr", "9/0101108TS/"))
        if "stamp" in item:
            stamp = _sub(single, "datiMarcaBolloDigitale")
            _sub(stamp, "tipoBollo", "01")
            _sub(stamp, "hashDocumento", item["stamp"][0])
            _sub(stamp, "provinciaResidenza", item["stamp"][1])
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def receipt(
    notice_number: str,
    iuv: str,
    amounts: list[Decimal],
    receipt_id: str = "rcpt-0001",
    mbd: dict[int, bytes] | None = None,
    outcome: str = "OK",
) -> StationReceipt:
    """A receipt as the Nodo mock would deliver it to the station."""
    transfers = [
        StationTransfer(
            i, amount, CF_ENTE, None if i in (mbd or {}) else IBAN, "causale", "0101108TS"
        )
        for i, amount in enumerate(amounts, start=1)
    ]
    return StationReceipt(
        receipt_id=receipt_id,
        notice_number=notice_number,
        fiscal_code=CF_ENTE,
        creditor_reference_id=iuv,
        amount=sum(amounts, Decimal("0.00")),
        description="causale",
        psp_id="BCITITMM",
        psp_name="Intesa Sanpaolo",
        channel_id="BCITITMM_01",
        payment_method="CP",
        fee=Decimal("1.00"),
        payment_datetime=datetime(2030, 5, 4, 10, 30, tzinfo=UTC),
        outcome=outcome,
        debtor_fiscal_code=DEBTOR_CF,
        payer_fiscal_code=DEBTOR_CF,
        transfers=transfers,
        mbd_attachments=mbd or {},
        raw_xml=b"<paSendRTV2Request><receipt><receiptId>"
        + receipt_id.encode()
        + b"</receiptId></receipt></paSendRTV2Request>",
    )


def soap_request(operation: str, **kwargs: Any) -> bytes:
    """The envelope a zeep client built from the official WSDL sends for ``operation``."""
    from zeep import Client

    client = _official_client()
    service = client.create_service(BINDING, "http://sim.invalid/ws/pa")
    message = client.create_message(service, operation, **kwargs)
    data: bytes = etree.tostring(message, xml_declaration=True, encoding="UTF-8")
    assert isinstance(client, Client)
    return data


_CLIENT: list[Any] = []


def _official_client() -> Any:
    if not _CLIENT:
        from zeep import Client

        _CLIENT.append(Client(str(contracts.contract_file(contracts.WSDL_FILE))))
    return _CLIENT[0]


def post(client: Any, operation: str, body: bytes) -> Any:
    """POST an envelope to ``/ws/pa`` with the operation's SOAPAction."""
    return client.post(
        "/ws/pa",
        content=body,
        headers={"content-type": "text/xml; charset=utf-8", "soapaction": f'"{operation}"'},
    )


def answer_of(content: bytes) -> etree._Element:
    """The body element of a SOAP answer."""
    root = etree.fromstring(content)
    body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None
    return body[0]


HEADER = {"_soapheaders": {"header": {"codIpaEnte": COD_IPA}}}


def import_request(iud: str, password: str = PASSWORD, **kwargs: Any) -> bytes:
    return soap_request(
        "paaSILImportaDovuto",
        password=password,
        dovuto=versamento(iud, **kwargs),
        flagGeneraIuv=True,
        **HEADER,
    )


def fault_code(content: bytes) -> str | None:
    return answer_of(content).findtext("fault/faultCode")
