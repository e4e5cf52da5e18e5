"""The GPD driver against httpx.MockTransport: the contract it sends, every error path."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from adapters.core.intermediary import (
    AccessDenied,
    CreditorConfig,
    DebtPosition,
    IntermediaryFault,
    IntermediaryUnavailable,
    NotPaidYet,
    PositionNotFound,
    PositionState,
    RequestRejected,
)
from adapters.drivers import DRIVERS, UnknownDriver, driver_spec
from adapters.drivers._http import source_address
from adapters.drivers.gpd import GpdDriver
from simulators.common.server import free_port
from tests.drivers.stack import CREDITOR_CF, context
from tests.drivers.stack import request as make_request
from tests.drivers.test_conformance import RETURN

BASE = "http://gpd.test/gpd/debt-positions-service/v1"
KEY = "unit-secret-key"
ENV = {"GPD_KEY": KEY}


def config(**overrides: str) -> CreditorConfig:
    settings = {
        "gpd_base_url": BASE,
        "gpd_receipts_url": "http://gpd.test/gpd/payments-receipts-service/v1",
        "checkout_base_url": "http://checkout.test/checkout/ec/v1",
        "gpd_subscription_key_env": "GPD_KEY",
        "gpd_segregation_code": "01",
        "gpd_iban": "IT60X0542811101000000123456",
    }
    settings.update(overrides)
    return CreditorConfig(uuid.uuid4(), uuid.uuid4(), CREDITOR_CF, "Comune di Bugliano", settings)


Handler = Callable[[httpx.Request], httpx.Response]


def driver(handler: Handler, environ: dict[str, str] | None = None) -> GpdDriver:
    return GpdDriver(
        transport=httpx.MockTransport(handler), environ=ENV if environ is None else environ
    )


def created(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(201, json={**body, "status": "VALID"})


async def test_create_sends_the_published_position_with_derived_identifiers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return created(request)

    req = make_request(config())
    position = await driver(handler).create_debt_position(req)
    [sent] = seen
    assert sent.url.params["toPublish"] == "true"
    assert sent.headers["Ocp-Apim-Subscription-Key"] == KEY
    body = json.loads(sent.content)
    option = body["paymentOption"][0]
    assert body["iupd"] == req.iud and body["fiscalCode"] == req.debtor.fiscal_code
    assert option["amount"] == 2000 and option["iuv"] == position.iuv
    assert option["iuv"].startswith("01") and position.notice_number == "3" + position.iuv
    assert option["transfer"] == [
        {
            "idTransfer": "1",
            "amount": 2000,
            "remittanceInformation": "Diritti di segreteria",
            "category": "9/0101108TS/",
            "iban": "IT60X0542811101000000123456",
        }
    ]
    # The same payment always derives the same IUV: retries are idempotent.
    again = await driver(created).create_debt_position(req)
    assert again.iuv == position.iuv


async def test_a_409_for_another_iupd_moves_to_the_next_derived_iuv() -> None:
    posted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(json.loads(request.content)["paymentOption"][0]["iuv"])
            if len(posted) == 1:
                return httpx.Response(409, json={"title": "Conflict", "detail": "iuv taken"})
            return created(request)
        return httpx.Response(404, json={"title": "Not Found"})

    position = await driver(handler).create_debt_position(make_request(config()))
    assert len(set(posted)) == 2 and position.iuv == posted[1]


@pytest.mark.parametrize(
    ("status", "body", "error", "retriable"),
    [
        (503, {"title": "Service Unavailable"}, IntermediaryFault, True),
        (429, {"title": "Too Many Requests"}, IntermediaryFault, True),
        (400, {"title": "Bad Request", "detail": "iban not registered"}, RequestRejected, False),
        (401, {"statusCode": 401, "message": "invalid key"}, AccessDenied, False),
        (403, {"statusCode": 403, "message": "You are not allowed"}, AccessDenied, False),
    ],
)
async def test_http_errors_are_translated(
    status: int, body: dict[str, Any], error: type[Exception], retriable: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    with pytest.raises(error) as caught:
        await driver(handler).create_debt_position(make_request(config()))
    exc: Any = caught.value
    assert exc.retriable is retriable and exc.code == f"HTTP {status}"
    [exchange] = exc.exchanges
    assert exchange.status_code == status and exchange.operation == "createPosition"
    assert KEY not in exchange.request and "***" in exchange.request
    if status == 400:
        assert "iban not registered" in exc.message
    if status == 401:
        assert "GPD_KEY" in exc.message
    if status == 403:
        assert "gpd.test:80" in exc.diagnosis and "source address" in exc.diagnosis


async def test_timeouts_follow_pagopa_and_are_retriable() -> None:
    timeouts: dict[str, float] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        timeouts[request.url.path.rsplit("/", 2)[-2]] = request.extensions["timeout"]["read"]
        if "receipts" in request.url.path:
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={"status": "VALID", "paymentOption": [{"iuv": "1"}]})

    req = make_request(config())
    position = DebtPosition(req.iud, "01123", "301123", CREDITOR_CF, req.amount, {"iupd": req.iud})
    ctx = context(req, position)
    gpd = driver(handler)
    assert (await gpd.status(ctx)).state is PositionState.UNPAID
    with pytest.raises(IntermediaryUnavailable, match="within 15 s") as caught:
        await gpd.receipt(ctx)
    assert caught.value.code == "TIMEOUT" and caught.value.retriable
    assert timeouts == {"debtpositions": 7.0, "receipts": 15.0}


async def test_refused_connection_names_host_port_and_source_address() -> None:
    port = free_port()  # nothing listens there
    gpd = GpdDriver(environ=ENV)
    with pytest.raises(IntermediaryUnavailable) as caught:
        await gpd.create_debt_position(
            make_request(config(gpd_base_url=f"http://127.0.0.1:{port}/gpd/v1"))
        )
    await gpd.aclose()
    error = caught.value
    assert error.retriable and error.code == "CONNECTION_FAILED"
    assert f"127.0.0.1:{port}" in error.message
    assert error.diagnosis and "source address 127.0.0.1" in error.diagnosis
    assert f"allow 127.0.0.1 on 127.0.0.1:{port}" in error.diagnosis
    assert error.exchanges[0].error and error.exchanges[0].response is None


def test_source_address_is_found_without_sending() -> None:
    assert source_address("127.0.0.1", 9) == "127.0.0.1"
    assert source_address("host.invalid", 80).startswith("unknown")


async def test_missing_secret_and_bad_configuration_are_permanent_and_say_what_to_do() -> None:
    with pytest.raises(RequestRejected, match="environment variable GPD_KEY .* is not set"):
        await driver(created, environ={}).create_debt_position(make_request(config()))
    with pytest.raises(RequestRejected, match="gpd_segregation_code"):
        await driver(created).create_debt_position(make_request(config(gpd_segregation_code="1")))


async def test_checkout_returns_the_redirect_without_following_it() -> None:
    carts: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "checkout.test", "the redirect must not be followed"
        carts.append(json.loads(request.content))
        return httpx.Response(302, headers={"location": "http://checkout.test/c/42"})

    req = make_request(config())
    position = DebtPosition(req.iud, "01123", "301123456789012316", CREDITOR_CF, req.amount)
    url = await driver(handler).checkout_url(context(req, position), RETURN)
    assert url == "http://checkout.test/c/42"
    [cart] = carts
    assert cart["paymentNotices"] == [
        {
            "noticeNumber": "301123456789012316",
            "fiscalCode": CREDITOR_CF,
            "amount": 2000,
            "companyName": "Comune di Bugliano",
            "description": "Diritti di segreteria",
        }
    ]
    assert cart["returnUrls"]["returnOkUrl"] == RETURN.ok and cart["idCart"] == str(req.payment_id)

    def no_location(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    with pytest.raises(IntermediaryFault) as caught:
        await driver(no_location).checkout_url(context(req, position), RETURN)
    assert caught.value.code == "BROKEN_REDIRECT"


async def test_status_receipt_and_unknown_positions() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "receipts" in request.url.path:
            return httpx.Response(404, json={"title": "Not Found"})
        if request.url.path.endswith("/gone"):
            return httpx.Response(404, json={"title": "Not Found"})
        return httpx.Response(200, content=b"{not json")

    req = make_request(config())
    ctx = context(
        req, DebtPosition(req.iud, "011", "3011", CREDITOR_CF, req.amount, {"iupd": "gone"})
    )
    gpd = driver(handler)
    with pytest.raises(PositionNotFound):
        await gpd.status(ctx)
    with pytest.raises(NotPaidYet):
        await gpd.receipt(ctx)
    ctx = context(req, DebtPosition(req.iud, "011", "3011", CREDITOR_CF, req.amount, {"iupd": "x"}))
    with pytest.raises(IntermediaryFault, match="not JSON"):
        await gpd.status(ctx)


def test_registry() -> None:
    assert set(DRIVERS) == {"mypay", "gpd", "govpay"}
    for name in DRIVERS:
        spec = driver_spec(name)
        assert spec.name == name and spec.factory().name == name
        keys = [f.key for f in spec.fields]
        assert len(keys) == len(set(keys))
        assert any(f.kind == "env" for f in spec.fields)  # secrets come from the environment
    mypay = driver_spec("mypay")
    assert {f.key for f in mypay.fields_for("service")} == {"mypay_codice_tipo_dovuto"}
    with pytest.raises(UnknownDriver, match="known: govpay, gpd, mypay"):
        driver_spec("iris")
