"""The MyPay driver with zeep over httpx.MockTransport: the official WSDL, canned answers."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from adapters.core.intermediary import (
    AccessDenied,
    CreditorConfig,
    DebtPosition,
    IntermediaryFault,
    IntermediaryUnavailable,
    PositionState,
    RequestRejected,
)
from adapters.drivers.mypay import MyPayDriver
from adapters.drivers.mypay.documents import NS as PAY_I
from simulators.common.contracts import MYPAY_WSDL, find_official
from tests.contracts_env import needs_official
from tests.drivers.stack import CREDITOR_CF, context
from tests.drivers.stack import request as make_request

pytestmark = needs_official(MYPAY_WSDL)


def _official(name: str) -> Path:
    found = find_official(f"mypay/{name}")
    assert found is not None, f"official mypay/{name} not found"
    return found


SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PPT = "http://www.regione.veneto.it/pagamenti/ente/"
PASSWORD = "unit-password1"
ENV = {"MYPAY_PW": PASSWORD}


def config() -> CreditorConfig:
    return CreditorConfig(
        uuid.uuid4(),
        uuid.uuid4(),
        CREDITOR_CF,
        "Comune di Bugliano",
        {
            "mypay_wsdl_url": "http://mypay.test/ws/pa?wsdl",
            "mypay_codice_ipa": "c_bugliano",
            "mypay_password_env": "MYPAY_PW",
            "mypay_segregation_code": "01",
            "mypay_codice_tipo_dovuto": "DIRITTI_SEGRETERIA",
        },
    )


def answer(operation: str, **fields: Any) -> httpx.Response:
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
    risposta = etree.SubElement(body, f"{{{PPT}}}{operation}Risposta", nsmap={"ppt": PPT})
    fault = fields.pop("fault", None)
    if fault:
        bean = etree.SubElement(risposta, "fault")
        for name, value in (
            ("faultCode", fault[0]),
            ("faultString", fault[1]),
            ("id", "c_bugliano"),
        ):
            etree.SubElement(bean, name).text = value
    for name, value in fields.items():
        etree.SubElement(risposta, name).text = value
    return httpx.Response(
        200, content=etree.tostring(envelope), headers={"content-type": "text/xml"}
    )


def soap_fault(code: str, text: str) -> httpx.Response:
    return httpx.Response(
        500,
        headers={"content-type": "text/xml"},
        content=(
            f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><soap:Fault>'
            f"<faultcode>soap:Server</faultcode><faultstring>{code}: {text}</faultstring>"
            "</soap:Fault></soap:Body></soap:Envelope>"
        ).encode(),
    )


class FakeMyPay:
    """Serves the official WSDL/XSD and hands each SOAP request to ``reply``."""

    def __init__(self, reply: Callable[[str, etree._Element], httpx.Response]) -> None:
        self.reply = reply
        self.wsdl_loads = 0
        self.requests: list[etree._Element] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            name = request.url.path.rsplit("/", 1)[-1]
            if name == "pa":
                self.wsdl_loads += 1
                return httpx.Response(200, content=_official("pa-per-ente.wsdl").read_bytes())
            return httpx.Response(200, content=_official(name).read_bytes())
        envelope = etree.fromstring(request.content)
        self.requests.append(envelope)
        operation = request.headers["soapaction"].strip('"')
        return self.reply(operation, envelope)


def driver(fake: FakeMyPay) -> MyPayDriver:
    return MyPayDriver(transport=httpx.MockTransport(fake), environ=ENV)


async def test_create_sends_a_versamento_with_header_and_loads_the_wsdl_once() -> None:
    def reply(operation: str, envelope: etree._Element) -> httpx.Response:
        assert operation == "paaSILImportaDovuto"
        return answer(operation, esito="OK", identificativoUnivocoVersamento="01123456789012356")

    fake = FakeMyPay(reply)
    mypay = driver(fake)
    req = make_request(config())
    position = await mypay.create_debt_position(req)
    await mypay.create_debt_position(make_request(config()))
    assert fake.wsdl_loads == 1
    assert position.iuv == "01123456789012356"
    assert position.notice_number == "301123456789012356"  # aux 3, check digit verified
    sent = fake.requests[0]
    assert sent.findtext(".//{*}intestazionePPT/codIpaEnte") == "c_bugliano"
    assert sent.findtext(".//password") == PASSWORD
    assert sent.findtext(".//flagGeneraIuv") == "true"
    document = etree.fromstring(base64.b64decode(sent.findtext(".//dovuto") or ""))
    assert etree.QName(document).localname == "Versamento"
    assert document.findtext(f".//{{{PAY_I}}}identificativoUnivocoDovuto") == req.iud
    assert document.findtext(f".//{{{PAY_I}}}identificativoTipoDovuto") == "DIRITTI_SEGRETERIA"
    await mypay.aclose()


@pytest.mark.parametrize(
    ("reply", "error", "code"),
    [
        (
            lambda op: answer(op, fault=("PAA_SYSTEM_ERROR", "db down")),
            IntermediaryFault,
            "PAA_SYSTEM_ERROR",
        ),
        (
            lambda op: answer(op, fault=("PAA_SEMANTICA", "causale")),
            RequestRejected,
            "PAA_SEMANTICA",
        ),
        (
            lambda op: answer(op, fault=("PAA_ENTE_NON_VALIDO", "password")),
            AccessDenied,
            "PAA_ENTE_NON_VALIDO",
        ),
        (lambda op: soap_fault("PAA_SYSTEM_ERROR", "boom"), IntermediaryFault, "PAA_SYSTEM_ERROR"),
        (lambda op: answer(op, esito="OK"), IntermediaryFault, "MALFORMED_ANSWER"),
        (lambda op: httpx.Response(502, text="bad gateway"), IntermediaryFault, "HTTP 502"),
    ],
)
async def test_faults_are_translated_and_the_password_never_recorded(
    reply: Callable[[str], httpx.Response], error: type[Exception], code: str
) -> None:
    mypay = driver(FakeMyPay(lambda op, _: reply(op)))
    with pytest.raises(error) as caught:
        await mypay.create_debt_position(make_request(config()))
    exc: Any = caught.value
    assert exc.code == code
    soap_exchanges = [e for e in exc.exchanges if e.operation == "paaSILImportaDovuto"]
    assert soap_exchanges, exc.exchanges
    for exchange in exc.exchanges:
        assert PASSWORD not in exchange.request and PASSWORD not in (exchange.response or "")
    assert "<password>***</password>" in soap_exchanges[0].request
    await mypay.aclose()


async def test_unreachable_wsdl_names_host_and_port_and_is_retried_later() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    mypay = MyPayDriver(transport=httpx.MockTransport(handler), environ=ENV)
    for _ in range(2):  # a failed load is not cached
        with pytest.raises(IntermediaryUnavailable) as caught:
            await mypay.create_debt_position(make_request(config()))
        assert "loading the MyPay WSDL from http://mypay.test/ws/pa?wsdl" in caught.value.message
        assert "mypay.test:80" in caught.value.message
        assert caught.value.diagnosis and "mypay.test:80" in caught.value.diagnosis
    assert calls == 2


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        ("PAA_PAGAMENTO_NON_INIZIATO", PositionState.UNPAID),
        ("PAA_PAGAMENTO_IN_CORSO", PositionState.UNPAID),
        ("PAA_PAGAMENTO_SCADUTO", PositionState.EXPIRED),
        ("PAA_PAGAMENTO_ANNULLATO", PositionState.CANCELED),
    ],
)
async def test_status_from_fault_codes(fault: str, state: PositionState) -> None:
    def reply(operation: str, envelope: etree._Element) -> httpx.Response:
        assert operation == "paaSILChiediPagatiConRicevuta"
        assert envelope.findtext(".//identificativoUnivocoDovuto") == req.iud
        return answer(operation, fault=(fault, "stato"))

    req = make_request(config())
    position = DebtPosition(
        req.iud, "01123456789012356", "301123456789012356", CREDITOR_CF, req.amount
    )
    mypay = driver(FakeMyPay(reply))
    assert (await mypay.status(context(req, position))).state is state
    await mypay.aclose()


async def test_a_stamp_cannot_have_a_paper_notice() -> None:
    req = make_request(config())
    position = DebtPosition(req.iud, "011", "3011", CREDITOR_CF, req.amount, {"kind": "immediate"})
    with pytest.raises(RequestRejected, match="paid online only"):
        await driver(FakeMyPay(lambda op, _: answer(op))).notice_pdf(context(req, position))
