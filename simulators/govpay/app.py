"""Assembling the GovPay simulator: settings (demo data by default) and the Starlette app.

Routes (``{auth}`` is ``basic`` — HTTP Basic — or ``apikey`` — ``X-APP-ID`` + ``X-API-KEY``):
- ``/govpay/backend/api/pendenze/rs/{auth}/v2/...``: API Pendenze v2 (:mod:`.api`);
- ``/govpay/backend/api/ragioneria/rs/{auth}/v3/ricevute...`` and
  ``/govpay/frontend/api/pagamento/rs/{auth}/v2/pagamenti`` (:mod:`.ragioneria`);
- ``/pagopa/paForNode``: the creditor's station called by the Nodo mock (:mod:`.station`);
- ``/backoffice`` (HTML), ``/status`` (with the documentation defects), ``/_admin/``: the
  shared faults/reset/positions plus ``GET notifications``, ``GET creditors``,
  ``PUT creditors/{idDominio}`` (``{"url", "auth": "none|basic|apikey", "username",
  "password"}``), ``DELETE creditors/{idDominio}``, ``GET|PUT clock`` (``{"offset_days": n}``)
  and ``POST notifications/settle`` (waits for due deliveries; tests and demos).

Environment variables (read by ``collaudo sim govpay``; prefix ``COLLAUDO_GOVPAY_`` + a
:class:`Settings` field; flags win over variables). Secrets, environment only:
``COLLAUDO_GOVPAY_PASSWORD`` (HTTP Basic password of the applicazione, default
``sim-password``), ``COLLAUDO_GOVPAY_API_KEY`` (its ``X-API-KEY``, default ``sim-api-key``),
``COLLAUDO_GOVPAY_CREDITOR_PASSWORD`` (what GovPay presents to the creditor's API Ente).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simulators.common.access import Allowlist, AllowlistMiddleware, AllowMode
from simulators.common.admin import admin_mount
from simulators.common.checks import (
    fault_specs,
    is_http_url,
    networks,
    one_of,
    port_number,
    url_setting,
)
from simulators.common.env import setting
from simulators.common.refuse import RefuseGuard, RefuseMiddleware
from simulators.common.station import station_mount
from simulators.govpay.admin import admin_routes
from simulators.govpay.api import PendenzeApi
from simulators.govpay.backoffice import backoffice_endpoint
from simulators.govpay.ente import Ente
from simulators.govpay.gate import Application, Gate, StationFaults
from simulators.govpay.notifier import Connector
from simulators.govpay.numbering import Numbering
from simulators.govpay.ragioneria import RagioneriaApi
from simulators.govpay.simulator import GovPaySimulator

ENV_PREFIX = "COLLAUDO_GOVPAY_"
DEMO_DOMINIO = "80000000002"
DEMO_IBAN = "IT60X0542811101000000123456"
CreditorAuth = Literal["none", "basic", "apikey"]


def _env(name: str, default: str) -> str:
    return os.environ.get(f"{ENV_PREFIX}{name}") or default


def _creditor_urls(value: dict[str, str]) -> None:
    for dominio, url in value.items():
        if not (dominio.isdigit() and len(dominio) == 11):
            raise ValueError(f"{dominio!r} is not an idDominio (11 digits)")
        if not is_http_url(url):
            raise ValueError(
                f"{dominio}: {url!r} is not an http(s) URL; write it like "
                "80000000002=http://proxy:8000/govpay/ente/v2"
            )


def _aux_digit(value: int) -> None:
    if value not in (0, 1, 2, 3):
        raise ValueError("the aux digit is 0, 1, 2 or 3")


def _two_digits(value: int) -> None:
    if not 0 <= value <= 99:
        raise ValueError("a code of two digits, 00 to 99")


@dataclass
class Settings:
    """The simulator's world; every default is the demo data of DESIGN.md."""

    host: str = field(default="127.0.0.1", metadata=setting("address to listen on"))
    port: int = field(default=8040, metadata=setting("port", check=port_number))
    id_a2a: str = field(default="A2A-COLLAUDO", metadata=setting("the applicazione (idA2A)"))
    password: str = field(
        default_factory=lambda: _env("PASSWORD", "sim-password"),
        metadata=setting("HTTP Basic password of the applicazione", secret=True),
    )
    api_key: str = field(
        default_factory=lambda: _env("API_KEY", "sim-api-key"),
        metadata=setting("X-API-KEY of the applicazione", secret=True),
    )
    id_dominio: str = field(default=DEMO_DOMINIO, metadata=setting("the ente's fiscal code"))
    ragione_sociale: str = "Comune di Bugliano"
    aux_digit: int = field(default=3, metadata=setting("0, 1, 2 or 3", check=_aux_digit))
    segregation_code: int = field(default=1, metadata=setting("aux digit 3", check=_two_digits))
    application_code: int = field(default=1, metadata=setting("aux digit 0", check=_two_digits))
    iuv_mode: str = field(
        default="govpay",
        metadata=setting(
            "govpay: assigns a missing numeroAvviso; ente: the client must give it",
            check=one_of("govpay", "ente"),
        ),
    )
    tipi_pendenza: tuple[str, ...] = field(
        default=("DIRITTI_SEGRETERIA", "CANONE_CUP", "MARCA_BOLLO_DIGITALE", "LIBERO"),
        metadata=setting("idTipoPendenza enabled (empty: any)"),
    )
    entrate: dict[str, str] = field(
        default_factory=lambda: {"DIRITTI_SEGRETERIA": DEMO_IBAN, "CANONE_CUP": DEMO_IBAN},
        metadata=setting("codEntrata = its IBAN", form="COD=IBAN,..."),
    )
    entrata_category: str = "9/0101108TS/"
    ibans: tuple[str, ...] = field(
        default=(DEMO_IBAN,), metadata=setting("IBANs registered (empty: any)")
    )
    unita_operative: tuple[str, ...] = ()
    broker_id: str = field(default=DEMO_DOMINIO, metadata=setting("paForNode idBrokerPA"))
    station_id: str = field(default=f"{DEMO_DOMINIO}_01", metadata=setting("paForNode idStation"))
    creditor_urls: dict[str, str] = field(
        default_factory=dict,
        metadata=setting(
            "idDominio = base URL of its API Ente v2 (none: notifications annulled)",
            check=_creditor_urls,
            form="CF=URL,...",
        ),
    )
    creditor_auth: CreditorAuth = "basic"
    # The user the proxy's API Ente expects by default (its govpay_ente_username): with
    # "basic" and no user GovPay's connector would send no credentials at all.
    creditor_username: str | None = field(
        default="govpay", metadata=setting("HTTP Basic (or X-APP-ID) user towards the creditor")
    )
    creditor_password: str | None = field(
        default_factory=lambda: os.environ.get(f"{ENV_PREFIX}CREDITOR_PASSWORD") or None,
        metadata=setting("what GovPay presents to the creditor", secret=True),
    )
    notification_retry_unit: float = field(
        default=60.0, metadata=setting("seconds per GovPay minute: retry n waits n^2 of them")
    )
    notification_retry_cap: float = field(
        default=86400.0, metadata=setting("longest wait between retries, seconds")
    )
    notification_max_attempts: int = field(default=0, metadata=setting("0: unlimited"))
    notification_timeout: float = field(default=5.0, metadata=setting("read timeout, seconds"))
    verify_mandatory: bool = field(
        default=False,
        metadata=setting("past dataValidita: refuse the payment when the creditor's verify fails"),
    )
    late_notification_delay: float = field(
        default=5.0, metadata=setting("seconds late-notification waits")
    )
    checkout_url: str | None = field(
        default="http://127.0.0.1:8030", metadata=url_setting("pagoPA Checkout for POST /pagamenti")
    )
    send_redirect: bool = field(
        default=False, metadata=setting("POST /pagamenti answers 302 instead of 201")
    )
    faults: list[str] = field(
        default_factory=list, metadata=setting("fault profiles", check=fault_specs("govpay"))
    )
    allowed_networks: list[str] = field(
        default_factory=list, metadata=setting("networks allowed in", check=networks)
    )
    allow_mode: AllowMode = field(default="403", metadata=setting("403 or refuse"))

    def ente(self) -> Ente:
        return Ente(
            id_dominio=self.id_dominio,
            ragione_sociale=self.ragione_sociale,
            numbering=Numbering(self.aux_digit, self.segregation_code, self.application_code),
            station_id=self.station_id,
            iuv_mode="ente" if self.iuv_mode == "ente" else "govpay",
            tipi_pendenza=frozenset(self.tipi_pendenza),
            entrate=dict(self.entrate),
            entrata_category=self.entrata_category,
            ibans=frozenset(self.ibans),
            unita_operative=frozenset(self.unita_operative),
        )

    def connectors(self) -> dict[str, Connector]:
        return {
            dominio: Connector(
                url, self.creditor_auth, self.creditor_username, self.creditor_password
            )
            for dominio, url in self.creditor_urls.items()
        }


def create_app(settings: Settings | None = None) -> Starlette:
    """The GovPay simulator app; ``app.state.simulator`` holds its state.

    Serve it with ``BackgroundServer(app, allowlist=app.state.connection_guard)`` so that a
    ``refuse``-mode allowlist (or ``ip-not-allowed-refuse`` chosen at start) resets TCP
    connections at accept.
    """
    settings = settings or Settings()
    sim = GovPaySimulator(settings)
    gate = Gate(sim.faults, Application(settings.id_a2a, settings.password, settings.api_key))
    pendenze = PendenzeApi(sim.store, gate)
    ragioneria = RagioneriaApi(
        sim.store, gate, sim.faults, settings.checkout_url, settings.send_redirect
    )
    station = station_mount(
        sim.station,
        "/pagopa/paForNode",
        id_broker_pa=settings.broker_id,
        id_station=settings.station_id,
    )

    async def status(request: Request) -> Response:
        return JSONResponse(sim.status())

    async def home(request: Request) -> Response:
        return RedirectResponse("/backoffice")

    routes: list[Any] = [
        *pendenze.routes(),
        *ragioneria.routes(),
        Route(station.path, StationFaults(station.app, gate), methods=["POST"], name="paForNode"),
        Route(
            "/backoffice",
            backoffice_endpoint(sim, f"GovPay simulator — {settings.ragione_sociale}"),
        ),
        Route("/status", status),
        Route("/", home),
        *admin_routes(sim),
        admin_mount(sim),
    ]
    allowlist = Allowlist(settings.allowed_networks, settings.allow_mode)
    middleware = [
        Middleware(AllowlistMiddleware, allowlist=allowlist),
        Middleware(RefuseMiddleware, faults=sim.faults, prefixes=("/govpay/", "/pagopa/")),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(sim.notifier.stop)  # no retries outlive the server

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.simulator = sim
    app.state.allowlist = allowlist
    app.state.connection_guard = RefuseGuard(sim.faults, allowlist)
    secret_source = (
        "from COLLAUDO_GOVPAY_PASSWORD"
        if os.environ.get("COLLAUDO_GOVPAY_PASSWORD")
        else "demo password sim-password"
    )
    notified = ", ".join(f"{d} -> {u}" for d, u in settings.creditor_urls.items())
    app.state.notes = [
        f"ente {settings.id_dominio} ({settings.ragione_sociale}), aux digit "
        f"{settings.aux_digit}, numero avviso assigned by {settings.iuv_mode}",
        f"applicazione {settings.id_a2a}: HTTP Basic ({secret_source}) under rs/basic, "
        "X-APP-ID/X-API-KEY under rs/apikey",
        f"API Ente v2 notifications: {notified or 'no creditor configured (annulled)'}",
    ]
    return app
