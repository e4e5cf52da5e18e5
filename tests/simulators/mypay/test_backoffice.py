"""The backoffice page, the admin API, /status and the notice PDF."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from starlette.testclient import TestClient

from simulators.mypay.app import MyPaySimulator, Settings, create_app
from simulators.mypay.notice import QR_SCALE, qr_payload
from tests.drivers.pdfqr import _images, decode_pdf_qr
from tests.simulators.mypay.conftest import needs_contracts
from tests.simulators.mypay.helpers import (
    CF_ENTE,
    HEADER,
    PASSWORD,
    answer_of,
    import_request,
    post,
    receipt,
    soap_request,
    versamento,
)

pytestmark = [pytest.mark.contracts, needs_contracts]


def test_backoffice_and_positions_show_state_and_exchanges(
    client: TestClient, sim: MyPaySimulator
) -> None:
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-BO-1")).content)
    iuv = answer.findtext("identificativoUnivocoVersamento") or ""
    sim.station.send_receipt(receipt("3" + iuv, iuv, [Decimal("20.00")], receipt_id="rcpt-bo"))
    page = client.get("/backoffice")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert iuv in page.text and "PAGATO" in page.text and "rcpt-bo" in page.text
    assert "paaSILImportaDovuto" in page.text and "paForNode paSendRT" in page.text
    assert PASSWORD not in page.text  # passwords are redacted from the exchanges
    (position,) = client.get("/_admin/positions").json()
    assert position["iuv"] == iuv and position["state"] == "PAGATO"
    assert position["receipt"]["receipt_id"] == "rcpt-bo"
    assert [e["operation"] for e in position["exchanges"]][0] == "paaSILImportaDovuto"
    assert PASSWORD not in str(position)
    status = client.get("/status").json()
    assert status["simulator"] == "mypay" and status["positions"] == 1 and status["paid"] == 1
    assert client.post("/_admin/reset").status_code == 204
    assert client.get("/_admin/positions").json() == []


def _zipped_notice(answer: etree._Element, iuv: str) -> bytes:
    archive = zipfile.ZipFile(
        io.BytesIO(base64.b64decode(answer.findtext("base64ZipAvviso") or ""))
    )
    return archive.read(f"avviso_{iuv}.pdf")


def _print_request(iud: str, iuv: str) -> bytes:
    """``azione`` S: MyPay's way to ask for the notice of an existing dovuto."""
    return soap_request(
        "paaSILImportaDovuto",
        password=PASSWORD,
        dovuto=versamento(iud, azione="S", iuv=iuv),
        flagGeneraIuv=False,
        **HEADER,
    )


def test_notice_pdf_and_zip_carry_the_pagopa_qr_payload(
    client: TestClient, sim: MyPaySimulator
) -> None:
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-BO-2")).content)
    iuv = answer.findtext("identificativoUnivocoVersamento") or ""
    # As MyPay: a creation answers the link, and the notice is rendered when asked for.
    assert answer.findtext("urlFileAvviso") == f"http://testserver/avvisi/{iuv}.pdf"
    assert answer.find("base64ZipAvviso") is None
    (position,) = sim.store.positions()
    assert "pdf" not in position.cache
    payload = qr_payload("3" + iuv, CF_ENTE, Decimal("20.00"))
    assert payload == f"PAGOPA|002|3{iuv}|80000000002|2000"
    pdf = client.get(f"/avvisi/{iuv}.pdf").content
    assert pdf.startswith(b"%PDF") and payload.encode() in pdf and b"/Subtype /Image" in pdf
    printed = answer_of(
        post(client, "paaSILImportaDovuto", _print_request("IUD-BO-2", iuv)).content
    )
    assert printed.findtext("esito") == "OK" and _zipped_notice(printed, iuv) == pdf
    assert client.get("/avvisi/01000000000000000.pdf").status_code == 404


def test_azione_s_prints_a_notice_nobody_downloaded_yet(client: TestClient) -> None:
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-BO-S")).content)
    iuv = answer.findtext("identificativoUnivocoVersamento") or ""
    printed = answer_of(
        post(client, "paaSILImportaDovuto", _print_request("IUD-BO-S", iuv)).content
    )
    pdf = _zipped_notice(printed, iuv)
    assert decode_pdf_qr(pdf) == qr_payload("3" + iuv, CF_ENTE, Decimal("20.00"))
    assert client.get(f"/avvisi/{iuv}.pdf").content == pdf  # rendered once, then kept


def test_notice_in_create_zips_the_notice_into_the_creation_answer() -> None:
    app = create_app(Settings(notice_in_create=True))
    with TestClient(app) as client:
        answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-BO-Z")).content)
        iuv = answer.findtext("identificativoUnivocoVersamento") or ""
        assert _zipped_notice(answer, iuv) == client.get(f"/avvisi/{iuv}.pdf").content
        reply = client.put("/_admin/faults/notice-download-failure", json={})
        assert reply.status_code == 200
        failed = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-BO-Z2")).content)
        assert failed.findtext("esito") == "OK" and failed.findtext("base64ZipAvviso") == ""


def test_notice_qr_has_the_iso_18004_quiet_zone_and_reads_back(client: TestClient) -> None:
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-BO-QR")).content)
    iuv = answer.findtext("identificativoUnivocoVersamento") or ""
    pdf = client.get(f"/avvisi/{iuv}.pdf").content
    assert decode_pdf_qr(pdf) == qr_payload("3" + iuv, CF_ENTE, Decimal("20.00"))
    (image,) = list(_images(pdf))
    dark_rows = [y for y in range(image.shape[0]) if image[y].min() < 128]
    dark_cols = [x for x in range(image.shape[1]) if image[:, x].min() < 128]
    margins = {
        dark_rows[0],
        image.shape[0] - 1 - dark_rows[-1],
        dark_cols[0],
        image.shape[1] - 1 - dark_cols[-1],
    }
    assert margins == {4 * QR_SCALE}  # four white modules on every side


def test_wsdl_endpoint_without_official_contracts_serves_the_builtin_one(
    client: TestClient, isolated_contracts: Callable[..., dict[str, Path]]
) -> None:
    from simulators.common import contracts as official
    from simulators.mypay import contracts

    isolated_contracts(builtin=official.BUILTIN_DIR)  # only the built-in place is left
    contracts.wsdl_for.cache_clear()
    official.mypay_wsdl.cache_clear()
    try:
        reply = client.get("/ws/pa?wsdl")
        assert reply.status_code == 200
        served = etree.fromstring(reply.content)
        wsdl = "{http://schemas.xmlsoap.org/wsdl/}"
        operations = served.findall(f"{wsdl}binding/{wsdl}operation")
        assert len(operations) == 6  # the built-in contract: the implemented operations
        assert b'location="http://testserver/ws/pa"' in reply.content
        xsd = client.get("/ws/PagInf_Dovuti_Pagati_6_2_0.xsd")
        assert xsd.status_code == 200 and b"collaudo's own description" in xsd.content
        # the built-in contract has no companion the official WSDL does not import
        assert client.get("/ws/PagInf_RP_Esito_6_2_0.xsd").status_code == 404
    finally:
        contracts.wsdl_for.cache_clear()
        official.mypay_wsdl.cache_clear()


def test_wsdl_endpoint_without_any_contract_says_how_to_fix(
    client: TestClient, isolated_contracts: Callable[..., dict[str, Path]]
) -> None:
    isolated_contracts()  # every lookup place empty: no official nor built-in WSDL
    reply = client.get("/ws/pa?wsdl")
    assert reply.status_code == 503
    assert "pa-per-ente.wsdl" in reply.text and "collaudo contracts fetch" in reply.text
