"""Several contracts of one intermediary served as one simulator (the ``contract`` component
of a ``simulator = "contract"`` target, and a generated driver's conformance tests).

Each document gets its own contract simulator (:mod:`simulators.contractsim`); a request goes
to the one whose base path (and, when base paths coincide, whose operations) fit its path.
The admin API is shared: a change (faults, reset) reaches every document's simulator, and
``GET /_admin/positions`` lists them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from starlette.types import Receive, Scope, Send

from adapters.core.config import DriverSpec
from adapters.core.intermediary import Intermediary as IntermediaryDriver


class ContractsApp:
    """An ASGI app dispatching to one contract simulator per document."""

    def __init__(self, apps: Sequence[Any]) -> None:
        if not apps:
            raise ValueError("no contract to serve")
        self.apps = list(apps)
        self.state = self.apps[0].state  # for connection_guard and the stack's introspection

    def simulators(self) -> list[Any]:
        return [app.simulator for app in self.apps]

    def _for_path(self, method: str, path: str) -> Any:
        fitting = [
            app
            for app in self.apps
            if not app.base or path == app.base or path.startswith(app.base + "/")
        ]
        for app in fitting:
            rel = path[len(app.base) :] or "/"
            found, _, known = (
                app.simulator.contract.find(method, rel)
                if app.simulator.kind == "openapi"
                else (None, {}, True)
            )
            if found is not None or known:
                return app
        return max(fitting, key=lambda a: len(a.base)) if fitting else self.apps[0]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.apps[0](scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if path.startswith("/_admin/") and method != "GET":
            await self._broadcast(scope, receive, send)
            return
        if path == "/_admin/positions":
            await self._positions(send)
            return
        await self._for_path(method, path)(scope, receive, send)

    async def _broadcast(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every simulator gets the admin change; the first one's answer is returned."""
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        for index, app in enumerate(self.apps):
            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def discard(message: dict[str, Any]) -> None:
                return None

            await app(scope, replay, send if index == 0 else discard)

    async def _positions(self, send: Send) -> None:
        listed: list[Any] = []
        for sim in self.simulators():
            listed += sim.positions()
        body = json.dumps(listed).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def contracts_app(
    locations: Sequence[str], *, host: str = "127.0.0.1", port: int = 0, faults: Sequence[str] = ()
) -> ContractsApp:
    """The simulators of ``locations`` (paths or URLs of one intermediary's documents)."""
    # Imported here: the contract simulator brings jsonschema, YAML and zeep (~0.1 CPU-s), and
    # collaudo.stack imports this module for every stack, most of which serve no contract.
    from simulators.contractsim import app as contractsim

    apps = [
        contractsim.create_app(
            contractsim.Settings(contract=location, host=host, port=port, faults=list(faults))
        )
        for location in locations
    ]
    return ContractsApp(apps)


def base_paths(app: ContractsApp) -> list[str]:
    """Each document's base path, in the order given."""
    return [str(a.base) for a in app.apps]


# -- the stack's side: a target whose driver was generated from a contract -------------------

#: The value the stack gives every secret a generated driver names (the contract simulator
#: checks that credentials are sent, not what they are).
SIM_SECRET = "sim-contract-secret"


def components(present: tuple[str, ...], simulated: bool) -> tuple[str, ...]:
    """The stack's components with the contract simulator instead of the intermediaries'
    own simulators (MyPay's, GPD's, GovPay's)."""
    kept = tuple(name for name in present if name not in ("mypay", "gpd", "govpay"))
    return (*kept, "contract") if simulated else kept


def simulators(options: Any, urls: dict[str, str], ports: dict[str, int]) -> dict[str, Any]:
    """The contract simulator (component ``contract``) and the checkout + Nodo mock."""
    from simulators.checkout import app as checkout_sim

    faults = options.faults
    return {
        "contract": contracts_app(
            options.contracts,
            host=options.host,
            port=ports["contract"],
            faults=list(faults.get("contract", [])),
        ),
        "checkout": checkout_sim.create_app(
            checkout_sim.Settings(
                host=options.host,
                port=ports["checkout"],
                public_url=urls["checkout"],
                stations={},  # a contract simulator has no paForNode station
                faults=list(faults.get("checkout", [])),
            )
        ),
    }


def _spec(name: str) -> DriverSpec:
    from adapters.api.drivers import load_driver

    return load_driver(name)


def driver(name: str, timeout: float | None) -> IntermediaryDriver:
    """The generated driver ``name``, its secrets set to the simulator's value."""
    spec = _spec(name)
    # A secret the contract constrains (a SOAP password's length) gets the generator's value.
    chosen = dict(spec.extra.get("simulated_secrets", {}))
    for field in spec.fields:
        if field.kind == "env" and field.default:
            os.environ.setdefault(field.default, str(chosen.get(field.default, SIM_SECRET)))
    made: IntermediaryDriver = spec.factory()
    if timeout is not None and hasattr(made, "timeout"):
        made.timeout = timeout
    return made


def tenant_fields(name: str, contract_url: str) -> dict[str, Any]:
    """The tenant's driver fields: each document's URL at the simulator, the values the
    generator found valid for the contract, the secrets' variable names."""
    extra = _spec(name).extra
    fields: dict[str, Any] = {
        key: contract_url + base for key, base in dict(extra.get("url_fields", {})).items()
    }
    secrets = {f.key: f.default for f in _spec(name).fields if f.kind == "env" and f.default}
    return fields | secrets | dict(extra.get("simulated", {}).get("tenant", {}))


def service_fields(name: str) -> dict[str, Any]:
    return dict(_spec(name).extra.get("simulated", {}).get("service", {}))
