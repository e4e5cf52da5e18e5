"""A fresh clone, with no official contract anywhere: the MyPay simulator serves the
built-in contract and still validates what it receives against it, and the real MyPay
driver (zeep loading ``?wsdl`` from the simulator) creates a debt position, prints its
notice, reads its status, has it paid through the Checkout/Nodo mock and reads the
receipt."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from lxml import etree
from starlette.testclient import TestClient

from adapters.core.intermediary import NotPaidYet, PositionState, ReturnUrls
from adapters.pagopa import parse_qr_payload
from collaudo.loopback import start_simulators
from simulators.mypay.app import Settings, create_app
from simulators.mypay.soap import OPERATIONS
from tests.contracts.support import without_official_contracts
from tests.drivers.pdfqr import decode_pdf_qr
from tests.drivers.stack import (
    CREDITOR_CF,
    PAYER,
    Stack,
    context,
    creditor,
    eventually,
    make_driver,
    pay_online,
    request,
)
from tests.simulators.mypay.helpers import (
    COD_IPA,
    HEADER,
    PASSWORD,
    answer_of,
    dovuti,
    post,
    soap_request,
    versamento,
)

RETURN = ReturnUrls(
    ok="https://ente.example/ok", cancel="https://ente.example/ko", error="https://ente.example/err"
)
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


async def test_the_mypay_driver_works_on_the_builtin_contract(tmp_path: Path) -> None:
    with without_official_contracts(tmp_path):
        running = start_simulators(CREDITOR_CF)
        driver = make_driver("mypay")
        try:
            stack = Stack(apps=running.apps, **running.servers)
            served = httpx.get(f"{stack.url('mypay')}/ws/pa?wsdl", timeout=10)
            operations = etree.fromstring(served.content).findall(
                f"{{{WSDL_NS}}}binding/{{{WSDL_NS}}}operation"
            )
            assert len(operations) == len(OPERATIONS)  # the built-in contract is served

            req = request(creditor(stack, "mypay"), amount="20.00")
            position = await driver.create_debt_position(req)
            assert position.amount == Decimal("20.00")
            ctx = context(req, position)

            payload = parse_qr_payload(decode_pdf_qr(await driver.notice_pdf(ctx)))
            assert str(payload.notice_number) == position.notice_number
            assert (await driver.status(ctx)).state is PositionState.UNPAID
            try:
                await driver.receipt(ctx)
                raise AssertionError("a receipt before payment")
            except NotPaidYet:
                pass

            outcome = await pay_online(await driver.checkout_url(ctx, RETURN))
            assert 'data-outcome="OK"' in outcome.text

            async def paid() -> Any:
                status = await driver.status(ctx)
                return status if status.state is PositionState.PAID else None

            status = await eventually(paid)
            assert status, "the position never became PAID on the built-in contract"
            receipt = await driver.receipt(ctx)
            assert receipt.iuv == position.iuv and receipt.amount == Decimal("20.00")
            assert receipt.payer_fiscal_code == PAYER.fiscal_code
        finally:
            await driver.aclose()
            running.stop()


def test_on_the_builtin_contract_requests_and_documents_are_still_validated(
    tmp_path: Path,
) -> None:
    with without_official_contracts(tmp_path), TestClient(create_app(Settings())) as client:
        # a SOAP body the built-in WSDL's schema refuses: password shorter than 8
        short = soap_request("paaSILChiediPagati", codIpaEnte=COD_IPA, password="x", idSession="s")
        reply = post(client, "paaSILChiediPagati", short)
        assert reply.status_code == 500
        assert b"does not conform to pa-per-ente.wsdl" in reply.content
        assert b"password" in reply.content

        # a Versamento the built-in XSD refuses: an amount without its two decimals
        bad = versamento("IUD-FRESH-1", amount="20")
        request_body = soap_request(
            "paaSILImportaDovuto", password=PASSWORD, dovuto=bad, flagGeneraIuv=True, **HEADER
        )
        answer = answer_of(post(client, "paaSILImportaDovuto", request_body).content)
        assert answer.findtext("fault/faultCode") == "PAA_XML_NON_VALIDO"
        assert "importoSingoloVersamento" in (answer.findtext("fault/description") or "")

        # a Dovuti with six dovuti: the XSD allows five
        six = dovuti([{"iud": f"IUD-FRESH-{n}"} for n in range(2, 8)])
        request_body = soap_request("paaSILInviaDovuti", password=PASSWORD, dovuti=six, **HEADER)
        answer = answer_of(post(client, "paaSILInviaDovuti", request_body).content)
        assert answer.findtext("fault/faultCode") == "PAA_XML_NON_VALIDO"
        assert "Dovuti does not conform" in (answer.findtext("fault/description") or "")

        # and a valid one is accepted
        good = soap_request(
            "paaSILImportaDovuto",
            password=PASSWORD,
            dovuto=versamento("IUD-FRESH-9"),
            flagGeneraIuv=True,
            **HEADER,
        )
        accepted = answer_of(post(client, "paaSILImportaDovuto", good).content)
        assert accepted.findtext("esito") == "OK", etree.tostring(accepted)
