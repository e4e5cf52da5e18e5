"""Wire compatibility: a zeep client built from the official pa-per-ente.wsdl drives every
implemented operation against the simulator on a loopback port."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree

from simulators.common.server import BackgroundServer
from simulators.mypay import contracts
from simulators.mypay.app import MyPaySimulator
from simulators.mypay.iuv import iuv_problem
from tests.simulators.mypay.conftest import needs_contracts, needs_official_wsdl
from tests.simulators.mypay.helpers import (
    CF_ENTE,
    COD_IPA,
    DEBTOR_CF,
    PASSWORD,
    dovuti,
    receipt,
    versamento,
)

pytestmark = [pytest.mark.contracts, needs_contracts]
HEADER = {"header": {"codIpaEnte": COD_IPA}}


def assert_conforms(document: bytes, root: str) -> etree._Element:
    """The document is a ``root`` of PagInf_Dovuti_Pagati_6_2_0.xsd and validates."""
    tree = etree.fromstring(document)
    assert tree.tag == f"{{{contracts.PAY_I}}}{root}"
    contracts.documents_schema().validate(tree)
    return tree


def text(tree: etree._Element, path: str) -> str | None:
    """``tree.findtext`` with every step of ``path`` in the documents' namespace."""
    qualified = "/".join(f"p:{step}" for step in path.split("/"))
    return tree.findtext(qualified, namespaces={"p": contracts.PAY_I})


def importa(service: Any, iud: str, **kwargs: Any) -> Any:
    return service.paaSILImportaDovuto(
        password=PASSWORD,
        dovuto=versamento(iud, **kwargs),
        flagGeneraIuv=True,
        _soapheaders=HEADER,
    )


def test_importa_dovuto_creates_position_with_notice(service: Any, live: BackgroundServer) -> None:
    answer = importa(service, "IUD-WIRE-1")
    assert answer.fault is None and answer.esito == "OK"
    iuv = answer.identificativoUnivocoVersamento
    assert iuv_problem(iuv, "01") is None  # segregation code 01, valid mod-93 check digit
    assert answer.urlFileAvviso == f"{live.url}/avvisi/{iuv}.pdf"
    assert answer.base64ZipAvviso is None  # as MyPay: the notice is rendered when asked for
    pdf = httpx.get(answer.urlFileAvviso, timeout=10)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert f"PAGOPA|002|3{iuv}|{CF_ENTE}|2000".encode() in pdf.content


def test_pay_through_station_then_chiedi_pagati_and_ricevuta(
    service: Any, live_sim: MyPaySimulator
) -> None:
    iuv = importa(service, "IUD-WIRE-2", amount="35.50").identificativoUnivocoVersamento
    opened = service.paaSILVerificaAvviso(
        password=PASSWORD,
        identificativoUnivocoVersamento=iuv,
        enteSILInviaRispostaPagamentoUrl="https://proxy.example/landing/1",
        _soapheaders=HEADER,
    )
    assert opened.esito == "OK" and opened.redirect == 1 and opened.idSession
    assert opened.url.startswith("http://127.0.0.1:8030/pay?")
    assert f"noticeNumber=3{iuv}" in opened.url and "amount=3550" in opened.url
    assert "returnUrl=https%3A%2F%2Fproxy.example%2Flanding%2F1" in opened.url

    waiting = service.paaSILChiediPagati(
        codIpaEnte=COD_IPA, password=PASSWORD, idSession=opened.idSession
    )
    assert waiting.fault.faultCode == "PAA_PAGAMENTO_NON_INIZIATO" and waiting.pagati is None

    station = live_sim.station
    station.get_payment(CF_ENTE, "3" + iuv, Decimal("35.50"))
    in_progress = service.paaSILChiediPagati(
        codIpaEnte=COD_IPA, password=PASSWORD, idSession=opened.idSession
    )
    assert in_progress.fault.faultCode == "PAA_PAGAMENTO_IN_CORSO"
    station.send_receipt(receipt("3" + iuv, iuv, [Decimal("35.50")], receipt_id="rcpt-wire-2"))

    paid = service.paaSILChiediPagati(
        codIpaEnte=COD_IPA, password=PASSWORD, idSession=opened.idSession
    )
    assert paid.fault is None
    pagati = assert_conforms(paid.pagati, "Pagati")
    ns = {"p": contracts.PAY_I}
    assert text(pagati, "datiPagamento/codiceEsitoPagamento") == "0"
    assert text(pagati, "datiPagamento/importoTotalePagato") == "35.50"
    assert text(pagati, "datiPagamento/identificativoUnivocoVersamento") == iuv
    single = "p:datiPagamento/p:datiSingoloPagamento/"
    assert pagati.findtext(single + "p:identificativoUnivocoDovuto", namespaces=ns) == "IUD-WIRE-2"
    assert (
        pagati.findtext(single + "p:identificativoUnivocoRiscossione", namespaces=ns)
        == "rcpt-wire-2"
    )
    assert text(pagati, "istitutoAttestante/denominazioneAttestante") == ("Intesa Sanpaolo")

    for key in (
        {"idSession": opened.idSession},
        {"identificativoUnivocoVersamento": iuv},
        {"identificativoUnivocoDovuto": "IUD-WIRE-2"},
    ):
        with_rt = service.paaSILChiediPagatiConRicevuta(
            codIpaEnte=COD_IPA, password=PASSWORD, **key
        )
        assert with_rt.fault is None, key
        assert_conforms(with_rt.pagati, "PagatiConRicevuta")
        assert b"<receiptId>rcpt-wire-2</receiptId>" in with_rt.rt


def test_invia_dovuti_stamp_keeps_mbd_and_returns_it(
    service: Any, live_sim: MyPaySimulator
) -> None:
    stamp_hash = base64.b64encode(b"\x01" * 32).decode()
    answer = service.paaSILInviaDovuti(
        password=PASSWORD,
        dovuti=dovuti(
            [
                {"iud": "IUD-RES-1", "amount": "20.00"},
                {
                    "iud": "IUD-RES-2",
                    "amount": "16.00",
                    "tipo": "MARCA_BOLLO_DIGITALE",
                    "causale": "Marca da bollo istanza di residenza",
                    "stamp": (stamp_hash, "PI"),
                },
            ]
        ),
        enteSILInviaRispostaPagamentoUrl="https://proxy.example/landing/2",
        _soapheaders=HEADER,
    )
    assert answer.fault is None and answer.esito == "OK" and answer.redirect == 1
    assert "amount=3600" in answer.url
    (position,) = live_sim.store.positions()
    described = live_sim.station.verify_payment_notice(CF_ENTE, position.notice_number)
    stamp_transfer = described.transfers[1]
    assert stamp_transfer.iban is None and stamp_transfer.stamp is not None
    assert (stamp_transfer.stamp.document_hash, stamp_transfer.stamp.province) == (stamp_hash, "PI")
    assert described.transfers[0].iban is not None

    mbd = b"<marcaDaBollo>MBD-XML</marcaDaBollo>"
    live_sim.station.get_payment(CF_ENTE, position.notice_number, None)
    live_sim.station.send_receipt(
        receipt(
            position.notice_number, position.iuv, [Decimal("20.00"), Decimal("16.00")], mbd={2: mbd}
        )
    )
    with_rt = service.paaSILChiediPagatiConRicevuta(
        codIpaEnte=COD_IPA, password=PASSWORD, idSession=answer.idSession
    )
    tree = assert_conforms(with_rt.pagati, "PagatiConRicevuta")
    ns = {"p": contracts.PAY_I}
    allegati = tree.findall(".//p:allegatoRicevuta", namespaces=ns)
    assert len(allegati) == 1
    assert allegati[0].findtext("p:tipoAllegatoRicevuta", namespaces=ns) == "BD"
    assert base64.b64decode(allegati[0].findtext("p:testoAllegato", namespaces=ns) or "") == mbd


def test_chiedi_posizioni_aperte_lists_open_dovuti(service: Any, live: BackgroundServer) -> None:
    iuv = importa(service, "IUD-OPEN-1", amount="12.00").identificativoUnivocoVersamento
    importa(service, "IUD-OTHER-1", debtor="VRDGPP80A01H501X")
    answer = service.paaSILChiediPosizioniAperte(
        password=PASSWORD,
        codIpaEnte=COD_IPA,
        identificativoUnivocoPersonaFG={
            "tipoIdentificativoUnivoco": "F",
            "codiceIdentificativoUnivoco": DEBTOR_CF,
        },
    )
    assert answer.fault is None
    (entry,) = answer.paaSILPosizioniAperte
    assert (entry.codIpaEnte, entry.deNomeEnte) == (COD_IPA, "Comune di Bugliano")
    document = assert_conforms(entry.dovuti, "Dovuti")
    ns = {"p": contracts.PAY_I}
    assert (
        document.findtext("p:datiVersamento/p:identificativoUnivocoVersamento", namespaces=ns)
        == iuv
    )
    assert f"noticeNumber=3{iuv}" in entry.urlPagamento


@needs_official_wsdl
def test_served_wsdl_is_the_official_one_at_the_simulators_address(live: BackgroundServer) -> None:
    from zeep import Client

    client = Client(f"{live.url}/ws/pa?wsdl")  # fetches the imported XSD from the simulator too
    assert len(client.service._binding._operations) == 18
    service = client.bind(
        "PagamentiTelematiciDovutiPagatiService", "PagamentiTelematiciDovutiPagatiPort"
    )
    assert service._binding_options["address"] == f"{live.url}/ws/pa"
    answer = service.paaSILChiediPagati(codIpaEnte=COD_IPA, password=PASSWORD, idSession="nope")
    assert answer.fault.faultCode == "PAA_ID_SESSION_NON_VALIDO"


def test_request_children_must_be_unqualified_like_the_wsdl_says(live: BackgroundServer) -> None:
    ppt = contracts.PPT
    body = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:ppt="{ppt}"><soap:Body><ppt:paaSILChiediPagati><ppt:codIpaEnte>c_bugliano'
        "</ppt:codIpaEnte><idSession>x</idSession></ppt:paaSILChiediPagati></soap:Body>"
        "</soap:Envelope>"
    )
    reply = httpx.post(f"{live.url}/ws/pa", content=body, headers={"content-type": "text/xml"})
    assert reply.status_code == 500
    assert b"does not conform to pa-per-ente.wsdl" in reply.content
    assert b"codIpaEnte" in reply.content
