"""A citizen walking the checkout pages, with a real paForNode station behind the Nodo."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

import httpx

from simulators.checkout.app import Settings, create_app
from simulators.common.station_mbd import mbd_errors, parse_mbd
from tests.simulators.checkout.conftest import (
    CREDITOR,
    DOCUMENT_HASH,
    EXPIRED,
    IBAN,
    PLAIN,
    STAMP,
    UNKNOWN,
    Checkout,
    FakeStation,
    assert_schema_valid,
    form_action,
    link,
    open_cart,
    pay,
    requires_contracts,
    walk_to_confirmation,
)


async def test_cart_post_redirects_to_a_page_ending_in_the_cart_id(checkout: Checkout) -> None:
    path = await open_cart(checkout.http, PLAIN)
    cart_id = path.rsplit("/", 1)[1]
    assert path == f"/c/{cart_id}"
    assert cart_id in checkout.state.carts


async def test_cart_page_shows_what_the_creditor_verified(
    checkout: Checkout, station: FakeStation
) -> None:
    page = await checkout.http.get(await open_cart(checkout.http, STAMP))
    assert page.status_code == 200
    assert station.calls == ["verify"]
    assert "Istanza di residenza" in page.text  # the station's description, not the cart's
    assert "36,00 €" in page.text  # the station's amount, not the 20,00 € posted
    assert '<label for="email">' in page.text and 'lang="it"' in page.text


async def test_full_payment_sends_the_receipt_and_returns_to_the_ok_url(
    checkout: Checkout, station: FakeStation
) -> None:
    cart_path = await open_cart(checkout.http, PLAIN)
    summary = await walk_to_confirmation(checkout.http, cart_path)
    assert "1,00 €" in summary.text and "21,00 €" in summary.text  # fee and total shown
    done = await checkout.http.post(form_action(summary.text, "conferma"))
    assert done.status_code == 303 and done.headers["location"].endswith("/esito")
    outcome = await checkout.http.get(done.headers["location"])
    assert 'data-outcome="OK"' in outcome.text
    back = await checkout.http.get(link(outcome.text, "continua"))
    assert back.status_code == 302
    assert back.headers["location"] == "https://ente.example/ok"

    assert station.calls == ["verify", "getPayment", "sendRT"]
    [receipt] = station.receipts
    assert receipt.notice_number == PLAIN and receipt.fiscal_code == CREDITOR
    assert receipt.creditor_reference_id == PLAIN[1:]
    assert receipt.amount == Decimal("20.00") and receipt.outcome == "OK"
    assert receipt.fee == Decimal("1.00")
    assert receipt.psp_id == "70000000001" and receipt.channel_id == "70000000001_01"
    assert receipt.payment_method == "creditCard"
    assert abs((datetime.now() - receipt.payment_datetime).total_seconds()) < 60
    assert [(t.id_transfer, t.amount, t.iban) for t in receipt.transfers] == [
        (1, Decimal("20.00"), IBAN)
    ]
    assert receipt.mbd_attachments == {}
    assert b"<paymentNote>cart-42</paymentNote>" in receipt.raw_xml

    [cart] = (await checkout.http.get("/_admin/positions")).json()
    assert cart["status"] == "PAID"
    assert cart["notices"][0]["notification"] == "SENT"
    assert cart["notices"][0]["receipt_id"] == receipt.receipt_id
    assert [e["operation"] for e in cart["exchanges"]] == [
        "paVerifyPaymentNotice",
        "paGetPaymentV2",
        "paSendRTV2",
    ]
    get_payment = cart["exchanges"][1]["request"]
    assert "<paymentNote>cart-42</paymentNote>" in get_payment
    assert "<amount>20.00</amount>" in get_payment


@requires_contracts
async def test_every_station_exchange_validates_against_the_official_schema(
    checkout: Checkout, station: FakeStation
) -> None:
    await pay(checkout.http, await open_cart(checkout.http, PLAIN, STAMP))
    [cart] = checkout.state.positions()
    assert len(cart["exchanges"]) == 6
    assert_schema_valid(cart["exchanges"])


@requires_contracts
async def test_stamp_transfer_gets_a_valid_mbd_attachment(
    checkout: Checkout, station: FakeStation
) -> None:
    await pay(checkout.http, await open_cart(checkout.http, STAMP))
    [receipt] = station.receipts
    assert receipt.amount == Decimal("36.00")
    assert set(receipt.mbd_attachments) == {2}  # only the stamp transfer
    assert receipt.transfers[0].iban == IBAN and receipt.transfers[1].iban is None
    mbd = receipt.mbd_attachments[2]
    assert mbd_errors(mbd) == []
    document = parse_mbd(mbd)
    assert document.document_hash == DOCUMENT_HASH
    assert document.amount == Decimal("16.00") and document.stamp_type == "01"
    assert document.psp_fiscal_code == "70000000001" and len(document.iubd) == 14
    assert b"<MBDAttachment>" in receipt.raw_xml


async def test_declined_card_pays_nothing_and_can_be_retried(
    checkout: Checkout, station: FakeStation
) -> None:
    cart_path = await open_cart(checkout.http, PLAIN)
    done = await pay(checkout.http, cart_path, card="4000 0000 0000 0002")
    outcome = await checkout.http.get(done.headers["location"])
    assert 'data-outcome="KO"' in outcome.text and "rifiutata" in outcome.text
    assert station.receipts == []
    back = await checkout.http.get(link(outcome.text, "continua"))
    assert back.headers["location"] == "https://ente.example/errore"

    retry = await checkout.http.get(link(outcome.text, "riprova"))
    step = await checkout.http.post(
        form_action(retry.text, "carta"),
        data={
            "holder": "Mario Rossi",
            "number": "4242424242424242",
            "expiry": "01/40",
            "cvv": "999",
        },
    )
    summary = await checkout.http.get(step.headers["location"])
    await checkout.http.post(form_action(summary.text, "conferma"))
    assert [r.notice_number for r in station.receipts] == [PLAIN]


async def test_cancel_returns_to_the_cancel_url_without_payment(
    checkout: Checkout, station: FakeStation
) -> None:
    page = await checkout.http.get(await open_cart(checkout.http, PLAIN))
    cancelled = await checkout.http.post(form_action(page.text, "annulla"))
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "https://ente.example/annullato"
    assert station.calls == ["verify"]
    again = await checkout.http.get(f"{httpx.URL(str(page.url)).path}/scegli-metodo")
    assert again.status_code == 409


async def test_unknown_and_expired_notices_show_a_clear_error(
    checkout: Checkout, station: FakeStation
) -> None:
    page = await checkout.http.get(await open_cart(checkout.http, UNKNOWN, EXPIRED))
    assert 'id="errore-verifica"' in page.text
    assert 'data-fault="PAA_PAGAMENTO_SCONOSCIUTO"' in page.text
    assert 'data-fault="PAA_PAGAMENTO_SCADUTO"' in page.text
    assert "L&#x27;avviso è scaduto." in page.text
    back = await checkout.http.get(link(page.text, "continua"))
    assert back.headers["location"] == "https://ente.example/errore"
    assert "getPayment" not in station.calls


async def test_paid_notice_cannot_be_paid_twice(checkout: Checkout, station: FakeStation) -> None:
    await pay(checkout.http, await open_cart(checkout.http, PLAIN))
    page = await checkout.http.get(await open_cart(checkout.http, PLAIN))
    assert 'data-fault="PAA_PAGAMENTO_DUPLICATO"' in page.text
    assert "già pagato" in page.text


async def test_transfers_not_adding_up_fail_the_payment(
    checkout: Checkout, station: FakeStation
) -> None:
    from tests.simulators.checkout.conftest import BAD_SUM

    done = await pay(checkout.http, await open_cart(checkout.http, BAD_SUM))
    outcome = await checkout.http.get(done.headers["location"])
    assert 'data-outcome="KO"' in outcome.text and "PPT_SEMANTICA" in outcome.text
    assert station.receipts == []


async def test_unregistered_creditor_then_registered_at_run_time(
    checkout: Checkout, station_url: str
) -> None:
    checkout.state.stations.clear()
    cart_path = await open_cart(checkout.http, PLAIN)
    page = await checkout.http.get(cart_path)
    assert 'data-fault="PPT_STAZIONE_INT_PA_SCONOSCIUTA"' in page.text
    put = await checkout.http.put(f"/_admin/stations/{CREDITOR}", json={"url": station_url})
    assert put.status_code == 200
    assert (await checkout.http.get("/_admin/stations")).json() == {CREDITOR: station_url}
    assert 'id="carrello"' in (await checkout.http.get(cart_path)).text
    bad = await checkout.http.put(f"/_admin/stations/{CREDITOR}", json={"url": "ftp://x"})
    assert bad.status_code == 422


async def test_card_fields_are_checked_with_specific_messages(checkout: Checkout) -> None:
    cart_path = await open_cart(checkout.http, PLAIN)
    page = await walk_to_confirmation(checkout.http, cart_path, card="4242 4242 4242 4241")
    assert page.status_code == 422
    assert 'aria-invalid="true" aria-describedby="errore-number"' in page.text
    assert "non è valido" in page.text
    action = form_action(page.text, "carta")
    expired = await checkout.http.post(
        action, data={"holder": "", "number": "4242424242424242", "expiry": "01/20", "cvv": "12"}
    )
    assert expired.status_code == 422
    for message in ("titolare", "La carta è scaduta", "CVV"):
        assert message in expired.text


async def test_direct_entry_for_intermediary_payment_urls(
    checkout: Checkout, station: FakeStation
) -> None:
    reply = await checkout.http.get(
        "/pay",
        params={
            "fiscalCode": CREDITOR,
            "noticeNumber": PLAIN,
            "amount": "2000",
            "returnUrl": "https://mypay.example/esito?x=1",
        },
    )
    assert reply.status_code == 302
    done = await pay(checkout.http, httpx.URL(reply.headers["location"]).path)
    outcome = await checkout.http.get(done.headers["location"])
    back = await checkout.http.get(link(outcome.text, "continua"))
    location = httpx.URL(back.headers["location"])
    assert location.host == "mypay.example"
    assert location.params["esito"] == "OK" and location.params["x"] == "1"
    assert len(station.receipts) == 1
    bad = await checkout.http.get("/pay", params={"fiscalCode": "1", "noticeNumber": PLAIN})
    assert bad.status_code == 400 and "fiscalCode" in bad.json()["detail"]
    cents = await checkout.http.get(
        "/pay",
        params={"fiscalCode": CREDITOR, "noticeNumber": PLAIN, "amount": "20.00",
                "returnUrl": "https://x.example/"},
    )  # fmt: skip
    assert cents.status_code == 400 and "euro cents" in cents.json()["detail"]


async def test_status_and_unknown_cart(checkout: Checkout) -> None:
    status = (await checkout.http.get("/status")).json()
    assert status["status"] == "ok" and status["simulator"] == "checkout"
    missing = await checkout.http.get("/c/does-not-exist")
    assert missing.status_code == 404 and "Carrello non trovato" in missing.text


async def test_a_double_click_on_pay_pays_once(checkout: Checkout, station: FakeStation) -> None:
    summary = await walk_to_confirmation(checkout.http, await open_cart(checkout.http, PLAIN))
    action = form_action(summary.text, "conferma")
    first, second = await asyncio.gather(checkout.http.post(action), checkout.http.post(action))
    assert sorted([first.status_code, second.status_code]) == [303, 409]
    assert len(station.receipts) == 1 and station.calls.count("getPayment") == 1


async def test_reset_restores_the_stations_the_checkout_was_started_with() -> None:
    configured = {CREDITOR: "http://gpd:8020/pagopa/paForNode"}
    app = create_app(Settings(stations=configured))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        moved = {"url": "http://elsewhere:9/pagopa/paForNode"}
        assert (await http.put(f"/_admin/stations/{CREDITOR}", json=moved)).status_code == 200
        assert (await http.put("/_admin/stations/80000000003", json=moved)).status_code == 200
        assert (await http.post("/_admin/reset")).status_code == 204
        assert (await http.get("/_admin/stations")).json() == configured
        assert (await http.delete(f"/_admin/stations/{CREDITOR}")).status_code == 204
        assert (await http.post("/_admin/reset")).status_code == 204
        assert (await http.get("/_admin/stations")).json() == configured
    assert configured == {CREDITOR: "http://gpd:8020/pagopa/paForNode"}  # not shared, not changed
