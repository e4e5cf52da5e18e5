"""What stands in front of every GovPay call: authentication, fault profiles and the
``X-Govpay-IdTransazione`` header every answer carries (errors included).

The path segment after ``/rs/`` chooses the authentication, as in GovPay: ``basic``
(HTTP Basic, ``WWW-Authenticate: Basic`` on a 401) or ``apikey`` (``X-APP-ID`` +
``X-API-KEY``). The authenticated principal is the GovPay "applicazione", whose code is
the ``idA2A`` of the paths.

How each fault shows here:
- ``ip-not-allowed-403``: 403 AUTORIZZAZIONE; ``ip-not-allowed-refuse``: the connection
  drops (at TCP accept when served with ``app.state.connection_guard``, else mid-answer);
- ``expired-credentials``: valid credentials get the 401;
- ``slow-response`` / ``timeout``: the answer waits ``delay`` seconds (3 / 16 default);
- ``creation-error`` (PUT), ``status-error`` (GET/PATCH pendenze), ``notice-download-failure``
  (avvisi), ``receipt-download-failure`` (rt, ricevute): 500 INTERNO;
- ``malformed-json``: the body is cut in half.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.common.faults import FaultState
from simulators.govpay.errors import (
    GovPayError,
    forbidden,
    internal,
    not_found,
    unauthenticated,
)

Handler = Callable[[Request], Awaitable[Response]]
AuthMode = Literal["basic", "apikey"]
HEADER = "X-Govpay-IdTransazione"
DEFAULT_DELAYS = {"slow-response": 3.0, "timeout": 16.0}
FAILURES = {
    "create": "creation-error",
    "status": "status-error",
    "notice": "notice-download-failure",
    "receipt": "receipt-download-failure",
}


@dataclass(frozen=True)
class Application:
    """The GovPay applicazione the clients authenticate as."""

    id_a2a: str
    password: str
    api_key: str


class Gate:
    """Wraps handlers with authentication, faults and the transaction header."""

    def __init__(self, faults: FaultState, application: Application) -> None:
        self.faults = faults
        self.application = application

    def principal(self, request: Request, mode: AuthMode) -> str | None:
        """The authenticated idA2A, or None."""
        app = self.application
        if mode == "apikey":
            app_id = request.headers.get("x-app-id", "")
            key = request.headers.get("x-api-key", "")
            ok = app_id == app.id_a2a and secrets.compare_digest(key, app.api_key)
            return app.id_a2a if ok else None
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        ok = user == app.id_a2a and secrets.compare_digest(password, app.password)
        return app.id_a2a if ok else None

    def api(self, handler: Handler, kind: str | None = None) -> Handler:
        """``handler`` behind the credentials of its base path and the faults of its kind."""

        async def endpoint(request: Request) -> Response:
            transaction = uuid.uuid4().hex
            try:
                response = await self._guarded(request, handler, kind)
            except GovPayError as exc:
                response = exc.response()
            response.headers[HEADER] = transaction
            if self.faults.any_active and self.faults.fires("malformed-json"):
                response = _mangled(response)
            return response

        return endpoint

    async def _guarded(self, request: Request, handler: Handler, kind: str | None) -> Response:
        faults = self.faults
        if faults.any_active:
            await self.connect_faults(request)
        auth = request.path_params.get("auth", "basic")
        if auth not in ("basic", "apikey"):
            raise not_found(f"autenticazione '{auth}' non abilitata: usare basic o apikey")
        mode: AuthMode = "apikey" if auth == "apikey" else "basic"
        principal = self.principal(request, mode)
        if principal is None or (faults.any_active and faults.fires("expired-credentials")):
            error = unauthenticated()
            headers = {"WWW-Authenticate": 'Basic realm="GovPay"'} if mode == "basic" else None
            return error.response(headers)
        request.state.principal = principal
        if faults.any_active and kind in FAILURES and faults.fires(FAILURES[kind]):
            raise internal(f"simulated fault {FAILURES[kind]}: riprovare piu' tardi")
        return await handler(request)

    async def connect_faults(self, request: Request) -> None:
        """Access faults and delays, shared by the APIs and the station side."""
        if self.faults.fires("ip-not-allowed-403"):
            client = request.client.host if request.client else "unknown"
            raise forbidden(f"indirizzo {client} non abilitato (allowlist)")
        for name, default in DEFAULT_DELAYS.items():
            fault = self.faults.fires(name)
            if fault is not None:
                await asyncio.sleep(float(fault.params.get("delay", default)))


def _mangled(response: Response) -> Response:
    body: Any = response.body
    cut = bytes(body[: max(1, len(body) // 2)])
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(cut, status_code=response.status_code, headers=headers)


class StationFaults:
    """ASGI wrapper applying the access faults and delays to the paForNode route."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gate.faults.any_active:
            try:
                await self.gate.connect_faults(Request(scope, receive))
            except GovPayError as exc:
                await exc.response()(scope, receive, send)
                return
        await self.app(scope, receive, send)
