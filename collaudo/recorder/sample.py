"""The sample recordings: real driver traffic through the recorder, against the simulators.

``record_sample("mypay", path)`` starts the MyPay, GPD, GovPay and Checkout/Nodo simulators
on loopback ports and mitmproxy (the recording addon) in front of the intermediary — and, for
GPD and GovPay, in front of the checkout's carts API too; the Nodo's station registry points at the
proxy, so its ``paForNode`` calls are recorded as well. Then the driver walks one payment
(create, status, checkout URL, a citizen paying, status, receipt) and one creation that
fails (the simulator's ``creation-error`` fault), with fixed payment ids so a replay can
reproduce the same requests. ``recordings/make_sample.py`` regenerates the committed files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import httpx

from adapters.core.intermediary import (
    CreditorConfig,
    Debtor,
    DebtPositionRequest,
    IntermediaryError,
    PositionContext,
    PositionState,
    ReturnUrls,
)
from adapters.drivers.govpay import GovPayDriver
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from collaudo import loopback
from collaudo.citizen import Citizen
from collaudo.loopback import LoopbackSimulators
from collaudo.recorder.addon import RecordingAddon
from collaudo.recorder.proxy import ReverseProxy
from collaudo.recorder.pseudonyms import Pseudonyms
from collaudo.recorder.redaction import Redactor
from simulators.common.server import BackgroundServer, free_port

log = logging.getLogger(__name__)
Driver = MyPayDriver | GpdDriver | GovPayDriver
Sample = Literal["mypay", "gpd", "govpay"]
SAMPLES: tuple[Sample, ...] = ("mypay", "gpd", "govpay")

CREDITOR_FISCAL_CODE = "80000000002"
IPA_CODE = "c_bugliano"
IBAN = "IT60X0542811101000000123456"
MYPAY_PASSWORD = "sim-password"
GPD_KEY = "sim-subscription-key"
PASSWORD_ENV = "COLLAUDO_SAMPLE_MYPAY_PASSWORD"
KEY_ENV = "COLLAUDO_SAMPLE_GPD_KEY"
GOVPAY_PASSWORD_ENV = "COLLAUDO_SAMPLE_GOVPAY_PASSWORD"
GOVPAY_ID_A2A = "A2A-COLLAUDO"  # the GovPay simulator's demo Applicazione
#: Demo people whose data must never reach a recording (tests look for them).
PAYER = Debtor(
    type="human",
    fiscal_code="RSSMRA80A01H501U",
    name="Mario",
    family_name="Rossi",
    email="mario.rossi@example.org",
    street_name="Via Roma",
    building_number="12",
    postal_code="56100",
    town_name="Bugliano",
    province="PI",
    country="IT",
)
CITIZEN = Citizen(email="mario.rossi@example.org", holder="Mario Rossi")
#: Fixed payment ids: the same IUD/IUPD every time, so a replay matches.
PAYMENT_IDS = {
    "mypay": uuid.UUID("5a3f6c1e-0d7b-4a61-9a1e-6c2b8f0d4e01"),
    "gpd": uuid.UUID("5a3f6c1e-0d7b-4a61-9a1e-6c2b8f0d4e02"),
    "govpay": uuid.UUID("5a3f6c1e-0d7b-4a61-9a1e-6c2b8f0d4e03"),
}
FAILED_PAYMENT_IDS = {
    "mypay": uuid.UUID("5a3f6c1e-0d7b-4a61-9a1e-6c2b8f0d4e11"),
    "gpd": uuid.UUID("5a3f6c1e-0d7b-4a61-9a1e-6c2b8f0d4e12"),
    "govpay": uuid.UUID("5a3f6c1e-0d7b-4a61-9a1e-6c2b8f0d4e13"),
}
RETURN = ReturnUrls(
    ok="https://ente.example/ok", cancel="https://ente.example/ko", error="https://ente.example/err"
)
ENVIRON = {PASSWORD_ENV: MYPAY_PASSWORD, KEY_ENV: GPD_KEY, GOVPAY_PASSWORD_ENV: MYPAY_PASSWORD}


@dataclass
class World:
    """The three simulators, running on loopback ports."""

    checkout: BackgroundServer
    mypay: BackgroundServer
    gpd: BackgroundServer
    govpay: BackgroundServer
    running: LoopbackSimulators

    def route_station(self, url: str) -> None:
        """Point the Nodo's station registry for the demo creditor at ``url``."""
        self.running.route(url)

    def fault(self, simulator: str, name: str, on: bool = True) -> None:
        base = f"{getattr(self, simulator).url}/_admin/faults"
        reply = (
            httpx.put(f"{base}/{name}", json={"rate": 1.0}, timeout=5)
            if on
            else httpx.delete(base, timeout=5)
        )
        reply.raise_for_status()


@contextlib.contextmanager
def simulators() -> Iterator[World]:
    """MyPay, GPD, GovPay and Checkout/Nodo simulators in background threads."""
    with loopback.simulators(CREDITOR_FISCAL_CODE) as running:
        yield World(running=running, **running.servers)


def creditor(intermediary: Sample, urls: dict[str, str]) -> CreditorConfig:
    """The demo creditor configured for ``intermediary`` at ``urls`` (its name, checkout)."""
    settings: dict[str, Any]
    if intermediary == "mypay":
        settings = {
            "mypay_wsdl_url": f"{urls['mypay']}/ws/pa?wsdl",
            # The WSDL names the real host: the endpoint must be the proxy's explicitly.
            "mypay_endpoint_url": f"{urls['mypay']}/ws/pa",
            "mypay_codice_ipa": IPA_CODE,
            "mypay_password_env": PASSWORD_ENV,
            "mypay_segregation_code": "01",
            "mypay_codice_tipo_dovuto": "DIRITTI_SEGRETERIA",
        }
    elif intermediary == "govpay":
        settings = {
            "govpay_base_url": f"{urls['govpay']}/govpay/backend/api/pendenze/rs/basic/v2",
            "govpay_id_a2a": GOVPAY_ID_A2A,
            "govpay_password_env": GOVPAY_PASSWORD_ENV,
            "checkout_base_url": f"{urls['checkout']}/checkout/ec/v1",
            "govpay_id_tipo_pendenza": "DIRITTI_SEGRETERIA",
            "govpay_cod_entrata": "DIRITTI_SEGRETERIA",
        }
    else:
        settings = {
            "gpd_base_url": f"{urls['gpd']}/gpd/debt-positions-service/v1",
            "gpd_receipts_url": f"{urls['gpd']}/gpd/payments-receipts-service/v1",
            "checkout_base_url": f"{urls['checkout']}/checkout/ec/v1",
            "gpd_subscription_key_env": KEY_ENV,
            "gpd_segregation_code": "01",
            "gpd_iban": IBAN,
        }
    settings["payment_type"] = "pagopa"
    return CreditorConfig(
        tenant_id=uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329"),
        service_id=uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625"),
        creditor_fiscal_code=CREDITOR_FISCAL_CODE,
        creditor_name="Comune di Bugliano",
        settings=settings,
    )


def driver(intermediary: Sample) -> Driver:
    if intermediary == "mypay":
        return MyPayDriver(environ=ENVIRON)
    if intermediary == "govpay":
        return GovPayDriver(environ=ENVIRON)
    return GpdDriver(environ=ENVIRON)


def debt_request(config: CreditorConfig, payment_id: uuid.UUID) -> DebtPositionRequest:
    return DebtPositionRequest(
        payment_id=payment_id,
        iud=payment_id.hex,
        creditor=config,
        amount=Decimal("20.00"),
        reason="Diritti di segreteria - occupazione suolo pubblico",
        expire_at=datetime.now(UTC) + timedelta(days=30),
        debtor=PAYER,
        taxonomy="9/0101108TS/",
    )


async def pay_journey(drv: Driver, config: CreditorConfig, payment_id: uuid.UUID) -> PositionState:
    """Create, status, checkout URL, the citizen pays, status until PAID, receipt."""
    request = debt_request(config, payment_id)
    position = await drv.create_debt_position(request)
    ctx = PositionContext(
        payment_id=payment_id,
        creditor=config,
        position=position,
        debtor=PAYER,
        reason=request.reason,
        expire_at=request.expire_at,
    )
    await drv.status(ctx)
    url = await drv.checkout_url(ctx, RETURN)
    await CITIZEN.pay_online(url)
    state = PositionState.UNPAID
    for _ in range(50):
        state = (await drv.status(ctx)).state
        if state is PositionState.PAID:
            break
        await asyncio.sleep(0.1)
    if state is PositionState.PAID:
        await drv.receipt(ctx)
    return state


async def failed_creation(drv: Driver, config: CreditorConfig, payment_id: uuid.UUID) -> str:
    """A creation the intermediary refuses; the error the driver reported."""
    try:
        await drv.create_debt_position(debt_request(config, payment_id))
    except IntermediaryError as exc:
        return str(exc)
    return "the creation unexpectedly succeeded"


def record_sample(intermediary: Sample, out: str | Path, *, key: bytes | None = None) -> int:
    """Record the sample for ``intermediary`` into ``out``; the number of flows written."""
    with simulators() as world:
        upstream = getattr(world, intermediary).url
        routes = [(upstream, free_port())]
        if intermediary != "mypay":  # GPD and GovPay: the proxy calls pagoPA Checkout
            routes.append((world.checkout.url, free_port()))
        addon = RecordingAddon(out, Redactor(Pseudonyms(key)), label=f"sample-{intermediary}")
        proxy = ReverseProxy(routes, [addon]).start()
        try:
            local = proxy.urls
            urls = {
                intermediary: local[upstream],
                "checkout": local.get(world.checkout.url, world.checkout.url),
            }
            world.route_station(f"{local[upstream]}/pagopa/paForNode")
            config = creditor(intermediary, urls)
            drv = driver(intermediary)  # one driver: the WSDL is recorded once

            async def journey() -> tuple[PositionState, str]:
                state = await pay_journey(drv, config, PAYMENT_IDS[intermediary])
                world.fault(intermediary, "creation-error")
                failed = await failed_creation(drv, config, FAILED_PAYMENT_IDS[intermediary])
                return state, failed

            state, error = asyncio.run(journey())
            log.info("%s sample: payment ended %s; failed creation: %s", intermediary, state, error)
        finally:
            proxy.stop()
    return addon.recorded


def sample_path(intermediary: Sample, directory: str | Path | None = None) -> Path:
    """Where the committed sample recording of ``intermediary`` lives."""
    base = Path(directory) if directory else Path(__file__).resolve().parents[2] / "recordings"
    return base / f"sample-{intermediary}.flow"


def fixed_key() -> bytes:
    """The pseudonym key of the committed samples, so regenerating them diffs little."""
    return os.environ.get("COLLAUDO_PSEUDONYM_KEY", "collaudo-sample-recordings").encode()
