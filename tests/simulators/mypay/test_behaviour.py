"""What a payment proxy notices about the MyPay simulator: credentials, idempotency,
refusals with MyPay's fault codes, unsafe XML, the station closing a dovuto."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree
from starlette.testclient import TestClient

from simulators.common.station import StationClient, StationError, send_rt_request
from simulators.common.station_mbd import MbdDocument, build_mbd
from simulators.mypay.app import MyPaySimulator, Settings, create_app
from simulators.mypay.soap import PPT
from tests.simulators.mypay.conftest import needs_contracts
from tests.simulators.mypay.helpers import (
    CF_ENTE,
    COD_IPA,
    HEADER,
    PASSWORD,
    answer_of,
    dovuti,
    fault_code,
    import_request,
    post,
    receipt,
    soap_request,
    versamento,
)

pytestmark = [pytest.mark.contracts, needs_contracts]


def test_wrong_password_gets_the_faultbean_mypay_sends(client: TestClient) -> None:
    reply = post(client, "paaSILImportaDovuto", import_request("IUD-PWD-1", password="not-the-one"))
    assert reply.status_code == 200
    answer = answer_of(reply.content)
    assert answer.findtext("fault/faultCode") == "PAA_ENTE_NON_VALIDO"
    assert answer.findtext("fault/faultString") == "Password non valida per ente [c_bugliano]"
    assert answer.findtext("fault/id") == COD_IPA
    assert answer.findtext("esito") == "KO"
    reply = post(
        client,
        "paaSILChiediPagati",
        soap_request("paaSILChiediPagati", codIpaEnte="c_altro", password=PASSWORD, idSession="x"),
    )
    assert answer_of(reply.content).findtext("fault/faultString") == (
        "codice IPA Ente [c_altro] non valido"
    )


def test_same_iud_twice_never_creates_a_second_dovuto(
    client: TestClient, sim: MyPaySimulator
) -> None:
    first = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-DUP-1")).content)
    again = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-DUP-1")).content)
    assert first.findtext("esito") == "OK"
    assert again.findtext("fault/faultCode") == "PAA_IUD_DUPLICATO"
    assert again.findtext("esito") == "KO"
    assert len(sim.store.positions()) == 1


def test_duplicate_iud_can_answer_the_existing_iuv_instead() -> None:
    with TestClient(create_app(Settings(duplicate_iud="existing"))) as client:
        first = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-DUP-2")).content)
        again = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-DUP-2")).content)
    iuv = first.findtext("identificativoUnivocoVersamento")
    assert iuv and again.findtext("identificativoUnivocoVersamento") == iuv


def test_concurrent_imports_of_one_iud_make_one_position(sim: MyPaySimulator, app: Any) -> None:
    body = import_request("IUD-RACE-1")
    codes: list[str | None] = []

    def send() -> None:
        with TestClient(app) as client:
            codes.append(fault_code(post(client, "paaSILImportaDovuto", body).content))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes, key=str) == [None] + ["PAA_IUD_DUPLICATO"] * 7
    assert len(sim.store.positions()) == 1


def test_document_not_conforming_to_the_xsd_is_refused(client: TestClient) -> None:
    bad = versamento("IUD-XSD-1", amount="20")  # stImportoPositivo wants two decimals
    reply = post(
        client,
        "paaSILImportaDovuto",
        soap_request(
            "paaSILImportaDovuto", password=PASSWORD, dovuto=bad, flagGeneraIuv=True, **HEADER
        ),
    )
    answer = answer_of(reply.content)
    assert answer.findtext("fault/faultCode") == "PAA_XML_NON_VALIDO"
    assert "PagInf_Dovuti_Pagati_6_2_0.xsd" in (answer.findtext("fault/description") or "")


def test_envelope_with_dtd_or_entities_is_refused(client: TestClient) -> None:
    body = import_request("IUD-DTD-1").replace(
        b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1
    )
    reply = post(client, "paaSILImportaDovuto", body)
    assert reply.status_code == 400
    assert b"<faultcode>soap:Client</faultcode>" in reply.content
    assert b"DOCTYPE" in reply.content
    inner = b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaa">]><Versamento>&a;</Versamento>'
    reply = post(
        client,
        "paaSILImportaDovuto",
        soap_request(
            "paaSILImportaDovuto", password=PASSWORD, dovuto=inner, flagGeneraIuv=True, **HEADER
        ),
    )
    assert fault_code(reply.content) == "PAA_XML_NON_VALIDO"
    assert b"DOCTYPE" in reply.content


def test_oversized_body_is_refused_with_413() -> None:
    with TestClient(create_app(Settings(max_body_bytes=2048))) as client:
        reply = post(client, "paaSILImportaDovuto", import_request("IUD-BIG-1", causale="x" * 1000))
    assert reply.status_code == 413
    assert b"exceeds the limit of 2048 bytes" in reply.content


def test_soap_level_mistakes_get_specific_soap_faults(client: TestClient) -> None:
    body = soap_request("paaSILChiediPagati", codIpaEnte=COD_IPA, password=PASSWORD, idSession="x")
    wrong_action = client.post("/ws/pa", content=body, headers={"soapaction": "paaSILInviaDovuti"})
    assert wrong_action.status_code == 500 and b"does not match body" in wrong_action.content
    # an operation of the official WSDL the simulator does not implement (built by hand:
    # the built-in contract does not declare it)
    soap = "http://schemas.xmlsoap.org/soap/envelope/"
    envelope = etree.Element(f"{{{soap}}}Envelope")
    export = etree.SubElement(
        etree.SubElement(envelope, f"{{{soap}}}Body"), f"{{{PPT}}}paaSILChiediStatoExportFlusso"
    )
    etree.SubElement(export, "requestToken").text = "t"
    reply = post(client, "x", etree.tostring(envelope))
    assert reply.status_code == 500 and b"not implemented by this simulator" in reply.content
    soap12 = body.replace(
        b"http://schemas.xmlsoap.org/soap/envelope/", b"http://www.w3.org/2003/05/soap-envelope"
    )
    assert b"soap:VersionMismatch" in post(client, "paaSILChiediPagati", soap12).content


def test_stamps_are_paid_online_only_and_for_the_configured_amount(client: TestClient) -> None:
    imported = post(
        client,
        "paaSILImportaDovuto",
        import_request("IUD-BOLLO-1", tipo="MARCA_BOLLO_DIGITALE", amount="16.00"),
    )
    assert fault_code(imported.content) == "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO"
    wrong = dovuti(
        [
            {
                "iud": "IUD-BOLLO-2",
                "tipo": "MARCA_BOLLO_DIGITALE",
                "amount": "2.00",
                "stamp": ("aGFzaA==", "PI"),
            }
        ]
    )
    reply = post(
        client,
        "paaSILInviaDovuti",
        soap_request("paaSILInviaDovuti", password=PASSWORD, dovuti=wrong, **HEADER),
    )
    assert fault_code(reply.content) == "PAA_IMPORTO_MARCA_BOLLO_DIGITALE_NON_VALIDA"
    unknown = post(client, "paaSILImportaDovuto", import_request("IUD-TIPO-1", tipo="TARI"))
    assert fault_code(unknown.content) == "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO"


def test_cancel_and_modify_by_iud(client: TestClient, sim: MyPaySimulator) -> None:
    created = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-MOD-1")).content)
    iuv = created.findtext("identificativoUnivocoVersamento") or ""
    modified = answer_of(
        post(
            client, "paaSILImportaDovuto", import_request("IUD-MOD-1", azione="M", amount="25.00")
        ).content
    )
    assert modified.findtext("identificativoUnivocoVersamento") == iuv
    position = sim.station.verify_payment_notice(CF_ENTE, "3" + iuv)
    assert position.amount == Decimal("25.00")
    post(client, "paaSILImportaDovuto", import_request("IUD-MOD-1", azione="A"))
    with pytest.raises(StationError) as refused:
        sim.station.verify_payment_notice(CF_ENTE, "3" + iuv)
    assert refused.value.fault_code == "PAA_PAGAMENTO_ANNULLATO"
    missing = post(client, "paaSILImportaDovuto", import_request("IUD-NONE-1", azione="M"))
    assert fault_code(missing.content) == "PAA_IUD_NON_VALIDO"


async def test_paying_through_the_station_route_closes_the_dovuto(
    app: Any, sim: MyPaySimulator
) -> None:
    stamp_hash = base64.b64encode(b"\x02" * 32).decode()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        sent = await http.post(
            "/ws/pa",
            content=soap_request(
                "paaSILInviaDovuti",
                password=PASSWORD,
                **HEADER,
                dovuti=dovuti(
                    [
                        {
                            "iud": "IUD-ST-1",
                            "tipo": "MARCA_BOLLO_DIGITALE",
                            "amount": "16.00",
                            "causale": "Marca da bollo",
                            "stamp": (stamp_hash, "PI"),
                        }
                    ]
                ),
            ),
        )
        session = answer_of(sent.content).findtext("idSession")
        (position,) = sim.store.positions()
        station = StationClient("http://sim/pagopa/paForNode", http=http)
        verified = await station.verify(CF_ENTE, position.notice_number)
        assert verified.amount == Decimal("16.00")
        described = await station.get_payment(
            CF_ENTE, position.notice_number, amount=Decimal("16.00")
        )
        stamp = described.transfers[0].stamp
        assert stamp is not None and stamp.document_hash == stamp_hash
        mbd = build_mbd(
            MbdDocument(
                "12345678901",
                "PSP Test",
                "01234567890123",
                datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
                Decimal("16.00"),
                "01",
                stamp_hash,
            )
        )
        paid = receipt(
            position.notice_number,
            position.iuv,
            [Decimal("16.00")],
            receipt_id="rcpt-station-1",
            mbd={1: mbd},
        )
        rt = send_rt_request(paid, company_name="Comune di Bugliano", debtor_name="Mario Rossi")
        await station.send_receipt(rt)
        await station.send_receipt(rt)  # the Nodo retrying: the same receipt is taken again
        other = send_rt_request(
            receipt(position.notice_number, position.iuv, [Decimal("16.00")], receipt_id="r2"),
            company_name="Comune di Bugliano",
            debtor_name="Mario Rossi",
        )
        with pytest.raises(StationError) as duplicate:
            await station.send_receipt(other)
        assert duplicate.value.fault_code == "PAA_RECEIPT_DUPLICATA"

        reply = await http.post(
            "/ws/pa",
            content=soap_request(
                "paaSILChiediPagatiConRicevuta",
                codIpaEnte=COD_IPA,
                password=PASSWORD,
                idSession=session,
            ),
        )
    answer = answer_of(reply.content)
    assert answer.find("fault") is None
    rt_back = base64.b64decode(answer.findtext("rt") or "")
    assert b"paSendRTV2Request" in rt_back and b"rcpt-station-1" in rt_back
    pagati = base64.b64decode(answer.findtext("pagati") or "")
    assert base64.b64encode(mbd) in pagati  # the MBD as allegatoRicevuta BD
    assert position.state == "PAGATO" and position.paid is not None
    assert position.paid.mbd_attachments == {1: mbd}


def test_payment_url_opens_a_cart_on_the_checkout_mock(client: TestClient) -> None:
    from simulators.checkout.app import Settings as CheckoutSettings
    from simulators.checkout.app import create_app as checkout_app

    created = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-URL-1")).content)
    iuv = created.findtext("identificativoUnivocoVersamento") or ""
    opened = answer_of(
        post(
            client,
            "paaSILVerificaAvviso",
            soap_request(
                "paaSILVerificaAvviso",
                password=PASSWORD,
                identificativoUnivocoVersamento=iuv,
                **HEADER,
            ),
        ).content
    )
    url = httpx.URL(opened.findtext("url") or "")
    assert url.params["returnUrl"].endswith(f"/ritorno/{opened.findtext('idSession')}")
    with TestClient(checkout_app(CheckoutSettings()), follow_redirects=False) as checkout:
        reply = checkout.get(f"{url.path}?{url.query.decode()}")
    assert reply.status_code == 302, reply.text
    back = client.get(f"/ritorno/{opened.findtext('idSession')}?esito=OK")
    assert back.status_code == 200 and "3" + iuv in back.text
