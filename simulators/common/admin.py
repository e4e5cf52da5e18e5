"""The JSON admin API every simulator mounts under ``/_admin/``.

``GET faults`` · ``PUT faults/{name}`` (body ``{"rate": 0.5, "seed": 1, ...params}``) ·
``DELETE faults`` · ``DELETE faults/{name}`` · ``POST reset`` · ``GET positions`` ·
``GET allowlist`` · ``PUT allowlist`` (body ``{"networks": [...], "mode": "refuse"|"403"}``)
· ``POST allowlist`` (body ``{"network": "198.51.100.7/32"}``: the vendor authorises one
more address, the "sblocco IP", effective on the next connection).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from simulators.common.access import Allowlist
from simulators.common.faults import FaultState, UnknownFault, available


class AdminTarget(Protocol):
    """What a simulator exposes to its admin API."""

    faults: FaultState

    def reset(self) -> None: ...

    def positions(self) -> list[dict[str, Any]]: ...


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"status": status, "title": title, "detail": detail}, status_code=status)


def admin_mount(target: AdminTarget) -> Mount:
    async def list_faults(request: Request) -> Response:
        return JSONResponse(
            {
                "active": target.faults.to_list(),
                "available": [
                    {"name": cls.name, "description": cls.description, "points": sorted(cls.points)}
                    for cls in available(target.faults.simulator)
                ],
            }
        )

    async def put_fault(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            return problem(400, "Bad Request", f"body is not JSON: {exc}")
        if not isinstance(body, dict):
            return problem(400, "Bad Request", "body must be a JSON object")
        params = dict(body)
        try:
            rate = float(params.pop("rate", 1.0))
            seed = int(params.pop("seed", 0))
            fault = target.faults.activate(name, rate=rate, seed=seed, **params)
        except UnknownFault as exc:
            return problem(404, "Unknown fault", str(exc))
        except (TypeError, ValueError) as exc:
            return problem(422, "Invalid fault settings", str(exc))
        return JSONResponse(fault.to_dict())

    async def delete_fault(request: Request) -> Response:
        target.faults.deactivate(request.path_params["name"])
        return Response(status_code=204)

    async def clear_faults(request: Request) -> Response:
        target.faults.clear()
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        target.reset()
        return Response(status_code=204)

    async def positions(request: Request) -> Response:
        return JSONResponse(target.positions())

    routes = [
        Route("/faults", list_faults, methods=["GET"]),
        Route("/faults", clear_faults, methods=["DELETE"]),
        Route("/faults/{name}", put_fault, methods=["PUT"]),
        Route("/faults/{name}", delete_fault, methods=["DELETE"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/positions", positions, methods=["GET"]),
    ]
    return Mount("/_admin", routes=[*routes, *allowlist_routes()])


def _allowlist(request: Request) -> Allowlist | None:
    found = getattr(request.app.state, "allowlist", None)
    return found if isinstance(found, Allowlist) else None


def _networks(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError('networks must be a list of CIDR strings, e.g. ["198.51.100.7/32"]')
    Allowlist(values)  # validates each one
    return list(values)


def allowlist_routes() -> list[Route]:
    """``/allowlist``: read and change the IP allowlist the simulator enforces (in refuse
    mode, at TCP accept; in 403 mode, per request). A simulator started without a
    ``refuse`` allowlist keeps its HTTP protocol: switching to ``refuse`` later answers 409."""

    async def read(request: Request) -> Response:
        allowlist = _allowlist(request)
        if allowlist is None:
            return problem(404, "No allowlist", "this simulator has no IP allowlist")
        return JSONResponse(allowlist.to_dict())

    async def change(request: Request) -> Response:
        allowlist = _allowlist(request)
        if allowlist is None:
            return problem(404, "No allowlist", "this simulator has no IP allowlist")
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            if request.method == "POST":
                added = _networks([body.get("network")])
                networks = [str(n) for n in allowlist.networks] + added
                mode = allowlist.mode
            else:
                networks = _networks(body.get("networks", []))
                mode = body.get("mode", allowlist.mode)
                if mode not in ("refuse", "403"):
                    raise ValueError("mode must be 'refuse' or '403'")
        except (json.JSONDecodeError, ValueError) as exc:
            return problem(422, "Invalid allowlist", str(exc))
        if mode == "refuse" and allowlist.mode != "refuse":
            return problem(
                409,
                "Restart needed",
                "a refuse-mode allowlist acts at TCP accept and must be set when the simulator "
                "starts (--allowlist-mode refuse); 403 mode can be switched on at any time",
            )
        replaced = Allowlist(networks, mode)
        allowlist.networks, allowlist.mode = replaced.networks, replaced.mode
        return JSONResponse(allowlist.to_dict())

    return [
        Route("/allowlist", read, methods=["GET"]),
        Route("/allowlist", change, methods=["PUT", "POST"]),
    ]
