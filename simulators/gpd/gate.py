"""What stands in front of every GPD call: APIM's subscription key and the fault profiles.

Real GPD sits behind Azure API Management, so the answers to a missing or wrong
``Ocp-Apim-Subscription-Key`` are APIM's (``{"statusCode": 401, "message": ...}``).
Fault profiles strike here too, so that handlers stay plain and fast: with no fault
active, a call costs one dict lookup and one string comparison more than the handler.

How each GPD fault shows:
- ``ip-not-allowed-403``: APIM's 403;
- ``ip-not-allowed-refuse``: the connection drops in the middle of the answer (the
  client gets a transport error; in-process the request raises ``ConnectionResetError``).
  Active from the start, or with a ``refuse``-mode allowlist, serving the app with
  ``allowlist=app.state.connection_guard`` resets connections at TCP accept instead;
- ``expired-credentials``: the valid key is refused with APIM's invalid-key 401;
- ``slow-response`` / ``timeout``: the answer waits ``delay`` seconds (3 / 16 default);
- ``creation-error``, ``status-error``, ``receipt-download-failure``: a 500 ProblemJson
  on create, on get/list, on the receipts API;
- ``malformed-json``: the body is cut in half (no longer valid JSON);
- ``notice-download-failure``, ``broken-redirect``: GPD has neither a notice nor a
  redirect (the notice is printed by the driver, the redirect is Checkout's), so they
  are accepted and change nothing.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.common.faults import FaultState

Handler = Callable[[Request], Awaitable[Response]]

MISSING_KEY = (
    "Access denied due to missing subscription key. Make sure to include subscription key "
    "when making requests to an API."
)
INVALID_KEY = (
    "Access denied due to invalid subscription key. Make sure to provide a valid key for an "
    "active subscription."
)
DEFAULT_DELAYS = {"slow-response": 3.0, "timeout": 16.0}
# operation kind -> (fault that breaks it, ProblemJson title)
FAILURES = {
    "create": ("creation-error", "The debt position creation is failed"),
    "status": ("status-error", "Service unavailable"),
    "receipt": ("receipt-download-failure", "The receipt recovery is failed"),
}


def apim_error(status: int, message: str) -> Response:
    body = json.dumps({"statusCode": status, "message": message}).encode()
    return Response(body, status_code=status, media_type="application/json")


def problem(status: int, title: str, detail: str, request_id: str | None = None) -> Response:
    """The spec's ``ProblemJson``."""
    body = json.dumps({"title": title, "status": status, "detail": detail}).encode()
    headers = {"X-Request-Id": request_id} if request_id else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class Gate:
    """Wraps handlers with the subscription-key check and the fault profiles."""

    def __init__(self, faults: FaultState, subscription_key: str) -> None:
        self.faults = faults
        self.subscription_key = subscription_key

    def _credentials(self, request: Request) -> Response | None:
        key = request.headers.get("ocp-apim-subscription-key") or request.query_params.get(
            "subscription-key"
        )
        if not key:
            return apim_error(401, MISSING_KEY)
        if key != self.subscription_key:
            return apim_error(401, INVALID_KEY)
        return None

    async def connect_faults(self, request: Request) -> Response | None:
        """Access faults and delays, shared by the REST API and the station side."""
        faults = self.faults
        if faults.fires("ip-not-allowed-403"):
            client = request.client.host if request.client else "unknown"
            return apim_error(403, f"Forbidden: source address {client} is not allow-listed")
        for name, default in DEFAULT_DELAYS.items():
            fault = faults.fires(name)
            if fault is not None:
                await asyncio.sleep(float(fault.params.get("delay", default)))
        return None

    def api(self, handler: Handler, kind: str | None = None) -> Handler:
        """``handler`` behind the key check and the faults for its ``kind`` of operation."""
        faults = self.faults

        async def endpoint(request: Request) -> Response:
            request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
            denied = self._credentials(request)
            if faults.any_active:
                denied = await self._faulted(request, kind, denied)
            if denied is not None:
                denied.headers["X-Request-Id"] = request_id
                return denied
            response = await handler(request)
            response.headers["X-Request-Id"] = request_id
            if faults.any_active and faults.fires("malformed-json"):
                response = _mangled(response)
            return response

        return endpoint

    async def _faulted(
        self, request: Request, kind: str | None, denied: Response | None
    ) -> Response | None:
        blocked = await self.connect_faults(request)
        if blocked is not None:
            return blocked
        if denied is not None:
            return denied
        if self.faults.fires("expired-credentials"):
            return apim_error(401, INVALID_KEY)
        if kind in FAILURES:
            name, title = FAILURES[kind]
            if self.faults.fires(name):
                return problem(500, title, f"simulated fault {name}: try again later")
        return None


def _mangled(response: Response) -> Response:
    body: Any = response.body
    cut = bytes(body[: max(1, len(body) // 2)])
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(cut, status_code=response.status_code, headers=headers)


class StationFaults:
    """ASGI wrapper applying access faults and delays to the paForNode station route."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gate.faults.any_active:
            blocked = await self.gate.connect_faults(Request(scope, receive))
            if blocked is not None:
                await blocked(scope, receive, send)
                return
        await self.app(scope, receive, send)
