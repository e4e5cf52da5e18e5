"""Assembling the contract simulator: ``collaudo sim contract FILE|URL [--port P]``.

Routes: the contract's operations under its own base path (the path of the WSDL's
``soap:address``, or of the first OpenAPI server URL); the WSDL at ``<base>?wsdl`` (its
address rewritten to where it is served, each imported file at ``<base>?xsd=N``) or the
OpenAPI document at ``/openapi.json``; ``/status``; ``/_admin/`` (faults, reset, positions
as every simulator, plus state, violations, answers, allowlist: see :mod:`.admin`).

Environment variables (prefix ``COLLAUDO_CONTRACT_`` + a :class:`Settings` field; flags win):
``COLLAUDO_CONTRACT_CONTRACT``, ``_HOST``, ``_PORT``, ``_PUBLIC_URL``, ``_FAULTS``,
``_ALLOWED_NETWORKS``, ``_ALLOW_MODE``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from simulators.common.access import Allowlist, AllowlistMiddleware, AllowMode, forbidden_body
from simulators.common.admin import admin_mount
from simulators.common.checks import fault_specs, networks, port_number
from simulators.common.env import setting
from simulators.common.faults import FaultSpec, FaultState
from simulators.common.refuse import RefuseGuard
from simulators.contractsim.admin import admin_routes
from simulators.contractsim.load import load
from simulators.contractsim.openapi import RestContract
from simulators.contractsim.rest import RestEngine
from simulators.contractsim.source import ContractUnreadable
from simulators.contractsim.state import State
from simulators.contractsim.wire import BodyTooLarge, Incoming, Outgoing, read

ENV_PREFIX = "COLLAUDO_CONTRACT_"
# What ``collaudo sim contract`` reports as a bad contract rather than a crash.
LOAD_ERRORS = (ContractUnreadable, ValueError)
# The simulator's own paths; everything else is the contract's.
OWN_PATHS = ("/_admin/", "/status", "/openapi.json")


@dataclass
class Settings:
    """What to serve and where."""

    contract: str = field(default="", metadata=setting("the contract: a path or an http(s) URL"))
    host: str = field(default="127.0.0.1", metadata=setting("address to listen on"))
    port: int = field(default=8050, metadata=setting("port", check=port_number))
    public_url: str | None = field(
        default=None, metadata=setting("base URL written in the served WSDL", form="URL")
    )
    faults: list[str] = field(
        default_factory=list, metadata=setting("fault profiles", check=fault_specs("contract"))
    )
    allowed_networks: list[str] = field(
        default_factory=list, metadata=setting("networks allowed in", check=networks)
    )
    allow_mode: AllowMode = field(default="403", metadata=setting("403 or refuse"))


class ContractSimulator:
    """The simulator's state, as the admin API sees it."""

    def __init__(self, settings: Settings, contract: Any) -> None:
        self.settings = settings
        self.contract = contract
        self.faults = FaultState("contract")
        for spec in settings.faults:
            parsed = FaultSpec.parse(spec)
            self.faults.activate(parsed.name, rate=parsed.rate, seed=parsed.seed)
        self.state = State()
        self.engine: Any
        if isinstance(contract, RestContract):
            self.engine = RestEngine(contract, self.state, self.faults)
            self.kind = "openapi"
        else:
            from simulators.contractsim.soap import SoapEngine

            self.engine = SoapEngine(contract, self.state, self.faults, settings.public_url)
            self.kind = "wsdl"

    @property
    def operation_names(self) -> list[str]:
        return [op.name for op in self.contract.operations]

    def reset(self) -> None:
        self.state.reset()

    def positions(self) -> list[dict[str, Any]]:
        listing = self.state.listing()
        return [*listing["resources"], *({"record": r} for r in listing["records"])]

    def status(self) -> dict[str, Any]:
        return {
            "simulator": "contract",
            "status": "UP",
            "contract": self.contract.file,
            "kind": self.kind,
            "title": self.contract.title,
            "base_path": self.contract.base_path or "/",
            "operations": self.operation_names,
            "resources": len(self.state.resources),
            "records": len(self.state.records),
            "violations": len(self.state.violations),
            "workarounds": [w.to_dict() for w in self.contract.workarounds],
            "faults": self.faults.to_list(),
        }


class ContractApp(Starlette):
    """The contract's paths served straight from ASGI (:mod:`.wire`); the simulator's own
    (admin, status, the OpenAPI document) through Starlette's routes and middleware."""

    simulator: ContractSimulator
    allowlist: Allowlist
    base: str

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(OWN_PATHS):
            await super().__call__(scope, receive, send)
            return
        client = scope.get("client")
        host = client[0] if client else None
        allowlist = self.allowlist
        if allowlist.enabled and allowlist.mode == "403" and not allowlist.allows(host):
            await Outgoing(403, forbidden_body(host), "application/json").send(send)
            return
        faults = self.simulator.faults
        if faults.any_active and faults.fires("ip-not-allowed-refuse"):
            # No content-length: the client waits for a body that never completes.
            await send({"type": "http.response.start", "status": 200, "headers": []})
            raise ConnectionResetError("ip-not-allowed-refuse: the connection is dropped")
        try:
            incoming = await read(scope, receive)
        except BodyTooLarge as exc:
            await _problem(413, "Payload Too Large", str(exc)).send(send)
            return
        await (await self.serve(incoming)).send(send)

    async def serve(self, request: Incoming) -> Outgoing:
        sim, base, path = self.simulator, self.base, request.path
        if sim.kind == "wsdl" and request.method == "GET":
            served: Outgoing = await sim.engine.document(request)
            return served
        if base and not (path == base or path.startswith(base + "/")):
            return _problem(
                404, "Not Found", f"{path} is outside the contract, served under {base}"
            )
        answer: Outgoing = await sim.engine.handle(request, path[len(base) :] or "/")
        return answer


def _problem(status: int, title: str, detail: str) -> Outgoing:
    body = json.dumps({"status": status, "title": title, "detail": detail}).encode()
    return Outgoing(status, body, "application/problem+json")


def create_app(settings: Settings | None = None, contract: Any = None) -> Starlette:
    """The simulator of ``settings.contract`` (or of an already loaded ``contract``);
    ``app.state.simulator`` holds its state. Loading errors raise
    :class:`simulators.contractsim.source.ContractUnreadable` with what to do."""
    settings = settings or Settings()
    if contract is None:
        if not settings.contract:
            raise ValueError(
                "no contract given: name a WSDL, OpenAPI or Postman file or URL "
                "(collaudo sim contract FILE|URL, or COLLAUDO_CONTRACT_CONTRACT)"
            )
        contract = load(settings.contract)
    sim = ContractSimulator(settings, contract)
    base = contract.base_path.rstrip("/")

    async def status(request: Request) -> Response:
        return JSONResponse(sim.status())

    async def openapi(request: Request) -> Response:
        return JSONResponse(contract.document)

    allowlist = Allowlist(settings.allowed_networks, settings.allow_mode)
    routes: list[Any] = [
        *admin_routes(sim.state, allowlist, sim.operation_names),
        admin_mount(sim),
        Route("/status", status),
    ]
    if sim.kind == "openapi":
        routes.append(Route("/openapi.json", openapi))
    app = ContractApp(
        routes=routes, middleware=[Middleware(AllowlistMiddleware, allowlist=allowlist)]
    )
    app.simulator = sim
    app.allowlist = allowlist
    app.base = base
    app.state.simulator = sim
    app.state.allowlist = allowlist
    app.state.connection_guard = RefuseGuard(sim.faults, allowlist)
    app.state.paths = [
        (f"{len(contract.operations)} operations", base or "/"),
        ("WSDL", f"{base}?wsdl") if sim.kind == "wsdl" else ("OpenAPI", "/openapi.json"),
        ("status", "/status"),
        ("admin: state", "/_admin/state"),
        ("admin: violations", "/_admin/violations"),
    ]
    app.state.notes = [
        f"contract: {contract.file} ({contract.title}, {sim.kind})",
        *(f"contract defect worked around: {w}" for w in contract.workarounds),
    ]
    return app
