"""The citizen's pages: status in Italian, the right links at the right time, one-click form."""

from __future__ import annotations

from typing import Any

import lxml.html
from starlette.testclient import TestClient

from simulators.platform.models import DEMO_TENANT_ID, OCCUPAZIONE_SUOLO_ID, RESIDENZA_ID
from tests.simulators.platform.conftest import RecordingPublisher, next_version, pending_links


def _row(client: TestClient, payment_id: str) -> Any:
    page = lxml.html.fromstring(client.get("/").text)
    (row,) = page.xpath(f"//tr[@data-payment-id='{payment_id}']")
    return row


def _actions(element: Any) -> dict[str, str]:
    return {a.text_content(): a.get("href") for a in element.xpath(".//span[@class='azioni']/a")}


def _notify(client: TestClient, created: dict[str, Any], event: dict[str, Any]) -> None:
    response = client.post(f"/applications/{created['application_id']}/payment", json=event)
    assert response.json()["stored"] is True


def test_pending_payment_offers_pay_online_and_the_notice(
    client: TestClient, created: dict[str, Any]
) -> None:
    row = _row(client, created["payment_id"])
    assert row.xpath(".//span[@class='stato']")[0].text_content() == "In attesa di creazione"
    assert _actions(row) == {}  # nothing to click before the proxy created the position

    pending = next_version(created["event"], "PAYMENT_PENDING")
    pending["links"].update(pending_links(created["payment_id"]))
    _notify(client, created, pending)
    row = _row(client, created["payment_id"])
    assert row.get("data-status") == "PAYMENT_PENDING"
    assert row.xpath(".//span[@class='stato']")[0].text_content() == "Da pagare"
    assert row.xpath(".//td")[3].text_content() == "€ 20,00"
    pid = created["payment_id"]
    assert _actions(row) == {
        "Paga online": f"http://proxy.test/online-payment/{pid}",
        "Scarica avviso": f"http://proxy.test/notice/{pid}",
    }


def test_complete_payment_offers_the_receipt_only(
    client: TestClient, created: dict[str, Any]
) -> None:
    complete = next_version(created["event"], "COMPLETE")
    complete["links"].update(pending_links(created["payment_id"]))
    _notify(client, created, complete)
    row = _row(client, created["payment_id"])
    assert row.xpath(".//span[@class='stato']")[0].text_content() == "Pagato"
    assert _actions(row) == {
        "Scarica ricevuta": f"http://proxy.test/receipt/{created['payment_id']}"
    }


def test_links_that_are_not_http_never_become_anchors(
    client: TestClient, created: dict[str, Any]
) -> None:
    pending = next_version(created["event"], "PAYMENT_PENDING")
    pending["links"]["online_payment_begin"] = {"url": "javascript:alert(1)", "method": "GET"}
    pending["reason"] = "<script>alert(1)</script>"
    _notify(client, created, pending)
    html = client.get("/").text
    assert "javascript:" not in html and "<script>" not in html
    assert "Paga online" not in html


def test_application_page_is_the_landing_page(client: TestClient, created: dict[str, Any]) -> None:
    landing = created["event"]["links"]["online_payment_landing"]["url"]
    started = next_version(created["event"], "PAYMENT_STARTED")
    _notify(client, created, started)
    response = client.get(landing)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.text)
    (section,) = page.xpath("//section[@id='pratica']")
    assert section.get("data-status") == "PAYMENT_STARTED"
    assert "Pagamento avviato" in section.text_content()
    assert page.xpath("//meta[@http-equiv='refresh']")  # keeps polling, like the Core
    assert client.get("/applications/00000000-0000-4000-8000-000000000009").status_code == 404


def test_one_click_creates_the_demo_application(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    page = lxml.html.fromstring(client.get("/").text)
    form = page.xpath(f"//form[@data-service-id='{OCCUPAZIONE_SUOLO_ID}']")[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    response = client.post(form.get("action"), data=fields, follow_redirects=False)
    assert response.status_code == 303
    application_id = response.headers["location"].rsplit("/", 1)[1]
    (event,) = publisher.events()
    assert event["remote_id"] == application_id
    assert (event["tenant_id"], event["service_id"]) == (
        str(DEMO_TENANT_ID),
        str(OCCUPAZIONE_SUOLO_ID),
    )
    assert event["payment"]["amount"] == 20.0
    assert event["payer"]["tax_identification_number"] == "RSSMRA80A01H501U"
    assert client.get(response.headers["location"]).status_code == 200


def test_stamp_form_sends_a_document_hash(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    page = lxml.html.fromstring(client.get("/").text)
    form = page.xpath(f"//form[@data-service-id='{RESIDENZA_ID}']")[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert client.post("/applications", data=fields, follow_redirects=False).status_code == 303
    payment = publisher.events()[0]["payment"]
    assert payment["type"] == "STAMP" and payment["amount"] == 16.0
    assert payment["document"]["hash"].startswith("sha256:")


def test_bad_form_shows_the_fields_at_fault(
    client: TestClient, publisher: RecordingPublisher
) -> None:
    response = client.post(
        "/applications",
        data={"tenant_id": str(DEMO_TENANT_ID), "service_id": "x", "amount": "20"},
    )
    assert response.status_code == 422
    assert "service_id" in response.text and "payer" in response.text
    assert publisher.sent == []
