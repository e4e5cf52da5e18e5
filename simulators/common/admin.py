"""The JSON admin API every simulator mounts under ``/_admin/``.

``GET faults`` · ``PUT faults/{name}`` (body ``{"rate": 0.5, "seed": 1, ...params}``) ·
``DELETE faults`` · ``DELETE faults/{name}`` · ``POST reset`` · ``GET positions``.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

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

    return Mount(
        "/_admin",
        routes=[
            Route("/faults", list_faults, methods=["GET"]),
            Route("/faults", clear_faults, methods=["DELETE"]),
            Route("/faults/{name}", put_fault, methods=["PUT"]),
            Route("/faults/{name}", delete_fault, methods=["DELETE"]),
            Route("/reset", reset, methods=["POST"]),
            Route("/positions", positions, methods=["GET"]),
        ],
    )
