"""The whole stack in one process, on embedded defaults.

Platform sim, payment proxy (for one intermediary), MyPay, GPD and GovPay
simulators and the pagoPA Checkout + Nodo mock, each on its own loopback port but all in
one asyncio event loop, so the proxy and the platform share the in-process bus
exactly as they would share the ``payments`` Kafka topic.

The proxy is seeded through its own configuration API with DESIGN.md's demo
tenant (Comune di Bugliano) and three services, configured for the chosen
intermediary and pointing at the simulators. Simulator credentials are the
documented demo ones; they reach the proxy's drivers through environment
variables, as real secrets would.

Use :func:`running_stack` (tests, ``collaudo run``) or ``collaudo up``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
from starlette.types import ASGIApp

from adapters.api.app import create_app as create_proxy
from adapters.api.drivers import load_driver
from adapters.api.settings import ApiSettings
from adapters.core.bus import MemoryBus
from adapters.core.config import ServiceConfig, TenantConfig, creditor_config
from adapters.core.intermediary import Intermediary as IntermediaryDriver
from adapters.core.tls import default_tls
from adapters.drivers.govpay import GovPayDriver
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from collaudo import contract_stack
from collaudo.intermediaries import INTERMEDIARIES as INTERMEDIARIES
from collaudo.intermediaries import Intermediary as Intermediary
from simulators.checkout import app as checkout_sim
from simulators.common.server import (
    PortUnavailable,
    PromptServer,
    bind_socket,
    bound_port,
    connection_guard,
    make_config,
    serve,
)
from simulators.govpay import app as govpay_sim
from simulators.gpd import app as gpd_sim
from simulators.mypay import app as mypay_sim
from simulators.platform import app as platform_sim

T = TypeVar("T")

DEMO_TENANT_ID = uuid.UUID("60e35f02-1509-408c-b101-3b1a28109329")
DEMO_CREDITOR_FISCAL_CODE = "80000000002"
DEMO_IPA_CODE = "c_bugliano"
DEMO_IBAN = "IT60X0542811101000000123456"
DEMO_TAXONOMY = "9/0101108TS/"
SUOLO_PUBBLICO_ID = uuid.UUID("b21c4429-95e4-45d5-930f-44eb74136625")
CANONE_CUP_ID = uuid.UUID("a5a9bf9f-7b5c-4aed-b020-5bf2d1ca75ab")
RESIDENZA_ID = uuid.UUID("7d0c5a1e-2f4b-4c8e-9b3a-5e6f7a8b9c0d")

# Documented demo credentials of the simulators (DESIGN.md), handed over by name.
SIM_SECRETS = {
    "COLLAUDO_SIM_MYPAY_PASSWORD": "sim-password",
    "COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY": "sim-subscription-key",
    "COLLAUDO_SIM_GOVPAY_PASSWORD": "sim-password",
    # What the GovPay simulator presents to the proxy's API Ente when it notifies.
    "COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD": "sim-ente-password",
}
GOVPAY_ID_A2A = "A2A-COLLAUDO"  # the GovPay simulator's demo Applicazione
GOVPAY_ENTE_USERNAME = "govpay"
# A GovPay "minute" between notification retries, in seconds: short, so that a lost
# notification is retried within a scenario's time (GovPay waits n² minutes).
GOVPAY_RETRY_UNIT = 1.0

COMPONENTS = ("proxy", "platform", "mypay", "gpd", "checkout", "govpay")
SIMULATED_OUTSIDE = ("mypay", "gpd", "checkout", "govpay")  # absent on a live target
DEFAULT_PORTS = {
    "proxy": 8000,
    "platform": 8001,
    "mypay": 8010,
    "gpd": 8020,
    "checkout": 8030,
    "govpay": 8040,
}


@dataclass(frozen=True)
class DemoService:
    key: str  # how a target profile names it (collaudo.toml ``services.<key>``)
    id: uuid.UUID
    reason: str
    amount: Decimal
    payment_type: Literal["pagopa", "stamp"]
    tipo_dovuto: str


DEMO_SERVICES = (
    DemoService(
        "suolo_pubblico",
        SUOLO_PUBBLICO_ID,
        "Diritti di segreteria - occupazione suolo pubblico",
        Decimal("20.00"),
        "pagopa",
        "DIRITTI_SEGRETERIA",
    ),
    DemoService(
        "canone_cup",
        CANONE_CUP_ID,
        "Canone unico patrimoniale",
        Decimal("100.00"),
        "pagopa",
        "CANONE_CUP",
    ),
    DemoService(
        "residenza",
        RESIDENZA_ID,
        "Marca da bollo - istanza di residenza",
        Decimal("16.00"),
        "stamp",
        "MARCA_BOLLO_DIGITALE",
    ),
)


@dataclass
class StackOptions:
    intermediary: Intermediary | str = "mypay"  # any driver's name with ``contracts``
    host: str = "127.0.0.1"
    # Port per component; 0 picks a free one. Default: ephemeral everywhere.
    ports: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPONENTS, 0))
    data_dir: Path = Path(".collaudo")
    api_token: str | None = None
    faults: dict[str, list[str]] = field(default_factory=dict)
    # False on a live target: no MyPay/GPD/checkout simulators, the tenant's fields
    # (``tenant_overrides``) point the driver at the vendor's test environment.
    simulated: bool = True
    tenant_overrides: dict[str, Any] = field(default_factory=dict)
    service_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The driver's per-operation timeout in seconds (None: the driver's default, 7 s).
    operation_timeout: float | None = None
    # Wraps each component's ASGI app (e.g. to record exchanges); gets (component, app).
    wrap: Callable[[str, ASGIApp], ASGIApp] | None = None
    # The bus shared by the platform and the proxy (e.g. one that records messages).
    bus: MemoryBus | None = None
    # Binds a component's listening socket: (component, host, port) -> socket. Default:
    # ``host`` on this host; the connectivity scenarios bind the intermediary's simulator
    # inside another network namespace, at its own address (see :mod:`collaudo.net`).
    bind: Callable[[str, str, int], socket.socket] | None = None
    # Extra settings for a simulator (e.g. {"gpd": {"allowed_networks": [...]}}).
    simulator_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A generated driver's target: the contract simulator serves these documents instead of
    # the MyPay/GPD simulators (component "contract"); ``intermediary`` names the driver.
    contracts: tuple[str, ...] = ()


def _sim_secret(name: str) -> str:
    """A simulator's demo secret, or the value the environment gives it instead."""
    return os.environ.get(name) or SIM_SECRETS[name]


def _url_host(sock: socket.socket, default: str) -> str:
    """The address a socket listens on, for URLs (``default`` for a wildcard bind)."""
    address = str(sock.getsockname()[0])
    if address in ("0.0.0.0", "::", ""):
        return default
    return f"[{address}]" if ":" in address else address


class StackError(RuntimeError):
    """The stack could not start; the message says which part and what to do."""


class Stack:
    """The running components; ``urls`` and ``api_token`` once started."""

    def __init__(self, options: StackOptions) -> None:
        if options.intermediary not in INTERMEDIARIES and not options.contracts:
            raise StackError(
                f"unknown intermediary {options.intermediary!r}: choose one of "
                f"{', '.join(INTERMEDIARIES)}"
            )
        self.options = options
        self.api_token = options.api_token or secrets.token_urlsafe(24)
        self.components = tuple(
            name for name in COMPONENTS if options.simulated or name not in SIMULATED_OUTSIDE
        )
        if options.contracts:
            self.components = contract_stack.components(self.components, options.simulated)
        # Bound now, served on at start: no other process can take a port in between.
        self._sockets: dict[str, socket.socket] = {}
        bind = options.bind or (lambda name, host, port: bind_socket(host, port))
        try:
            for name in self.components:
                self._sockets[name] = bind(name, options.host, options.ports.get(name) or 0)
        except PortUnavailable as exc:
            self._close_sockets()
            raise StackError(f"the {name} component: {exc}") from exc
        self.ports = {name: bound_port(sock) for name, sock in self._sockets.items()}
        self.urls = {
            name: f"http://{_url_host(self._sockets[name], options.host)}:{port}"
            for name, port in self.ports.items()
        }
        if options.contracts and "contract" in self.urls:  # steps address it by driver name
            self.urls[options.intermediary] = self.urls["contract"]
            self.ports[options.intermediary] = self.ports["contract"]
        self.bus = options.bus if options.bus is not None else MemoryBus()
        self.apps: dict[str, ASGIApp] = {}
        self.served: dict[str, ASGIApp] = {}
        self.intermediary: IntermediaryDriver | None = None
        self._servers: list[PromptServer] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._served_by: dict[str, tuple[PromptServer, asyncio.Task[None]]] = {}

    # -- wiring -------------------------------------------------------------------------

    def _build(self) -> None:
        if self.options.simulated:
            self._build_simulators()
        self._build_platform_and_proxy()
        wrap = self.options.wrap
        # ``apps`` keeps the components themselves (their ``state``); ``served`` what listens.
        self.served = {
            name: wrap(name, app) if wrap is not None else app for name, app in self.apps.items()
        }

    def _build_simulators(self) -> None:
        opts, urls = self.options, self.urls
        faults = opts.faults
        if opts.contracts:
            self.apps.update(contract_stack.simulators(opts, urls, self.ports))
            return
        station = urls[opts.intermediary]
        self.apps["mypay"] = mypay_sim.create_app(
            mypay_sim.Settings(
                host=opts.host,
                port=self.ports["mypay"],
                public_url=urls["mypay"],
                checkout_url=urls["checkout"],
                faults=list(faults.get("mypay", [])),
                **opts.simulator_settings.get("mypay", {}),
            )
        )
        self.apps["gpd"] = gpd_sim.create_app(
            gpd_sim.Settings(
                host=opts.host,
                port=self.ports["gpd"],
                faults=list(faults.get("gpd", [])),
                **opts.simulator_settings.get("gpd", {}),
            )
        )
        self.apps["govpay"] = govpay_sim.create_app(
            govpay_sim.Settings(
                host=opts.host,
                port=self.ports["govpay"],
                id_a2a=GOVPAY_ID_A2A,
                password=_sim_secret("COLLAUDO_SIM_GOVPAY_PASSWORD"),
                checkout_url=urls["checkout"],
                creditor_urls={DEMO_CREDITOR_FISCAL_CODE: f"{urls['proxy']}/govpay/ente/v2"},
                creditor_auth="basic",
                creditor_username=GOVPAY_ENTE_USERNAME,
                creditor_password=_sim_secret("COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD"),
                notification_retry_unit=GOVPAY_RETRY_UNIT,
                faults=list(faults.get("govpay", [])),
                **opts.simulator_settings.get("govpay", {}),
            )
        )
        self.apps["checkout"] = checkout_sim.create_app(
            checkout_sim.Settings(
                host=opts.host,
                port=self.ports["checkout"],
                public_url=urls["checkout"],
                stations={DEMO_CREDITOR_FISCAL_CODE: f"{station}/pagopa/paForNode"},
                faults=list(faults.get("checkout", [])),
            )
        )

    def _build_platform_and_proxy(self) -> None:
        opts, urls = self.options, self.urls
        self.apps["platform"] = platform_sim.create_app(
            platform_sim.Settings(
                host=opts.host, port=self.ports["platform"], public_url=urls["platform"]
            ),
            publisher=self.bus,
            source=self.bus.subscribe("payments", "collaudo-platform-sim"),
        )
        db = opts.data_dir / f"stack-{opts.intermediary}.sqlite3"
        # The simulators start empty each time, so the proxy does too.
        for stale in db.parent.glob(db.name + "*"):
            stale.unlink()
        opts.data_dir.mkdir(parents=True, exist_ok=True)
        if opts.simulated:
            for name, value in SIM_SECRETS.items():
                os.environ.setdefault(name, value)
        self.intermediary = self._driver()
        self.apps["proxy"] = self._proxy_app(db)

    def _proxy_app(self, db: Path) -> ASGIApp:
        opts = self.options
        return create_proxy(
            ApiSettings(
                api_token=self.api_token,
                db_path=db,
                public_url=self.urls["proxy"],
                intermediary=opts.intermediary,
            ),
            driver=load_driver(opts.intermediary),
            intermediary=self.intermediary,
            bus=self.bus,
        )

    def _driver(self) -> IntermediaryDriver:
        timeout = self.options.operation_timeout
        kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        if self.options.contracts:
            return contract_stack.driver(self.options.intermediary, timeout)
        if self.options.intermediary == "mypay":
            return MyPayDriver(**kwargs)
        if self.options.intermediary == "govpay":
            return GovPayDriver(**kwargs)
        return GpdDriver(**kwargs)

    def tenant_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": str(DEMO_TENANT_ID),
            "name": "Comune di Bugliano",
            "tax_identification_number": DEMO_CREDITOR_FISCAL_CODE,
        }
        if not self.options.simulated:
            return body | self.options.tenant_overrides
        if self.options.contracts:
            body |= contract_stack.tenant_fields(self.options.intermediary, self.urls["contract"])
        elif self.options.intermediary == "mypay":
            body |= {
                "mypay_wsdl_url": f"{self.urls['mypay']}/ws/pa?wsdl",
                "mypay_codice_ipa": DEMO_IPA_CODE,
                "mypay_password_env": "COLLAUDO_SIM_MYPAY_PASSWORD",
                "mypay_segregation_code": "01",
            }
        elif self.options.intermediary == "govpay":
            body |= {
                "govpay_base_url": f"{self.urls['govpay']}/govpay/backend/api/pendenze/rs/basic/v2",
                "govpay_id_a2a": GOVPAY_ID_A2A,
                "govpay_auth": "basic",
                "govpay_password_env": "COLLAUDO_SIM_GOVPAY_PASSWORD",
                "govpay_iuv_mode": "govpay",
                "govpay_payment_mode": "checkout",
                "checkout_base_url": f"{self.urls['checkout']}/checkout/ec/v1",
                "govpay_receipt_source": "pendenze",
                "govpay_receipt_format": "xml",
                "govpay_ente_auth": "basic",
                "govpay_ente_username": GOVPAY_ENTE_USERNAME,
                "govpay_ente_password_env": "COLLAUDO_SIM_GOVPAY_ENTE_PASSWORD",
            }
        else:
            body |= {
                "gpd_base_url": f"{self.urls['gpd']}/gpd/debt-positions-service/v1",
                "gpd_receipts_url": f"{self.urls['gpd']}/gpd/payments-receipts-service/v1",
                "checkout_base_url": f"{self.urls['checkout']}/checkout/ec/v1",
                "gpd_subscription_key_env": "COLLAUDO_SIM_GPD_SUBSCRIPTION_KEY",
                "gpd_segregation_code": "01",
            }
        return body | self.options.tenant_overrides

    def service_body(self, service: DemoService) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": str(service.id),
            "tenant_id": str(DEMO_TENANT_ID),
            "payment_type": service.payment_type,
            "remote_collection": {"id": str(service.id), "type": "service"},
            "amount": float(service.amount),
            "reason": service.reason,
            "expire_at": 90,
            "collection_data": DEMO_TAXONOMY,
        }
        if self.options.contracts:
            body |= contract_stack.service_fields(self.options.intermediary)
        elif self.options.intermediary == "mypay":
            body["mypay_codice_tipo_dovuto"] = service.tipo_dovuto
        elif self.options.intermediary == "govpay":
            body["govpay_id_tipo_pendenza"] = service.tipo_dovuto
            if service.payment_type == "pagopa":
                # An entrata configured in GovPay: its IBAN and taxonomy come from there.
                body["govpay_cod_entrata"] = service.tipo_dovuto
        else:
            body["gpd_iban"] = DEMO_IBAN
        return body | self.options.service_overrides.get(service.key, {})

    async def _seed(self) -> None:
        headers = {"Authorization": f"Bearer {self.api_token}"}
        # The shared TLS context: httpx would load the CA bundle again (~40 ms) for each stack.
        client = httpx.AsyncClient(
            base_url=self.urls["proxy"], headers=headers, verify=default_tls()
        )
        async with client as http:
            tenant = await self._upsert(http, "tenants", self.tenant_body())
            for service in DEMO_SERVICES:
                body = await self._upsert(http, "services", self.service_body(service))
        await self._warm_up(tenant, body)

    async def _warm_up(self, tenant: dict[str, Any], service: dict[str, Any]) -> None:
        """Load MyPay's WSDL now: a bad URL shows at start, and later faults strike only
        the operations (the driver loads the WSDL once)."""
        if isinstance(self.intermediary, MyPayDriver):
            creditor = creditor_config(
                TenantConfig.model_validate(tenant), ServiceConfig.model_validate(service)
            )
            try:
                await self.intermediary.preload(creditor)
            except Exception as exc:
                raise StackError(f"the MyPay WSDL could not be loaded: {exc}") from exc

    @staticmethod
    async def _upsert(http: httpx.AsyncClient, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await http.post(f"/{kind}", json=body)
        if response.status_code == 409:
            response = await http.put(f"/{kind}/{body['id']}", json=body)
        if response.status_code >= 300:
            raise StackError(
                f"seeding the proxy's {kind} failed: HTTP {response.status_code} {response.text}"
            )
        stored: dict[str, Any] = response.json()
        return stored

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        self._build()
        for name in ("mypay", "gpd", "govpay", "contract", "checkout", "platform", "proxy"):
            if name in self.apps:
                await self._serve(name)
        await self._seed()

    async def _serve(self, name: str) -> None:
        app = self.apps[name]
        allowlist = connection_guard(app)  # checked at TCP accept (refuse faults too)
        server = PromptServer(  # stops at once when asked (a stack per network scenario)
            make_config(self.served[name], self.options.host, self.ports[name], allowlist)
        )
        task = asyncio.create_task(serve(server, self._sockets[name]), name=f"serve-{name}")
        self._servers.append(server)
        self._tasks.append(task)
        self._served_by[name] = (server, task)
        while not server.started:
            if task.done():
                await self.stop()
                raise StackError(
                    f"the {name} component could not start on {self.urls[name]}: "
                    f"{task.exception() if not task.cancelled() else 'cancelled'}"
                )
            await asyncio.sleep(0.01)

    async def restart_proxy(self) -> None:
        """Stop the proxy as a deploy does (its runtime finishes the work in hand) and start
        a new one on the same store file, bus and port: unfinished work resumes there."""
        server, task = self._served_by["proxy"]
        server.exit()
        await asyncio.wait([task], timeout=30)
        self._servers.remove(server)
        self._tasks.remove(task)
        self._sockets["proxy"] = bind_socket(self.options.host, self.ports["proxy"])
        db = self.options.data_dir / f"stack-{self.options.intermediary}.sqlite3"
        self.apps["proxy"] = app = self._proxy_app(db)
        wrap = self.options.wrap
        self.served["proxy"] = wrap("proxy", app) if wrap is not None else app
        await self._serve("proxy")

    async def stop(self) -> None:
        for server in reversed(self._servers):
            server.exit()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=20)
        self._servers.clear()
        self._tasks.clear()
        self._close_sockets()

    def _close_sockets(self) -> None:
        """Close the bound sockets (a served one is closed already; closing is idempotent)."""
        for sock in self._sockets.values():
            sock.close()

    def describe(self) -> list[tuple[str, str]]:
        """(what, URL) lines for a person."""
        u = self.urls
        if not self.options.simulated:
            return [
                ("citizen page (platform / Area Personale)", u["platform"] + "/"),
                (f"payment proxy ({self.options.intermediary}, live)", u["proxy"] + "/docs"),
            ]
        if self.options.contracts:
            return [
                ("citizen page (platform / Area Personale)", u["platform"] + "/"),
                (f"payment proxy ({self.options.intermediary})", u["proxy"] + "/docs"),
                ("contract simulator", u["contract"] + "/status"),
                ("pagoPA Checkout + Nodo mock", u["checkout"] + "/checkout/ec/v1/carts"),
            ]
        lines = [
            ("citizen page (platform / Area Personale)", u["platform"] + "/"),
            (f"payment proxy ({self.options.intermediary})", u["proxy"] + "/docs"),
            ("MyPay simulator (SOAP)", u["mypay"] + "/ws/pa?wsdl"),
            ("MyPay backoffice", u["mypay"] + "/backoffice"),
            ("GPD simulator (REST)", u["gpd"] + "/gpd/debt-positions-service/v1"),
            ("GPD backoffice", u["gpd"] + "/backoffice"),
            ("GovPay simulator (REST)", u["govpay"] + "/govpay/backend/api/pendenze/rs/basic/v2"),
            ("GovPay backoffice", u["govpay"] + "/backoffice"),
            ("pagoPA Checkout + Nodo mock", u["checkout"] + "/checkout/ec/v1/carts"),
        ]
        if self.options.intermediary == "govpay":  # where GovPay pushes its receipts
            ente = u["proxy"] + "/govpay/ente/v2"
            lines.insert(2, ("proxy's API Ente v2 (GovPay notifies it)", ente))
        return lines


class StackThread:
    """A :class:`Stack` served from a background thread's event loop."""

    def __init__(self, options: StackOptions) -> None:
        self.stack = Stack(options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self, timeout: float = 60) -> Stack:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self.stack.start(), self._loop)
        try:
            future.result(timeout)
        except BaseException:
            self.stop()
            raise
        return self.stack

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        """Run ``coro`` on the stack's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self.stack.stop(), self._loop).result(30)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.stack._close_sockets()  # the loop never ran: nothing served on them


@contextlib.contextmanager
def running_stack(options: StackOptions | None = None) -> Iterator[Stack]:
    runner = StackThread(options or StackOptions())
    stack = runner.start()
    try:
        yield stack
    finally:
        runner.stop()


def remove_data(options: StackOptions) -> None:
    shutil.rmtree(options.data_dir, ignore_errors=True)
