"""The contract simulator's own admin routes, beside the common ones
(:mod:`simulators.common.admin`: faults, reset, positions):

``GET/POST/DELETE /_admin/state`` list, seed, reset the remembered state ·
``GET /_admin/violations`` (``DELETE`` clears) · ``GET /_admin/answers``,
``PUT/DELETE /_admin/answers/{operation}`` an answer set by hand ·
``GET/PUT /_admin/allowlist``.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.common.access import Allowlist
from simulators.common.admin import problem
from simulators.contractsim.state import ManualAnswer, State


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"body is not JSON: {exc}") from exc


def admin_routes(state: State, allowlist: Allowlist, operations: list[str]) -> list[Route]:
    known = set(operations)

    async def list_state(request: Request) -> Response:
        return JSONResponse(state.listing())

    async def seed_state(request: Request) -> Response:
        try:
            body = await _json_body(request)
        except ValueError as exc:
            return problem(400, "Bad Request", str(exc))
        entries = body if isinstance(body, list) else [body]
        seeded = 0
        with state.lock:
            for entry in entries:
                if (
                    isinstance(entry, dict)
                    and isinstance(entry.get("path"), str)
                    and "resource" in entry
                ):
                    state.resources[entry["path"].rstrip("/")] = entry["resource"]
                elif isinstance(entry, dict) and isinstance(entry.get("record"), dict):
                    state.records.append({str(k): str(v) for k, v in entry["record"].items()})
                else:
                    return problem(
                        422,
                        "Invalid seed",
                        'each entry is {"path": "/items/1", "resource": {...}} (REST, the path '
                        'under the contract\'s base path) or {"record": {"field": "value"}} (SOAP)',
                    )
                seeded += 1
            state.changed()
        return JSONResponse({"seeded": seeded}, status_code=201)

    async def reset_state(request: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    async def violations(request: Request) -> Response:
        return JSONResponse([v.to_dict() for v in list(state.violations)])

    async def clear_violations(request: Request) -> Response:
        state.violations.clear()
        return Response(status_code=204)

    async def list_answers(request: Request) -> Response:
        return JSONResponse(
            {name: {"status": a.status, "body": a.body, "headers": a.headers, "times": a.times}
             for name, a in state.answers.items()}
        )  # fmt: skip

    async def put_answer(request: Request) -> Response:
        name = request.path_params["operation"]
        if name not in known:
            return problem(
                404,
                "Unknown operation",
                f"{name!r} is not an operation of the contract; known: {', '.join(sorted(known))}",
            )
        try:
            body = await _json_body(request)
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            status = int(body.get("status", 200))
            headers = {str(k): str(v) for k, v in (body.get("headers") or {}).items()}
            times = body.get("times")
            answer = ManualAnswer(
                status, body.get("body"), headers, int(times) if times is not None else None
            )
        except (ValueError, TypeError, AttributeError) as exc:
            return problem(
                422,
                "Invalid answer",
                f'{exc}; send {{"status": 200, "body": ..., "headers": {{}}, "times": 1}}',
            )
        with state.lock:
            state.answers[name] = answer
        return JSONResponse({"operation": name, "status": status}, status_code=200)

    async def delete_answer(request: Request) -> Response:
        with state.lock:
            state.answers.pop(request.path_params["operation"], None)
        return Response(status_code=204)

    async def get_allowlist(request: Request) -> Response:
        return JSONResponse(allowlist.to_dict())

    async def put_allowlist(request: Request) -> Response:
        try:
            body = await _json_body(request)
            networks = [
                ipaddress.ip_network(str(n), strict=False) for n in body.get("networks", [])
            ]
            mode = body.get("mode", allowlist.mode)
            if mode not in ("403", "refuse"):
                raise ValueError("mode is 403 or refuse")
        except (ValueError, AttributeError) as exc:
            return problem(
                422,
                "Invalid allowlist",
                f'{exc}; send {{"networks": ["10.0.0.0/8"], "mode": "403"}}',
            )
        allowlist.networks = networks
        allowlist.mode = mode
        return JSONResponse(allowlist.to_dict())

    return [
        Route("/_admin/state", list_state, methods=["GET"]),
        Route("/_admin/state", seed_state, methods=["POST"]),
        Route("/_admin/state", reset_state, methods=["DELETE"]),
        Route("/_admin/violations", violations, methods=["GET"]),
        Route("/_admin/violations", clear_violations, methods=["DELETE"]),
        Route("/_admin/answers", list_answers, methods=["GET"]),
        Route("/_admin/answers/{operation}", put_answer, methods=["PUT"]),
        Route("/_admin/answers/{operation}", delete_answer, methods=["DELETE"]),
        Route("/_admin/allowlist", get_allowlist, methods=["GET"]),
        Route("/_admin/allowlist", put_allowlist, methods=["PUT"]),
    ]
