"""The hot paths: ``GET`` and creation of a debt position, in front of Starlette.

The status check is what a proxy sends most (every pending payment, every poll), so
its common case skips Starlette's middleware stack, routing, ``Request`` and
``Response``: the headers are read once from the scope and the answer is the position's
cached JSON (rendered once, dropped by the store on every change). Anything else goes to
Starlette, which gives every other answer exactly as before: another operation, a query
string, a missing or wrong subscription key, an organization the key is not enabled for,
an unknown IUPD (404), a fault profile active, an allowlist set, a ``root_path``. The
answer here is the one Starlette gives, byte for byte: same status, body and headers in
the same order (``content-length``, ``content-type``, ``x-request-id``), and it is counted
in ``/metrics`` under the same operation.

Creation (an import creates thousands) skips the middleware stack and the routing only:
under the same conditions (no fault, no allowlist, no ``root_path``) the request goes
straight to the very endpoint the route serves (key check, faults, handler), which
answers every case, errors included, as through Starlette.
"""

from __future__ import annotations

import time
import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from simulators.common.access import Allowlist
from simulators.common.faults import FaultState
from simulators.common.metrics import SimulatorMetrics
from simulators.gpd.api import DEBT_POSITIONS, GpdApi

PREFIX = DEBT_POSITIONS + "/organizations/"
#: The operation ``/metrics`` counts it under: the route template, as Starlette names it.
OPERATION = f"GET {DEBT_POSITIONS}/organizations/{{organizationfiscalcode}}/debtpositions/{{iupd}}"
CREATE = f"POST {DEBT_POSITIONS}/organizations/{{organizationfiscalcode}}/debtpositions"
_JSON = b"application/json"
Header = tuple[bytes, bytes]


class HotGet:
    """``getOrganizationDebtPositionByIUPD`` when nothing unusual is going on."""

    def __init__(
        self,
        api: GpdApi,
        subscription_key: str,
        faults: FaultState,
        allowlist: Allowlist,
        metrics: SimulatorMetrics,
    ) -> None:
        self.api = api
        self.key = subscription_key
        self.faults = faults
        self.allowlist = allowlist
        self.metrics = metrics
        # The endpoint the create route serves, composed as GpdApi.routes composes it.
        self.create = api.gate.api(api.safe(api.create), "create")

    def target(self, scope: Scope) -> tuple[str, str] | None:
        """(organization, IUPD) for a plain GET of one position, (organization, "") for a
        creation; None for what Starlette answers."""
        if (
            scope["type"] != "http"
            or scope.get("root_path")
            or self.faults.any_active
            or self.allowlist.enabled
        ):
            return None
        path: str = scope["path"]
        if not path.startswith(PREFIX):
            return None
        parts = path[len(PREFIX) :].split("/")
        if not parts[0] or parts[1:2] != ["debtpositions"]:
            return None
        method = scope["method"]
        if len(parts) == 2 and method == "POST":
            return parts[0], ""
        if len(parts) != 3 or method != "GET" or scope["query_string"] or not parts[2]:
            return None
        return parts[0], parts[2]

    def answer(self, scope: Scope, org: str, iupd: str) -> tuple[list[Header], bytes] | None:
        """The answer's headers and body; None when Starlette is to answer."""
        key = request_id = None
        for name, value in scope["headers"]:
            if name == b"ocp-apim-subscription-key":
                if key is None:
                    key = value
            elif name == b"x-request-id" and request_id is None:
                request_id = value
        if not key or key.decode("latin-1") != self.key:
            return None  # APIM's 401, from the gate
        organizations = self.api.organizations
        if organizations and org not in organizations:
            return None  # APIM's 403
        store = self.api.store
        entry = store.entries.get((org, iupd))
        if entry is None:
            return None  # the ProblemJson 404
        store.refresh(entry)
        body = self.api.rendered(entry)
        headers = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", _JSON),
            (b"x-request-id", request_id or uuid.uuid4().hex.encode()),
        ]
        return headers, body


class GpdApp(Starlette):
    """The Starlette app with :class:`HotGet` in front of it."""

    hot: HotGet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        hot = self.hot
        target = hot.target(scope)
        if target is not None and not target[1]:
            await self._create(scope, receive, send, target[0], started)
            return
        answer = None if target is None else hot.answer(scope, *target)
        if answer is None:
            await super().__call__(scope, receive, send)
            return
        try:
            await send({"type": "http.response.start", "status": 200, "headers": answer[0]})
            await send({"type": "http.response.body", "body": answer[1]})
        finally:
            hot.metrics.observe(OPERATION, 200, time.perf_counter() - started)

    async def _create(
        self, scope: Scope, receive: Receive, send: Send, org: str, started: float
    ) -> None:
        scope["app"] = self
        scope["path_params"] = {"organizationfiscalcode": org}
        status = 500  # as the metrics middleware counts an endpoint that raised
        try:
            response = await self.hot.create(Request(scope, receive, send))
            status = response.status_code
            await response(scope, receive, send)
        finally:
            self.hot.metrics.observe(CREATE, status, time.perf_counter() - started)
