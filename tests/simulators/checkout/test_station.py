"""The shared paForNode station side (simulators.common.station) and the Nodo's client."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from simulators.common import station_xml
from simulators.common.server import free_port
from simulators.common.station import (
    StationClient,
    StationError,
    StationPosition,
    StationReceipt,
    get_payment_request,
    parse_get_payment_response,
    parse_send_rt_response,
    parse_verify_response,
    send_rt_request,
    station_mount,
    verify_request,
)
from simulators.common.station_mbd import MbdDocument, build_mbd, mbd_errors
from simulators.common.station_xml import PAF, SOAP_ENV, schema_errors, unwrap
from tests.simulators.checkout.conftest import (
    CREDITOR,
    DOCUMENT_HASH,
    EXPIRED,
    PLAIN,
    STAMP,
    FakeStation,
    position,
    requires_contracts,
)

NS = {"s": SOAP_ENV, "paf": PAF}


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://station")


async def _post(app: Starlette, body: bytes, action: str = "") -> httpx.Response:
    async with _client(app) as http:
        return await http.post(
            "/pagopa/paForNode",
            content=body,
            headers={"Content-Type": "text/xml", "SOAPAction": action},
        )


def _receipt(notice: str, mbd: dict[int, bytes] | None = None) -> StationReceipt:
    p = position(notice)
    return StationReceipt(
        receipt_id="c0ffee0000000000000000000000cafe",
        notice_number=notice,
        fiscal_code=CREDITOR,
        creditor_reference_id=p.creditor_reference_id,
        amount=p.amount,
        description=p.description,
        psp_id="70000000001",
        psp_name="PSP Simulato",
        channel_id="70000000001_01",
        payment_method="creditCard",
        fee=Decimal("1.00"),
        payment_datetime=datetime(2025, 3, 1, 10, 30),
        outcome="OK",
        debtor_fiscal_code=p.debtor_fiscal_code,
        payer_fiscal_code="RSSMRA80A01H501U",
        transfers=p.transfers,
        mbd_attachments=mbd or {},
        raw_xml=b"",
    )


def _mbd() -> bytes:
    return build_mbd(
        MbdDocument(
            "70000000001", "PSP", "12345678901234", datetime(2025, 3, 1), Decimal("16"), "01",
            DOCUMENT_HASH,
        )
    )  # fmt: skip


@pytest.fixture
def app(station: FakeStation) -> Starlette:
    return Starlette(routes=[station_mount(station)])


async def test_verify_answers_with_the_position(app: Starlette) -> None:
    reply = await _post(app, verify_request(CREDITOR, STAMP), "paVerifyPaymentNotice")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
    notice = parse_verify_response(reply.content, CREDITOR, STAMP)
    assert notice.amount == Decimal("36.00") and notice.company_name == "Comune di Bugliano"
    assert notice.description == "Istanza di residenza" and notice.all_ccp is False
    res = unwrap(reply.content)
    assert res.tag == f"{{{PAF}}}paVerifyPaymentNoticeRes"
    assert res.findtext("paymentList/paymentOptionDescription/options") == "EQ"


async def test_refusal_is_outcome_ko_with_the_fault_bean(app: Starlette) -> None:
    reply = await _post(app, verify_request(CREDITOR, EXPIRED))
    assert reply.status_code == 200
    res = unwrap(reply.content)
    assert res.findtext("outcome") == "KO"
    fault = res.find("fault")
    assert [child.tag for child in fault] == ["faultCode", "faultString", "id", "description"]
    assert fault.findtext("faultCode") == "PAA_PAGAMENTO_SCADUTO"
    assert fault.findtext("id") == CREDITOR
    assert "scaduto" in fault.findtext("faultString")
    with pytest.raises(StationError) as info:
        parse_verify_response(reply.content, CREDITOR, EXPIRED)
    assert info.value.fault_code == "PAA_PAGAMENTO_SCADUTO"
    assert "expired on 2020-01-01" in info.value.description


async def test_get_payment_v2_carries_the_stamp_request(app: Starlette) -> None:
    body = get_payment_request(CREDITOR, STAMP, amount=Decimal("36"), payment_note="cart-1")
    reply = await _post(app, body, "paGetPaymentV2")
    got = parse_get_payment_response(reply.content, CREDITOR, STAMP)
    assert got == position(STAMP)
    stamp = unwrap(reply.content).find("data/transferList/transfer/richiestaMarcaDaBollo")
    assert stamp.findtext("hashDocumento") == DOCUMENT_HASH
    assert stamp.findtext("provinciaResidenza") == "PI"


async def test_get_payment_v1_refuses_stamps_but_serves_iban_transfers(app: Starlette) -> None:
    reply = await _post(app, get_payment_request(CREDITOR, PLAIN, v2=False))
    assert unwrap(reply.content).tag == f"{{{PAF}}}paGetPaymentRes"
    assert parse_get_payment_response(reply.content, CREDITOR, PLAIN, v2=False).amount == 20
    reply = await _post(app, get_payment_request(CREDITOR, STAMP, v2=False))
    with pytest.raises(StationError, match="PAA_SEMANTICA"):
        parse_get_payment_response(reply.content, CREDITOR, STAMP, v2=False)


async def test_send_rt_v2_and_v1_reach_the_station(app: Starlette, station: FakeStation) -> None:
    p = position(STAMP)
    body = send_rt_request(
        _receipt(STAMP, {2: _mbd()}), company_name=p.company_name, debtor_name=p.debtor_name
    )
    reply = await _post(app, body, "paSendRTV2")
    parse_send_rt_response(reply.content)
    [got] = station.receipts
    assert got.mbd_attachments == {2: _mbd()} and got.raw_xml == body
    assert got.payer_fiscal_code == "RSSMRA80A01H501U" and got.fee == Decimal("1.00")
    assert got.payment_datetime == datetime(2025, 3, 1, 10, 30)

    v1 = send_rt_request(_receipt(PLAIN), company_name="C", debtor_name="D", v2=False)
    reply = await _post(app, v1, "paSendRT")
    assert unwrap(reply.content).tag == f"{{{PAF}}}paSendRTRes"
    parse_send_rt_response(reply.content, v2=False)
    assert [r.notice_number for r in station.receipts] == [STAMP, PLAIN]


@requires_contracts
async def test_schema_invalid_request_is_refused_as_sintassi_xsd(app: Starlette) -> None:
    station_xml.set_validation(False)  # build a broken request without the client noticing
    try:
        body = verify_request(CREDITOR, "12345")  # noticeNumber must be 18 digits
    finally:
        station_xml.set_validation(True)
    reply = await _post(app, body)
    res = unwrap(reply.content)
    assert res.findtext("fault/faultCode") == "PAA_SINTASSI_XSD"
    assert "noticeNumber" in res.findtext("fault/description")
    assert schema_errors(res) == []


@requires_contracts
async def test_a_station_answer_breaking_the_schema_becomes_system_error() -> None:
    class Verbose(FakeStation):
        def verify_payment_notice(self, fiscal_code: str, notice_number: str) -> StationPosition:
            p = position(PLAIN)
            return StationPosition(**{**p.__dict__, "description": "x" * 141})

    app = Starlette(routes=[station_mount(Verbose())])
    reply = await _post(app, verify_request(CREDITOR, PLAIN))
    res = unwrap(reply.content)
    assert res.findtext("fault/faultCode") == "PAA_SYSTEM_ERROR"
    assert "schema" in res.findtext("fault/description")


async def test_station_bug_still_answers_paForNode() -> None:
    class Broken(FakeStation):
        def get_payment(self, fiscal_code: str, notice_number: str, amount: Any) -> Any:
            raise RuntimeError("boom")

    app = Starlette(routes=[station_mount(Broken())])
    reply = await _post(app, get_payment_request(CREDITOR, PLAIN))
    with pytest.raises(StationError, match="PAA_SYSTEM_ERROR"):
        parse_get_payment_response(reply.content, CREDITOR, PLAIN)


async def test_broker_and_station_ids_are_checked_when_configured(station: FakeStation) -> None:
    app = Starlette(
        routes=[station_mount(station, id_broker_pa="80000000002", id_station="80000000002_01")]
    )
    ok = await _post(app, verify_request(CREDITOR, PLAIN))
    assert unwrap(ok.content).findtext("outcome") == "OK"
    wrong = await _post(app, verify_request(CREDITOR, PLAIN, id_broker_pa="11111111111"))
    assert unwrap(wrong.content).findtext("fault/faultCode") == "PAA_ID_INTERMEDIARIO_ERRATO"
    wrong = await _post(app, verify_request(CREDITOR, PLAIN, id_station="80000000002_09"))
    assert unwrap(wrong.content).findtext("fault/faultCode") == "PAA_STAZIONE_INT_ERRATA"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"not xml", "not well-formed"),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>', "DOCTYPE"),
        (b"<x/>", "SOAP 1.1 Envelope"),
    ],
)
async def test_non_soap_bodies_get_a_soap_fault(app: Starlette, body: bytes, words: str) -> None:
    reply = await _post(app, body)
    assert reply.status_code == 500
    root = etree.fromstring(reply.content)
    assert root.find("s:Body/s:Fault", NS) is not None
    assert words in root.findtext("s:Body/s:Fault/faultstring", namespaces=NS)


async def test_unserved_operation_gets_a_soap_fault(app: Starlette) -> None:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope")
    etree.SubElement(
        etree.SubElement(env, f"{{{SOAP_ENV}}}Body"), f"{{{PAF}}}paDemandPaymentNoticeRequest"
    )
    reply = await _post(app, etree.tostring(env))
    assert reply.status_code == 500 and b"not served" in reply.content


@requires_contracts
def test_mbd_document_validates_and_detects_tampering() -> None:
    assert mbd_errors(_mbd()) == []
    assert mbd_errors(_mbd().replace(b"<TipoBollo>01<", b"<TipoBollo>02<")) != []


async def test_client_reports_unreachable_stations_and_records_exchanges() -> None:
    seen: list[Any] = []
    client = StationClient(
        f"http://127.0.0.1:{free_port()}/pagopa/paForNode", on_exchange=seen.append
    )
    with pytest.raises(StationError) as info:
        await client.verify(CREDITOR, PLAIN)
    assert info.value.fault_code == "PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE"
    assert seen[0].operation == "paVerifyPaymentNotice" and "unreachable" in seen[0].error


async def test_client_refuses_answers_that_are_not_the_expected_response(app: Starlette) -> None:
    reply = await _post(app, verify_request(CREDITOR, PLAIN))
    with pytest.raises(StationError, match="expected paGetPaymentV2Response"):
        parse_get_payment_response(reply.content, CREDITOR, PLAIN)
