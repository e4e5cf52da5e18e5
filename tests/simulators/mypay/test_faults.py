"""Every MyPay fault profile, as a payment proxy would meet it."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree
from starlette.testclient import TestClient

from simulators.common.server import BackgroundServer
from simulators.mypay import contracts
from simulators.mypay.app import MyPaySimulator, Settings, create_app
from tests.simulators.mypay.conftest import needs_contracts
from tests.simulators.mypay.helpers import (
    CF_ENTE,
    COD_IPA,
    HEADER,
    PASSWORD,
    answer_of,
    fault_code,
    import_request,
    post,
    receipt,
    soap_request,
)

pytestmark = [pytest.mark.contracts, needs_contracts]


def switch(client: TestClient, name: str, **params: Any) -> None:
    reply = client.put(f"/_admin/faults/{name}", json=params)
    assert reply.status_code == 200, reply.text


def imported(client: TestClient, iud: str) -> str:
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request(iud)).content)
    iuv = answer.findtext("identificativoUnivocoVersamento")
    assert iuv, etree.tostring(answer)
    return iuv


def paid_session(client: TestClient, sim: MyPaySimulator, iud: str) -> tuple[str, str]:
    iuv = imported(client, iud)
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
    sim.station.send_receipt(receipt("3" + iuv, iuv, [Decimal("20.00")]))
    return iuv, opened.findtext("idSession") or ""


def test_creation_error_is_a_soap_fault_or_a_faultbean(
    client: TestClient, sim: MyPaySimulator
) -> None:
    switch(client, "creation-error")
    reply = post(client, "paaSILImportaDovuto", import_request("IUD-F-1"))
    assert reply.status_code == 500
    assert b"<faultcode>soap:Server</faultcode>" in reply.content
    assert b"PAA_SYSTEM_ERROR" in reply.content
    switch(client, "creation-error", **{"as": "bean"})
    reply = post(client, "paaSILImportaDovuto", import_request("IUD-F-1"))
    assert reply.status_code == 200 and fault_code(reply.content) == "PAA_SYSTEM_ERROR"
    assert sim.store.positions() == []  # nothing half-created


def test_notice_download_failure(client: TestClient) -> None:
    iuv = imported(client, "IUD-F-2")
    switch(client, "notice-download-failure")
    assert client.get(f"/avvisi/{iuv}.pdf").status_code == 500
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-F-3")).content)
    assert answer.findtext("esito") == "OK" and not answer.findtext("base64ZipAvviso")


def test_receipt_download_failure(client: TestClient, sim: MyPaySimulator) -> None:
    iuv, _ = paid_session(client, sim, "IUD-F-4")
    ask = soap_request(
        "paaSILChiediPagatiConRicevuta",
        codIpaEnte=COD_IPA,
        password=PASSWORD,
        identificativoUnivocoVersamento=iuv,
    )
    switch(client, "receipt-download-failure")
    assert post(client, "paaSILChiediPagatiConRicevuta", ask).status_code == 500
    switch(client, "receipt-download-failure", **{"as": "empty"})
    answer = answer_of(post(client, "paaSILChiediPagatiConRicevuta", ask).content)
    assert answer.findtext("pagati") and answer.find("rt") is None


def test_status_error(client: TestClient, sim: MyPaySimulator) -> None:
    _, session = paid_session(client, sim, "IUD-F-5")
    switch(client, "status-error")
    reply = post(
        client,
        "paaSILChiediPagati",
        soap_request(
            "paaSILChiediPagati", codIpaEnte=COD_IPA, password=PASSWORD, idSession=session
        ),
    )
    assert reply.status_code == 500 and b"PAA_SYSTEM_ERROR" in reply.content


def test_broken_redirect(client: TestClient) -> None:
    iuv = imported(client, "IUD-F-6")
    switch(client, "broken-redirect")
    answer = answer_of(
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
    url = answer.findtext("url") or ""
    assert "/broken-redirect/" in url
    assert client.get(url.replace("http://testserver", "")).status_code == 502


@pytest.mark.parametrize("name", ["slow-response", "timeout"])
def test_late_answers_wait_the_configured_delay(client: TestClient, name: str) -> None:
    switch(client, name, delay=0.3)
    started = time.monotonic()
    reply = post(client, "paaSILImportaDovuto", import_request("IUD-F-7"))
    assert time.monotonic() - started >= 0.3
    assert fault_code(reply.content) is None


def test_malformed_wrong_namespace_and_missing_element(client: TestClient) -> None:
    switch(client, "malformed-xml")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(post(client, "paaSILImportaDovuto", import_request("IUD-F-8")).content)
    client.delete("/_admin/faults")
    switch(client, "wrong-namespace")
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-F-9")).content)
    assert etree.QName(answer).namespace != contracts.PPT
    client.delete("/_admin/faults")
    switch(client, "missing-element")
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-F-10")).content)
    assert answer.findtext("esito") == "OK"
    assert answer.find("identificativoUnivocoVersamento") is None


def test_ip_not_allowed_403_spares_the_admin_api(client: TestClient) -> None:
    switch(client, "ip-not-allowed-403")
    reply = post(client, "paaSILImportaDovuto", import_request("IUD-F-11"))
    assert reply.status_code == 403 and "not allow-listed" in reply.json()["detail"]
    assert client.get("/_admin/faults").status_code == 200


def test_ip_not_allowed_refuse_resets_the_connection(live: BackgroundServer) -> None:
    httpx.put(f"{live.url}/_admin/faults/ip-not-allowed-refuse", json={})
    with pytest.raises(httpx.TransportError):
        httpx.post(f"{live.url}/ws/pa", content=import_request("IUD-F-12"), timeout=5)
    assert httpx.get(f"{live.url}/status", timeout=5).status_code == 200
    with TestClient(create_app(Settings(faults=["ip-not-allowed-refuse"]))) as client:
        with pytest.raises(ConnectionResetError):
            post(client, "paaSILImportaDovuto", import_request("IUD-F-13"))


def test_expired_credentials_refuse_the_right_password(client: TestClient) -> None:
    switch(client, "expired-credentials")
    answer = answer_of(post(client, "paaSILImportaDovuto", import_request("IUD-F-14")).content)
    assert answer.findtext("fault/faultCode") == "PAA_ENTE_NON_VALIDO"
    assert "scadute" in (answer.findtext("fault/description") or "")


def test_faults_chosen_at_start_and_static_allowlist() -> None:
    with TestClient(create_app(Settings(faults=["creation-error:1:7"]))) as client:
        assert client.get("/_admin/faults").json()["active"][0]["seed"] == 7
        assert post(client, "x", import_request("IUD-F-15")).status_code == 500
    with TestClient(create_app(Settings(allowlist=["10.8.0.0/16"])), client=("127.0.0.1", 1)) as c:
        assert c.get("/status").status_code == 403


def test_station_is_not_struck_by_intermediary_faults(
    client: TestClient, sim: MyPaySimulator
) -> None:
    iuv = imported(client, "IUD-F-16")
    switch(client, "status-error")
    assert sim.station.verify_payment_notice(CF_ENTE, "3" + iuv).amount == Decimal("20.00")
