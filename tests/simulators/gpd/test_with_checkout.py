"""End to end: the checkout/Nodo simulator pays a GPD debt position through this station."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette

from simulators.checkout.app import Settings as CheckoutSettings
from simulators.checkout.app import create_app as create_checkout
from simulators.common.server import serving
from simulators.gpd.app import create_app
from tests.simulators.checkout.conftest import form_action, open_cart, walk_to_confirmation
from tests.simulators.gpd.conftest import KEY, ORG, POSITIONS, RECEIPTS, position_body


@pytest.fixture
def gpd() -> Iterator[tuple[Starlette, str]]:
    app = create_app()
    with serving(app) as server:
        yield app, server.url


@pytest.fixture
async def checkout(gpd: tuple[Starlette, str]) -> AsyncIterator[httpx.AsyncClient]:
    settings = CheckoutSettings(
        stations={ORG: f"{gpd[1]}/pagopa/paForNode"}, rt_retry_delays=(0.05,), station_timeout=5
    )
    app = create_checkout(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as http:
        yield http
        await app.state.checkout.settle(timeout=5)


async def test_checkout_payment_makes_the_position_paid_with_its_stamp_receipt(
    gpd: tuple[Starlette, str], checkout: httpx.AsyncClient
) -> None:
    async with httpx.AsyncClient(base_url=gpd[1], headers=KEY) as rest:
        created = await rest.post(
            POSITIONS, params={"toPublish": "true"}, json=position_body(f"{ORG}-e2e", stamp=True)
        )
        assert created.status_code == 201, created.text
        option: dict[str, Any] = created.json()["paymentOption"][0]

        summary = await walk_to_confirmation(checkout, await open_cart(checkout, option["nav"]))
        assert "36,00 €" in summary.text  # 20 € diritti + 16 € marca da bollo, from GPD
        done = await checkout.post(form_action(summary.text, "conferma"))
        assert done.status_code == 303

        position = (await rest.get(f"{POSITIONS}/{ORG}-e2e")).json()
        assert position["status"] == "PAID"
        assert position["paymentOption"][0]["pspCompany"] == "PSP Simulato Collaudo"
        receipt = await rest.get(f"{RECEIPTS}/{option['iuv']}")
        assert receipt.status_code == 200
        document = etree.fromstring(receipt.content)
        assert document.findtext("receipt/paymentNote") == "cart-42"  # as the Nodo sent it
        mbd = document.findtext("receipt/transferList/transfer[idTransfer='2']/MBDAttachment")
        assert mbd is not None and b"marcaDaBollo" in base64.b64decode(mbd)
