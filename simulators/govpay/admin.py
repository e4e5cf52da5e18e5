"""The GovPay simulator's own ``/_admin/`` routes, beside the shared faults/reset/positions.

``GET notifications`` · ``POST notifications/settle[?timeout=10]`` (waits for due deliveries)
· ``GET creditors`` · ``PUT creditors/{idDominio}`` (``{"url", "auth": "none|basic|apikey",
"username", "password"}``) · ``DELETE creditors/{idDominio}`` · ``GET|PUT clock``
(``{"offset_days": n}``: GovPay's date moves, e.g. to read a pendenza as SCADUTA).
"""

from __future__ import annotations

import json
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.common.admin import problem
from simulators.common.checks import is_http_url
from simulators.govpay.notifier import Connector
from simulators.govpay.simulator import GovPaySimulator


def admin_routes(sim: GovPaySimulator) -> list[Route]:
    """The routes, to list before the shared ``admin_mount`` (it would shadow them)."""

    async def notifications(request: Request) -> Response:
        return JSONResponse(sim.notifications())

    async def settle(request: Request) -> Response:
        try:
            timeout = float(request.query_params.get("timeout", "10"))
        except ValueError:
            return problem(422, "Invalid timeout", "timeout is a number of seconds, e.g. 5")
        done = await run_in_threadpool(sim.notifier.settle, timeout)
        return JSONResponse({"settled": done, "notifications": sim.notifications()})

    async def creditors(request: Request) -> Response:
        return JSONResponse({d: c.public() for d, c in sim.connectors.items()})

    async def put_creditor(request: Request) -> Response:
        dominio = request.path_params["idDominio"]
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            return problem(400, "Bad Request", f"body is not JSON: {exc}")
        if not isinstance(body, dict) or not is_http_url(body.get("url")):
            return problem(
                422,
                "Invalid connector",
                'give {"url": "http://...", "auth": "none|basic|apikey", '
                '"username": ..., "password": ...}',
            )
        auth = body.get("auth", "basic" if body.get("username") else "none")
        if auth not in ("none", "basic", "apikey"):
            return problem(422, "Invalid connector", "auth must be none, basic or apikey")
        connector = Connector(body["url"], auth, body.get("username"), body.get("password"))
        sim.connectors[dominio] = connector
        return JSONResponse(connector.public())

    async def delete_creditor(request: Request) -> Response:
        sim.connectors.pop(request.path_params["idDominio"], None)
        return Response(status_code=204)

    async def clock(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = json.loads(await request.body() or b"{}")
                sim.clock.offset = timedelta(days=int(body["offset_days"]))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                return problem(422, "Invalid clock", 'give {"offset_days": N} (N may be negative)')
        now = sim.clock.now()
        return JSONResponse({"now": now.isoformat(), "offset_days": sim.clock.offset.days})

    return [
        Route("/_admin/notifications", notifications, methods=["GET"]),
        Route("/_admin/notifications/settle", settle, methods=["POST"]),
        Route("/_admin/creditors", creditors, methods=["GET"]),
        Route("/_admin/creditors/{idDominio}", put_creditor, methods=["PUT"]),
        Route("/_admin/creditors/{idDominio}", delete_creditor, methods=["DELETE"]),
        Route("/_admin/clock", clock, methods=["GET", "PUT"]),
    ]
