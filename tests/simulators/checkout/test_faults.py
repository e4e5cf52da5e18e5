"""Each checkout fault profile, as the creditor and the citizen would notice it."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from simulators.checkout.app import Settings, create_app
from tests.simulators.checkout.conftest import (
    PLAIN,
    Checkout,
    FakeStation,
    cart_body,
    open_cart,
    pay,
    walk_to_confirmation,
)


async def _fault(checkout: Checkout, name: str, **params: object) -> None:
    reply = await checkout.http.put(f"/_admin/faults/{name}", json=params)
    assert reply.status_code == 200, reply.text


async def _wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_card_screen_error_fault_and_test_card(checkout: Checkout) -> None:
    cart_path = await open_cart(checkout.http, PLAIN)
    failed = await walk_to_confirmation(checkout.http, cart_path, card="4000 0000 0000 9995")
    assert failed.status_code == 502 and 'id="errore-carta"' in failed.text
    assert checkout.state.positions()[0]["status"] == "CARD_ERROR"

    await _fault(checkout, "card-screen-error")
    other = await open_cart(checkout.http, PLAIN)
    failed = await walk_to_confirmation(checkout.http, other)
    assert failed.status_code == 502 and "Nessun importo" in failed.text
    listed = (await checkout.http.get("/_admin/faults")).json()["active"]
    assert listed[0]["name"] == "card-screen-error" and listed[0]["fired"] == 1


async def test_lost_outcome_pays_and_notifies_but_never_returns(
    checkout: Checkout, station: FakeStation
) -> None:
    await _fault(checkout, "lost-outcome")
    cart_path = await open_cart(checkout.http, PLAIN)
    done = await pay(checkout.http, cart_path)
    assert done.status_code == 504 and "esito" in done.text
    assert [r.notice_number for r in station.receipts] == [PLAIN]
    for step in ("esito", "ritorno"):
        again = await checkout.http.get(f"{cart_path}/{step}")
        assert again.status_code == 504 and "location" not in again.headers
    [cart] = checkout.state.positions()
    assert cart["status"] == "PAID" and cart["lost_outcome"] is True


def _notification(checkout: Checkout) -> str:
    return str(checkout.state.positions()[0]["notices"][0]["notification"])


async def test_duplicate_notification_sends_the_same_receipt_twice(
    checkout: Checkout, station: FakeStation
) -> None:
    await _fault(checkout, "duplicate-notification")
    await pay(checkout.http, await open_cart(checkout.http, PLAIN))
    assert len(station.receipts) == 2
    assert station.receipts[0].receipt_id == station.receipts[1].receipt_id
    assert station.receipts[0].raw_xml == station.receipts[1].raw_xml
    assert checkout.state.positions()[0]["notices"][0]["notifications_sent"] == 2


async def test_late_notification_arrives_after_the_delay(
    checkout: Checkout, station: FakeStation
) -> None:
    await _fault(checkout, "late-notification", delay=0.4)
    done = await pay(checkout.http, await open_cart(checkout.http, PLAIN))
    assert done.status_code == 303  # the citizen sees the outcome at once
    assert station.receipts == []
    assert checkout.state.positions()[0]["notices"][0]["notification"] == "SCHEDULED"
    # The station has the receipt before the Nodo has read its answer: wait for both.
    await _wait_for(lambda: len(station.receipts) == 1 and _notification(checkout) == "SENT")
    assert len(station.receipts) == 1


async def test_lost_notification_is_never_sent(checkout: Checkout, station: FakeStation) -> None:
    await _fault(checkout, "lost-notification")
    done = await pay(checkout.http, await open_cart(checkout.http, PLAIN))
    outcome = await checkout.http.get(done.headers["location"])
    assert 'data-outcome="OK"' in outcome.text
    await asyncio.sleep(0.2)
    assert station.receipts == [] and "sendRT" not in station.calls
    [cart] = checkout.state.positions()
    assert cart["status"] == "PAID" and cart["notices"][0]["notification"] == "LOST"


async def test_broken_redirect_hands_out_a_url_leading_nowhere(checkout: Checkout) -> None:
    await _fault(checkout, "broken-redirect")
    reply = await checkout.http.post("/checkout/ec/v1/carts", json=cart_body(PLAIN))
    assert reply.status_code == 302
    page = await checkout.http.get(reply.headers["location"])
    assert page.status_code == 404
    assert checkout.state.positions()[0]["broken"] is True


async def test_refused_receipt_is_sent_again(checkout: Checkout, station: FakeStation) -> None:
    station.fail_receipts = 1
    await pay(checkout.http, await open_cart(checkout.http, PLAIN))
    assert station.receipts == []
    await _wait_for(lambda: len(station.receipts) == 1 and _notification(checkout) == "SENT")
    notice = checkout.state.positions()[0]["notices"][0]
    assert len(station.receipts) == 1
    assert "PAA_SYSTEM_ERROR" in notice["notification_error"]


async def test_faults_from_settings_and_partial_rates(station_url: str) -> None:
    app = create_app(Settings(stations={}, faults=["lost-notification:0.5:7"]))
    [active] = app.state.checkout.faults.to_list()
    assert active["name"] == "lost-notification" and active["rate"] == 0.5
    with pytest.raises(ValueError, match="does not apply to the checkout"):
        create_app(Settings(faults=["creation-error"]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        missing = await http.put("/_admin/faults/no-such-fault", json={})
        assert missing.status_code == 404
