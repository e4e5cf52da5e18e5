"""A payment end to end: the Nodo mock pays a GovPay pendenza through this station, the
pendenza becomes ESEGUITA with an rpp[] entry, and GovPay pushes the receipt to the
creditor's API Ente v2, retrying as GovPay does."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.testclient import TestClient

from simulators.checkout.app import Settings as CheckoutSettings
from simulators.checkout.app import create_app as create_checkout
from simulators.common.server import serving
from simulators.govpay.app import Settings, create_app
from tests.simulators.checkout.conftest import form_action, walk_to_confirmation
from tests.simulators.govpay.conftest import (
    A2A,
    AUTH,
    BASE,
    DOMINIO,
    PAGAMENTO,
    RAGIONERIA,
    Receiver,
    new_id,
    nuova_pendenza,
)

Pay = Callable[..., list[bytes]]


@pytest.fixture
def govpay(notifying_settings: Settings) -> Iterator[tuple[Starlette, str]]:
    app = create_app(notifying_settings)
    with serving(app) as server:
        yield app, server.url


@pytest.fixture
async def checkout(govpay: tuple[Starlette, str]) -> AsyncIterator[httpx.AsyncClient]:
    settings = CheckoutSettings(
        stations={DOMINIO: f"{govpay[1]}/pagopa/paForNode"},
        rt_retry_delays=(0.05,),
        station_timeout=5,
    )
    app = create_checkout(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as http:
        yield http
        await app.state.checkout.settle(timeout=5)


def settle(app: Starlette) -> None:
    assert app.state.simulator.notifier.settle(timeout=5)


async def test_payment_through_the_nodo_mock_makes_it_eseguita_and_notifies_the_creditor(
    govpay: tuple[Starlette, str], checkout: httpx.AsyncClient, receiver: Receiver
) -> None:
    app, url = govpay
    async with httpx.AsyncClient(base_url=url, auth=AUTH) as rest:
        created = await rest.put(f"{BASE}/pendenze/{A2A}/e2e-1", json=nuova_pendenza())
        assert created.status_code == 201, created.text
        numero = created.json()["numeroAvviso"]

        cart = await checkout.post(
            "/checkout/ec/v1/carts",
            json={
                "paymentNotices": [
                    {
                        "noticeNumber": numero,
                        "fiscalCode": DOMINIO,
                        "amount": 2000,
                        "companyName": "Comune di Bugliano",
                        "description": "Diritti",
                    }
                ],
                "returnUrls": {
                    "returnOkUrl": "https://ente.example/ok",
                    "returnCancelUrl": "https://ente.example/ko",
                    "returnErrorUrl": "https://ente.example/err",
                },
            },
        )
        assert cart.status_code == 302
        summary = await walk_to_confirmation(checkout, httpx.URL(cart.headers["location"]).path)
        assert "20,00 €" in summary.text  # paVerifyPaymentNotice answered by GovPay
        done = await checkout.post(form_action(summary.text, "conferma"))
        assert done.status_code == 303

        pendenza = (await rest.get(f"{BASE}/pendenze/{A2A}/e2e-1")).json()
        assert pendenza["stato"] == "ESEGUITA"
        assert pendenza["iuvPagamento"] == numero[1:]
        assert pendenza["voci"][0]["stato"] == "Eseguito"
        [rpp] = pendenza["rpp"]
        assert rpp["stato"] == "RT_ACCETTATA_PA"
        assert rpp["rt"]["noticeNumber"] == numero
        assert rpp["rt"]["outcome"] == "OK"
        assert rpp["rpt"]["creditorReferenceId"] == numero[1:]
        # GovPay's JSON of the pagoPA objects: strings, idTransfer a number, explicit nulls
        transfer = rpp["rpt"]["transferList"]["transfer"][0]
        assert transfer["idTransfer"] == 1 and transfer["transferAmount"] == "20.00"
        assert (
            transfer["remittanceInformation"]
            == f"/RFB/{numero[1:]}/20.00/TXT/Diritti di segreteria"
        )
        assert "officeName" in rpp["rpt"] and rpp["rpt"]["officeName"] is None
        assert rpp["rt"]["paymentAmount"] == "20.00" and "pspPartitaIVA" in rpp["rt"]
        assert rpp["pendenza"]["idPendenza"] == "e2e-1"
        receipt_id = rpp["rt"]["receiptId"]

        settle(app)
        [notification] = receiver.received
        assert notification.method == "PUT"
        assert notification.path == f"/ente/v2/ricevute/{DOMINIO}/{numero[1:]}/{receipt_id}"
        assert (
            notification.headers["authorization"]
            == "Basic " + base64.b64encode(b"govpay:ente-secret").decode()
        )
        body = notification.body
        assert body["idRicevuta"] == receipt_id and body["esito"] == "ESEGUITO"
        assert body["pendenza"]["idA2A"] == A2A and body["pendenza"]["idPendenza"] == "e2e-1"
        assert body["pendenza"]["UUID"] == pendenza["UUID"]  # as GovPay's own tests expect
        assert body["data"] == body["dataPagamento"] and "T" in body["data"]
        assert body["pendenza"]["voci"][0]["riscossione"]["iur"] == receipt_id
        assert body["istitutoAttestante"]["denominazione"] == "PSP Simulato Collaudo"
        rt = etree.fromstring(base64.b64decode(body["rt"]["xml"]))
        assert etree.QName(rt).localname == "paSendRTV2Request"

        # the receipt through Accept, and through API Ragioneria v3
        rt_path = f"{BASE}/rpp/{DOMINIO}/{numero[1:]}/{receipt_id}/rt"
        assert (await rest.get(rt_path, headers={"Accept": "application/json"})).json()[
            "receiptId"
        ] == receipt_id
        pdf = await rest.get(rt_path, headers={"Accept": "application/pdf"})
        assert pdf.content.startswith(b"%PDF")
        xml = await rest.get(rt_path, headers={"Accept": "application/xml"})
        assert xml.headers["content-type"].startswith("text/xml") and b"receiptId" in xml.content
        found = (await rest.get(f"{RAGIONERIA}/ricevute", params={"numeroAvviso": numero})).json()
        assert [r["idRicevuta"] for r in found["risultati"]] == [receipt_id]

    status = app.state.simulator.status()
    assert status["notifications"] == {"SPEDITO": 1}


def test_notification_is_retried_when_the_creditor_answers_503(
    notifying_settings: Settings, receiver: Receiver
) -> None:
    receiver.script = [503, 503]
    app = create_app(notifying_settings)
    with TestClient(app) as client:
        pendenza = _pay_one(client)
        settle(app)
        assert len(receiver.received) == 3  # 503, 503 (after 1 unit), 201 (after 4 units)
        assert {r.body["idRicevuta"] for r in receiver.received} == {"rcpt-0001"}
        [n] = client.get("/_admin/notifications").json()
        assert n["state"] == "SPEDITO"
        assert [a.get("status") for a in n["attempts"]] == [503, 503, 201]
        assert pendenza["numeroAvviso"][1:] in n["url"]


def test_retry_schedule_is_govpays_n_squared_minutes_capped_at_a_day() -> None:
    from simulators.govpay.notifier import RetryPolicy

    policy = RetryPolicy()
    assert [policy.delay(n) for n in (1, 2, 3, 10)] == [60, 240, 540, 6000]
    assert policy.delay(40) == 86400  # 1600 minutes > a day: capped


def _pay_one(
    client: TestClient,
    receipt_id: str = "rcpt-0001",
    amount: Decimal | None = None,
    id_pendenza: str | None = None,
) -> dict[str, Any]:
    from simulators.common.station import get_payment_request, send_rt_request, verify_request
    from tests.simulators.govpay.conftest import receipt_for, soap

    id_pendenza = id_pendenza or new_id()
    url = f"{BASE}/pendenze/{A2A}/{id_pendenza}"
    if client.get(url, auth=AUTH).status_code == 404:
        assert client.put(url, json=nuova_pendenza(), auth=AUTH).status_code == 201
    pendenza: dict[str, Any] = client.get(url, auth=AUTH).json()
    numero = pendenza["numeroAvviso"]
    soap(client, "paVerifyPaymentNotice", verify_request(DOMINIO, numero))
    soap(client, "paGetPaymentV2", get_payment_request(DOMINIO, numero, amount=Decimal("20.00")))
    answer = soap(
        client,
        "paSendRTV2",
        send_rt_request(
            receipt_for(pendenza, receipt_id, amount),
            company_name="Comune di Bugliano",
            debtor_name="Mario Rossi",
        ),
    )
    assert b"<outcome>OK</outcome>" in answer, answer
    return pendenza


@pytest.mark.parametrize(
    ("fault", "expected"), [("lost-notification", 0), ("duplicate-notification", 2)]
)
def test_notification_faults(
    notifying_settings: Settings, receiver: Receiver, fault: str, expected: int
) -> None:
    app = create_app(notifying_settings)
    with TestClient(app) as client:
        client.put(f"/_admin/faults/{fault}", json={})
        _pay_one(client)
        settle(app)
        assert len(receiver.received) == expected
        [n] = client.get("/_admin/notifications").json()
        assert n["state"] == ("PERSA" if expected == 0 else "SPEDITO")
        # the pendenza is paid either way: the poll recovers a lost notification
        assert (
            client.get(f"{BASE}/pendenze", params={"stato": "ESEGUITA"}, auth=AUTH).json()[
                "numRisultati"
            ]
            == 1
        )


def test_late_notification_waits_its_delay(
    notifying_settings: Settings, receiver: Receiver
) -> None:
    app = create_app(notifying_settings)
    with TestClient(app) as client:
        client.put("/_admin/faults/late-notification", json={"delay": 0.3})
        _pay_one(client)
        assert receiver.received == []
        settle(app)
        assert len(receiver.received) == 1


def test_anomalies_second_receipt_wrong_amount_and_fault(
    notifying_settings: Settings, receiver: Receiver
) -> None:
    app = create_app(notifying_settings)
    with TestClient(app) as client:
        paid = _pay_one(client, "first", id_pendenza="twice")
        same = client.post(
            "/pagopa/paForNode", content=_rt(paid, "first"), headers={"Content-Type": "text/xml"}
        )
        assert b"PAA_RECEIPT_DUPLICATA" in same.content
        # a second, different receipt for a paid pendenza: taken, and the pendenza is ANOMALA
        second = client.post(
            "/pagopa/paForNode", content=_rt(paid, "second"), headers={"Content-Type": "text/xml"}
        )
        assert b"<outcome>OK</outcome>" in second.content
        twice = client.get(f"{BASE}/pendenze/{A2A}/twice", auth=AUTH).json()
        assert twice["stato"] == "ANOMALA" and len(twice["rpp"]) == 2
        assert {v["stato"] for v in twice["voci"]} == {"Anomalo"}

        short = _pay_one(client, "short", amount=Decimal("15.00"), id_pendenza="short")
        read = client.get(f"{BASE}/pendenze/{A2A}/{short['idPendenza']}", auth=AUTH).json()
        assert read["stato"] == "ANOMALA" and "15.00" in read["descrizioneStato"]

        client.put("/_admin/faults/anomalous-payment", json={})
        _pay_one(client, "faulted", id_pendenza="faulted")
        faulted = client.get(f"{BASE}/pendenze/{A2A}/faulted", auth=AUTH).json()
        assert faulted["stato"] == "ANOMALA"
        settle(app)
        assert len(receiver.received) == 4  # every receipt is notified, anomalous or not


def _rt(pendenza: dict[str, Any], receipt_id: str) -> bytes:
    from simulators.common.station import send_rt_request
    from tests.simulators.govpay.conftest import receipt_for

    return send_rt_request(
        receipt_for(pendenza, receipt_id),
        company_name="Comune di Bugliano",
        debtor_name="Mario Rossi",
    )


def test_paying_an_annulled_or_expired_notice_is_refused_at_verify(client: TestClient) -> None:
    from simulators.common.station import verify_request
    from tests.simulators.govpay.conftest import soap

    url = f"{BASE}/pendenze/{A2A}/annullata"
    numero = client.put(url, json=nuova_pendenza(), auth=AUTH).json()["numeroAvviso"]
    client.patch(url, json=[{"op": "REPLACE", "path": "/stato", "value": "ANNULLATA"}], auth=AUTH)
    assert b"PAA_PAGAMENTO_ANNULLATO" in soap(client, "v", verify_request(DOMINIO, numero))
    assert b"PAA_PAGAMENTO_SCONOSCIUTO" in soap(
        client, "v", verify_request(DOMINIO, "301000000000999999")
    )


def test_without_a_connector_the_notification_is_annulled(
    client: TestClient, app: Starlette
) -> None:
    _pay_one(client)
    settle(app)
    [n] = client.get("/_admin/notifications").json()
    assert n["state"] == "ANNULLATA"
    assert "non configurato" in n["attempts"][0]["outcome"]


def test_creditor_configured_at_run_time_with_apikey(
    client: TestClient, app: Starlette, receiver: Receiver
) -> None:
    put = client.put(
        f"/_admin/creditors/{DOMINIO}",
        json={"url": receiver.url, "auth": "apikey", "username": "govpay", "password": "k-1"},
    )
    assert put.status_code == 200 and put.json()["password"] == "***"
    assert "k-1" not in client.get("/status").text
    _pay_one(client)
    settle(app)
    [got] = receiver.received
    assert got.headers["x-app-id"] == "govpay" and got.headers["x-api-key"] == "k-1"


def test_pagamenti_opens_a_checkout_cart(notifying_settings: Settings) -> None:
    checkout = create_checkout(CheckoutSettings(stations={DOMINIO: "http://127.0.0.1:9/x"}))
    with serving(checkout) as cart_server:
        settings = Settings(checkout_url=cart_server.url)
        with TestClient(create_app(settings)) as client:
            url = f"{BASE}/pendenze/{A2A}/pag-1"
            numero = client.put(url, json=nuova_pendenza(), auth=AUTH).json()["numeroAvviso"]
            started = client.post(
                f"{PAGAMENTO}/pagamenti",
                auth=AUTH,
                json={
                    "pendenze": [{"idDominio": DOMINIO, "numeroAvviso": numero}],
                    "urlRitorno": "https://ente.example/ritorno",
                },
            )
            assert started.status_code == 201, started.text
            [cart] = checkout.state.checkout.carts.values()
            assert started.json()["redirect"].endswith(f"/c/{cart.id}")  # Checkout's Location
            assert cart.notices[0].notice_number == numero
            assert cart.return_urls.ok == "https://ente.example/ritorno?esito=OK"
            missing = client.post(
                f"{PAGAMENTO}/pagamenti",
                auth=AUTH,
                json={
                    "pendenze": [{"idA2A": A2A, "idPendenza": "nessuna"}],
                    "urlRitorno": "https://x",
                },
            )
            assert missing.status_code == 422 and missing.json()["codice"] == "VER_011"
            no_return = client.post(
                f"{PAGAMENTO}/pagamenti",
                auth=AUTH,
                json={"pendenze": [{"idA2A": A2A, "idPendenza": "pag-1"}]},
            )
            assert no_return.status_code == 400
