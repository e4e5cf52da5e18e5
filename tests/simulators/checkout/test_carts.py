"""``POST /checkout/ec/v1|v2/carts`` answers as checkout_v1.json / checkout_v2.json say."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from simulators.checkout.app import Settings, create_app
from simulators.common.contracts import find_official
from tests.contracts_env import skip_unless_official
from tests.simulators.checkout.conftest import PLAIN, Checkout, cart_body


def _with(path: str, value: Any) -> dict[str, Any]:
    body: dict[str, Any] = cart_body(PLAIN)
    target: Any = body
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return body


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("paymentNotices", _DROP, "missing paymentNotices"),
        ("paymentNotices", [], "1 to 5"),
        ("paymentNotices.0.fiscalCode", "1", "fiscalCode must be exactly 11 digits"),
        ("paymentNotices.0.noticeNumber", "30201238765431238", "exactly 18 digits"),
        ("paymentNotices.0.amount", 0, "euro cents >= 1"),
        ("paymentNotices.0.amount", "2000", "integer"),
        ("paymentNotices.0.companyName", "x" * 141, "at most 140"),
        ("paymentNotices.0.description", _DROP, "missing paymentNotices[0].description"),
        ("returnUrls", _DROP, "missing returnUrls"),
        ("returnUrls.returnOkUrl", "www.comune.di.prova.it/ok", "absolute http(s) URL"),
        ("returnUrls.returnErrorUrl", _DROP, "returnErrorUrl"),
        ("emailNotice", "not-an-email", "emailNotice"),
        ("allCCP", "maybe", "allCCP"),
    ],
)
async def test_formally_invalid_carts_are_400_problems(
    checkout: Checkout, path: str, value: Any, words: str
) -> None:
    reply = await checkout.http.post("/checkout/ec/v1/carts", json=_with(path, value))
    assert reply.status_code == 400
    problem = reply.json()
    assert problem["status"] == 400 and problem["title"] == "Formally invalid input"
    assert words in problem["detail"]
    assert problem["instance"].endswith("/checkout/ec/v1/carts")  # an absolute URI
    assert problem["instance"].startswith("http")
    assert checkout.state.carts == {}


async def test_too_many_notices_and_non_json(checkout: Checkout) -> None:
    notices = [f"30100000000000001{i}" for i in range(6)]
    reply = await checkout.http.post("/checkout/ec/v1/carts", json=cart_body(*notices))
    assert reply.status_code == 400 and "1 to 5" in reply.json()["detail"]
    reply = await checkout.http.post("/checkout/ec/v1/carts", content=b"{not json")
    assert reply.status_code == 400 and "not JSON" in reply.json()["detail"]


async def test_the_same_notice_twice_is_422(checkout: Checkout) -> None:
    reply = await checkout.http.post("/checkout/ec/v1/carts", json=cart_body(PLAIN, PLAIN))
    assert reply.status_code == 422
    assert "more than once" in reply.json()["detail"]


async def test_v2_needs_the_waiting_url(checkout: Checkout) -> None:
    reply = await checkout.http.post("/checkout/ec/v2/carts", json=cart_body(PLAIN))
    assert reply.status_code == 400 and "returnWaitingUrl" in reply.json()["detail"]
    body = cart_body(PLAIN)
    body["returnUrls"]["returnWaitingUrl"] = "https://ente.example/attesa"  # type: ignore[index]
    reply = await checkout.http.post("/checkout/ec/v2/carts", json=body)
    assert reply.status_code == 302
    [cart] = checkout.state.positions()
    assert cart["version"] == 2 and cart["return_urls"]["waiting"] == "https://ente.example/attesa"


async def test_official_example_is_accepted_once_its_urls_are_absolute(checkout: Checkout) -> None:
    skip_unless_official("pagopa/openapi/checkout_v1.json")
    path = find_official("pagopa/openapi/checkout_v1.json")
    assert path is not None
    spec = json.loads(path.read_text())
    operation = spec["paths"]["/carts"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    for key, url in example["returnUrls"].items():
        example["returnUrls"][key] = f"https://{url}"
    reply = await checkout.http.post("/checkout/ec/v1/carts", json=example)
    assert reply.status_code == 302, reply.text
    [cart] = checkout.state.positions()
    assert cart["id_cart"] == "id_cart" and len(cart["notices"]) == 2
    assert cart["notices"][0]["amount"] == "10.00"


async def test_api_key_when_configured() -> None:
    app = create_app(Settings(api_key="chiave"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        refused = await http.post("/checkout/ec/v1/carts", json=cart_body(PLAIN))
        assert refused.status_code == 401
        accepted = await http.post(
            "/checkout/ec/v1/carts",
            json=cart_body(PLAIN),
            headers={"Ocp-Apim-Subscription-Key": "chiave"},
        )
        assert accepted.status_code == 302
        assert accepted.headers["location"].startswith("http://127.0.0.1:8030/c/")
