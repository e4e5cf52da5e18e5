"""Assembling the GPD simulator: settings (demo data by default) and the Starlette app.

Routes:
- ``/gpd/debt-positions-service/v1/...`` and ``/gpd/payments-receipts-service/v1/...``:
  the GPD REST APIs, behind ``Ocp-Apim-Subscription-Key``;
- ``/pagopa/paForNode``: the creditor's station called by the Nodo mock;
- ``/backoffice`` (HTML), ``/status``, ``/_admin/`` (faults, reset, positions), ``/metrics``
  (Prometheus: requests and latency per route, faults injected, positions): no key.

Environment variables (read by ``collaudo sim gpd``, see :mod:`simulators.common.env`;
prefix ``COLLAUDO_GPD_`` + a :class:`Settings` field; flags win over variables):

- ``COLLAUDO_GPD_SUBSCRIPTION_KEY``: a secret, environment only: the
  ``Ocp-Apim-Subscription-Key`` the APIs require (default: the documented demo key). Read
  whenever a :class:`Settings` is built.
- ``COLLAUDO_GPD_HOST``, ``COLLAUDO_GPD_PORT``, ``COLLAUDO_GPD_ORGANIZATIONS``,
  ``COLLAUDO_GPD_COMPANY_NAME``, ``COLLAUDO_GPD_SEGREGATION_CODES``,
  ``COLLAUDO_GPD_VERIFY_CHECK_DIGIT``, ``COLLAUDO_GPD_BROKER_ID``, ``COLLAUDO_GPD_STATION_ID``,
  ``COLLAUDO_GPD_FAULTS``, ``COLLAUDO_GPD_ALLOWED_NETWORKS``, ``COLLAUDO_GPD_ALLOW_MODE``: the
  fields of the same names (lists comma-separated).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simulators.common import contracts
from simulators.common.access import Allowlist, AllowlistMiddleware, AllowMode
from simulators.common.admin import admin_mount
from simulators.common.checks import fault_specs, networks, port_number
from simulators.common.env import setting
from simulators.common.faults import FaultSpec, FaultState
from simulators.common.metrics import MetricsMiddleware, SimulatorMetrics, metrics_route
from simulators.common.refuse import RefuseGuard, RefuseMiddleware
from simulators.common.station import station_mount
from simulators.gpd.api import GpdApi
from simulators.gpd.backoffice import backoffice_endpoint
from simulators.gpd.gate import Gate, StationFaults
from simulators.gpd.hot import GpdApp, HotGet
from simulators.gpd.station import GpdStation
from simulators.gpd.store import GpdStore

DEMO_ORGANIZATION = "80000000002"
ENV_PREFIX = "COLLAUDO_GPD_"


def _subscription_key() -> str:
    # A real deployment sets its own key in the environment; the demo key is documented.
    return os.environ.get("COLLAUDO_GPD_SUBSCRIPTION_KEY", "sim-subscription-key")


@dataclass
class Settings:
    """The simulator's world; every default is the demo data of DESIGN.md."""

    host: str = field(default="127.0.0.1", metadata=setting("address to listen on"))
    port: int = field(default=8020, metadata=setting("port", check=port_number))
    subscription_key: str = field(
        default_factory=_subscription_key, metadata=setting("the APIs' key", secret=True)
    )
    # Creditors the subscription key is enabled for (empty: any).
    organizations: tuple[str, ...] = (DEMO_ORGANIZATION,)
    company_name: str = "Comune di Bugliano"
    # IUVs must start with one of these (aux digit 3); empty accepts any.
    segregation_codes: tuple[str, ...] = ("01",)
    verify_check_digit: bool = True
    # paForNode identity checked on the Nodo's requests (None: not checked).
    broker_id: str | None = DEMO_ORGANIZATION
    station_id: str | None = f"{DEMO_ORGANIZATION}_01"
    faults: list[str] = field(
        default_factory=list, metadata=setting("fault profiles", check=fault_specs("gpd"))
    )
    allowed_networks: list[str] = field(
        default_factory=list, metadata=setting("networks allowed in", check=networks)
    )
    allow_mode: AllowMode = field(default="403", metadata=setting("403 or refuse"))


class GpdSimulator:
    """The simulator's state, as the admin API sees it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.gpd_faults = FaultState("gpd")
        self.faults: FaultState = self.gpd_faults  # what the admin API switches
        for spec in settings.faults:
            parsed = FaultSpec.parse(spec)
            self.faults.activate(parsed.name, rate=parsed.rate, seed=parsed.seed)
        self.store = GpdStore(
            settings.segregation_codes, verify_check_digit=settings.verify_check_digit
        )
        self.station = GpdStation(
            self.store,
            broker_id=settings.broker_id or DEMO_ORGANIZATION,
            station_id=settings.station_id or f"{DEMO_ORGANIZATION}_01",
        )

    def reset(self) -> None:
        self.store.reset()

    def positions(self) -> list[dict[str, Any]]:
        return self.store.positions()

    def status(self) -> dict[str, Any]:
        return {
            "simulator": "gpd",
            "status": "UP",
            "organizations": list(self.settings.organizations),
            "positions": len(self.store.entries),
            "receipts": len(self.store.receipts),
            "faults": self.faults.to_list(),
            "contracts": contracts.facts("simulator:gpd"),
        }


def create_app(settings: Settings | None = None) -> Starlette:
    """The GPD simulator app; ``app.state.simulator`` holds its state.

    Serve it with ``BackgroundServer(app, allowlist=app.state.connection_guard)`` so that a
    ``refuse``-mode allowlist (or ``ip-not-allowed-refuse`` chosen at start) resets TCP
    connections at accept; the guard stays disabled otherwise.
    """
    settings = settings or Settings()
    contracts.announce("simulator:gpd")
    sim = GpdSimulator(settings)
    gate = Gate(sim.gpd_faults, settings.subscription_key)
    api = GpdApi(sim.store, gate, settings.organizations)
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

    metrics = SimulatorMetrics(
        "gpd",
        [sim.gpd_faults],
        lambda: {"positions": len(sim.store.entries), "receipts": len(sim.store.receipts)},
    )
    routes: list[Any] = [
        metrics_route(metrics),
        *api.routes(),
        Route(station.path, StationFaults(station.app, gate), methods=["POST"], name="paForNode"),
        Route(
            "/backoffice",
            backoffice_endpoint(sim.store, f"GPD simulator — {settings.company_name}"),
        ),
        Route("/status", status),
        Route("/", home),
        admin_mount(sim),
    ]
    allowlist = Allowlist(settings.allowed_networks, settings.allow_mode)
    middleware = [
        Middleware(MetricsMiddleware, metrics=metrics),
        Middleware(AllowlistMiddleware, allowlist=allowlist),
        Middleware(RefuseMiddleware, faults=sim.gpd_faults, prefixes=("/gpd/", "/pagopa/")),
    ]
    app = GpdApp(routes=routes, middleware=middleware)
    app.hot = HotGet(api, settings.subscription_key, sim.gpd_faults, allowlist, metrics)
    app.state.simulator = sim
    app.state.metrics = metrics
    app.state.allowlist = allowlist
    app.state.connection_guard = RefuseGuard(sim.gpd_faults, allowlist)
    key_source = (
        "from COLLAUDO_GPD_SUBSCRIPTION_KEY"
        if "COLLAUDO_GPD_SUBSCRIPTION_KEY" in os.environ
        else "demo key sim-subscription-key"
    )
    app.state.notes = [
        f"creditors: {', '.join(settings.organizations) or 'any'} ({settings.company_name}), "
        f"segregation codes {', '.join(settings.segregation_codes) or 'any'}",
        f"Ocp-Apim-Subscription-Key: {key_source}",
    ]
    return app
