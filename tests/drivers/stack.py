"""The simulated world the drivers are tested against, on loopback ports, and the citizen.

Checkout + Nodo mock, MyPay simulator and GPD simulator, each in a background uvicorn
thread (:mod:`collaudo.loopback`); the Nodo's station registry points the demo creditor at
the intermediary under test. Also: a citizen walking the checkout's HTML forms with httpx,
and the fixtures' tenant configuration for each driver.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx

from adapters.core.intermediary import (
    CreditorConfig,
    Debtor,
    DebtPosition,
    DebtPositionRequest,
    DigitalStamp,
    PositionContext,
)
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from adapters.pagopa import document_hash
from collaudo.loopback import LoopbackSimulators, start_simulators
from simulators.common.server import BackgroundServer

CREDITOR_CF = "80000000002"
CREDITOR_NAME = "Comune di Bugliano"
IBAN = "IT60X0542811101000000123456"
MYPAY_PASSWORD_ENV = "COLLAUDO_TEST_MYPAY_PASSWORD"
GPD_KEY_ENV = "COLLAUDO_TEST_GPD_KEY"
ENVIRON = {MYPAY_PASSWORD_ENV: "sim-password", GPD_KEY_ENV: "sim-subscription-key"}
PAYER = Debtor(
    type="human",
    fiscal_code="RSSMRA80A01H501U",
    name="Mario",
    family_name="Rossi",
    email="mario.rossi@example.org",
    street_name="Via Roma",
    building_number="1",
    postal_code="56100",
    town_name="Bugliano",
    province="PI",
    country="IT",
)
TENANT = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
SERVICE = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")
STAMP_SERVICE = uuid.UUID("7d0c5a1e-2f4b-4c8e-9b3a-5e6f7a8b9c0d")


@dataclass
class Stack:
    """The simulators, running."""

    checkout: BackgroundServer
    mypay: BackgroundServer
    gpd: BackgroundServer
    govpay: BackgroundServer | None = None  # started by collaudo.loopback too
    apps: dict[str, Any] = field(default_factory=dict)

    def url(self, name: str) -> str:
        server: BackgroundServer = getattr(self, name)
        return server.url

    def admin(self, name: str) -> httpx.Client:
        return httpx.Client(base_url=f"{self.url(name)}/_admin", timeout=5)

    def route_creditor_to(self, intermediary: str) -> None:
        """Point the Nodo's station registry for the demo creditor at ``intermediary``."""
        with self.admin("checkout") as admin:
            reply = admin.put(
                f"/stations/{CREDITOR_CF}",
                json={"url": f"{self.url(intermediary)}/pagopa/paForNode"},
            )
            reply.raise_for_status()

    def reset(self) -> None:
        for name in ("checkout", "mypay", "gpd"):
            with self.admin(name) as admin:
                admin.delete("/faults").raise_for_status()
                admin.post("/reset").raise_for_status()

    def fault(self, name: str, fault: str, **params: Any) -> None:
        with self.admin(name) as admin:
            admin.put(f"/faults/{fault}", json={"rate": 1.0, **params}).raise_for_status()

    def clear_faults(self, name: str) -> None:
        with self.admin(name) as admin:
            admin.delete("/faults").raise_for_status()

    def positions(self, name: str) -> list[dict[str, Any]]:
        with self.admin(name) as admin:
            reply = admin.get("/positions")
            reply.raise_for_status()
            body = reply.json()
        return body if isinstance(body, list) else body.get("positions", body)


@dataclass
class Started:
    stack: Stack
    running: LoopbackSimulators

    def stop(self) -> None:
        self.running.stop()


def start_stack() -> Started:
    running = start_simulators(CREDITOR_CF)
    stack = Stack(apps=running.apps, **running.servers)
    return Started(stack, running)


# -- tenant configuration -------------------------------------------------------------


def creditor(stack: Stack, driver: str, *, stamp: bool = False) -> CreditorConfig:
    if driver == "mypay":
        settings: dict[str, Any] = {
            "mypay_wsdl_url": f"{stack.url('mypay')}/ws/pa?wsdl",
            "mypay_codice_ipa": "c_bugliano",
            "mypay_password_env": MYPAY_PASSWORD_ENV,
            "mypay_segregation_code": "01",
            "mypay_codice_tipo_dovuto": "MARCA_BOLLO_DIGITALE" if stamp else "DIRITTI_SEGRETERIA",
        }
    else:
        settings = {
            "gpd_base_url": f"{stack.url('gpd')}/gpd/debt-positions-service/v1",
            "gpd_receipts_url": f"{stack.url('gpd')}/gpd/payments-receipts-service/v1",
            "checkout_base_url": f"{stack.url('checkout')}/checkout/ec/v1",
            "gpd_subscription_key_env": GPD_KEY_ENV,
            "gpd_segregation_code": "01",
            "gpd_iban": IBAN,
        }
    settings["payment_type"] = "stamp" if stamp else "pagopa"
    return CreditorConfig(
        tenant_id=TENANT,
        service_id=STAMP_SERVICE if stamp else SERVICE,
        creditor_fiscal_code=CREDITOR_CF,
        creditor_name=CREDITOR_NAME,
        settings=settings,
    )


def make_driver(name: str, **kwargs: Any) -> Any:
    if name == "mypay":
        return MyPayDriver(environ=ENVIRON, **kwargs)
    return GpdDriver(environ=ENVIRON, **kwargs)


def request(
    config: CreditorConfig,
    *,
    amount: str = "20.00",
    stamp_document: bytes | None = None,
    payment_id: uuid.UUID | None = None,
) -> DebtPositionRequest:
    pid = payment_id or uuid.uuid4()
    stamp = None
    if stamp_document is not None:
        stamp = DigitalStamp(document_hash=document_hash(stamp_document), province="PI")
    return DebtPositionRequest(
        payment_id=pid,
        iud=pid.hex,
        creditor=config,
        amount=Decimal(amount),
        reason="Istanza di residenza - marca da bollo" if stamp else "Diritti di segreteria",
        expire_at=datetime.now(UTC) + timedelta(days=30),
        debtor=PAYER,
        stamp=stamp,
        taxonomy="9/0101108TS/",
    )


def context(req: DebtPositionRequest, position: DebtPosition) -> PositionContext:
    return PositionContext(
        payment_id=req.payment_id,
        creditor=req.creditor,
        position=position,
        debtor=req.debtor,
        reason=req.reason,
        expire_at=req.expire_at,
        stamp=req.stamp,
    )


# -- the citizen ------------------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("id"):
            self.forms[a["id"] or ""] = a.get("action") or ""


def _action(page: httpx.Response, form_id: str) -> str:
    parser = _Forms()
    parser.feed(page.text)
    assert form_id in parser.forms, f"no form#{form_id} on {page.url}: {page.text[:400]}"
    return urljoin(str(page.url), parser.forms[form_id])


async def _submit(
    http: httpx.AsyncClient, page: httpx.Response, form_id: str, data: dict[str, str]
) -> httpx.Response:
    step = await http.post(_action(page, form_id), data=data)
    assert step.status_code == 303, f"{form_id}: HTTP {step.status_code} {step.text[:400]}"
    return await http.get(urljoin(str(step.url), step.headers["location"]))


async def pay_online(url: str, card: str = "4242 4242 4242 4242") -> httpx.Response:
    """Open the checkout URL and pay as a citizen would: email, card, confirm."""
    async with httpx.AsyncClient(timeout=10) as http:
        page = await http.get(url, follow_redirects=True)
        assert page.status_code == 200, f"checkout page: HTTP {page.status_code} {page.text[:300]}"
        page = await _submit(http, page, "carrello", {"email": PAYER.email or ""})
        page = await _submit(http, page, "metodo", {"method": "CP"})
        data = {"holder": PAYER.full_name, "number": card, "expiry": "12/39", "cvv": "123"}
        page = await _submit(http, page, "carta", data)
        return await _submit(http, page, "conferma", {})


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Await ``check()`` until it returns a truthy value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.1)
