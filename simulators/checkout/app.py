"""The pagoPA Checkout + Nodo simulator as a Starlette app (default port 8030).

HTTP surface:

- ``POST /checkout/ec/v1/carts`` and ``/checkout/ec/v2/carts`` (``checkout_v1.json``,
  ``checkout_v2.json``): 302 with ``Location: {public_url}/c/{cartId}``; 400/422
  ProblemJson otherwise. With ``Settings.api_key`` set, the key must come in
  ``Ocp-Apim-Subscription-Key`` (or the ``subscription-key`` query parameter), else 401.
- ``GET /pay?fiscalCode=80000000002&noticeNumber=301000000000000017&amount=2000
  &returnUrl=https://ente.example/ritorno[&description=..][&companyName=..][&email=..]
  [&idCart=..]``: the direct entry for intermediaries that hand out their own payment
  URL. Creates a one-notice cart and answers 302 to its page. ``amount`` is in euro
  cents (as in the carts API) and optional: the creditor's verified amount is what the
  citizen pays. At the end the citizen goes back to ``returnUrl`` with
  ``esito=OK|KO|ANNULLATO`` and ``idCart`` added to its query string.
- the pages (see :mod:`simulators.checkout.flow` and :mod:`simulators.checkout.pages`).
- ``GET /status``; ``/_admin/`` (shared admin API: faults, reset, positions = the carts
  with their notices, payments and every station exchange) plus ``GET /_admin/stations``,
  ``PUT /_admin/stations/{fiscal_code}`` (body ``{"url": ...}``) and ``DELETE`` to change
  the creditor → paForNode station registry at run time; ``POST /_admin/reset`` puts back
  the stations it was started with.

Environment variables (read by ``collaudo sim checkout``, see :mod:`simulators.common.env`;
prefix ``COLLAUDO_CHECKOUT_`` + a :class:`Settings` field; flags win over variables):

- ``COLLAUDO_CHECKOUT_PUBLIC_URL``: base of the URLs handed to browsers (cart pages); default
  ``http://HOST:PORT`` (loopback for a wildcard host). Flag ``--public-url``.
- ``COLLAUDO_CHECKOUT_STATIONS``: the creditor → station registry, ``CF=URL,CF=URL`` (e.g.
  ``80000000002=http://mypay:8010/pagopa/paForNode``); default: the demo creditor at
  ``http://127.0.0.1:8010/pagopa/paForNode``. Flag ``--station CF=URL`` (repeatable).
- ``COLLAUDO_CHECKOUT_API_KEY``: a secret, environment only: the ``Ocp-Apim-Subscription-Key``
  ``POST /carts`` requires (unset: none).
- ``COLLAUDO_CHECKOUT_HOST``, ``COLLAUDO_CHECKOUT_PORT``, ``COLLAUDO_CHECKOUT_FAULTS``,
  ``COLLAUDO_CHECKOUT_PSP_ID``, ``COLLAUDO_CHECKOUT_PSP_FISCAL_CODE``,
  ``COLLAUDO_CHECKOUT_PSP_NAME``, ``COLLAUDO_CHECKOUT_CHANNEL_ID``,
  ``COLLAUDO_CHECKOUT_CHANNEL_DESCRIPTION``, ``COLLAUDO_CHECKOUT_FEE_CENTS``,
  ``COLLAUDO_CHECKOUT_STATION_TIMEOUT``, ``COLLAUDO_CHECKOUT_LATE_NOTIFICATION_DELAY``,
  ``COLLAUDO_CHECKOUT_RT_RETRY_DELAYS``, ``COLLAUDO_CHECKOUT_ALLOWLIST``,
  ``COLLAUDO_CHECKOUT_ALLOWLIST_MODE``: the fields of the same names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simulators.checkout.carts import CartProblem, parse_cart
from simulators.checkout.flow import Flow
from simulators.checkout.nodo import Nodo
from simulators.checkout.state import Cart, CheckoutState
from simulators.common import contracts
from simulators.common.access import Allowlist, AllowlistMiddleware
from simulators.common.admin import admin_mount, problem
from simulators.common.checks import (
    fault_specs,
    is_http_url,
    networks,
    one_of,
    port_number,
    station_map,
    url_setting,
)
from simulators.common.env import setting
from simulators.common.faults import FaultSpec
from simulators.common.metrics import MetricsMiddleware, SimulatorMetrics, metrics_route

DEMO_CREDITOR = "80000000002"  # Comune di Bugliano
DEFAULT_PORT = 8030
ENV_PREFIX = "COLLAUDO_CHECKOUT_"


@dataclass
class Settings:
    """Everything the checkout simulator can be told; defaults are the demo world."""

    host: str = field(default="127.0.0.1", metadata=setting("address to listen on"))
    port: int = field(default=DEFAULT_PORT, metadata=setting("port", check=port_number))
    # Base of the URLs handed out; default http://host:port.
    public_url: str | None = field(
        default=None, metadata=url_setting("base of the URLs handed to browsers")
    )
    stations: dict[str, str] = field(
        default_factory=lambda: {DEMO_CREDITOR: "http://127.0.0.1:8010/pagopa/paForNode"},
        metadata=setting("creditor = its paForNode station", check=station_map, form="CF=URL,..."),
    )
    faults: list[str] = field(  # "name[:rate[:seed]]"
        default_factory=list, metadata=setting("fault profiles", check=fault_specs("checkout"))
    )
    # Ocp-Apim-Subscription-Key required on POST /carts when set.
    api_key: str | None = field(
        default=None, metadata=setting("key POST /carts requires", secret=True)
    )
    psp_id: str = "70000000001"
    psp_fiscal_code: str = "70000000001"
    psp_name: str = "PSP Simulato Collaudo"
    channel_id: str = "70000000001_01"
    channel_description: str = "Checkout - carta di pagamento"
    fee_cents: int = field(default=100, metadata=setting("the PSP's fee, euro cents"))
    station_timeout: float = field(  # pagoPA's timeout towards stations
        default=7.0, metadata=setting("seconds the Nodo waits for a station")
    )
    late_notification_delay: float = field(  # late-notification's default delay (s)
        default=5.0, metadata=setting("seconds late-notification waits")
    )
    rt_retry_delays: tuple[float, ...] = field(  # paSendRTV2 re-sends
        default=(2.0, 10.0, 60.0), metadata=setting("seconds between paSendRTV2 re-sends")
    )
    allowlist: list[str] = field(  # CIDRs; empty = everyone
        default_factory=list, metadata=setting("networks allowed in", check=networks)
    )
    allowlist_mode: str = field(
        default="403", metadata=setting("403 or refuse", check=one_of("403", "refuse"))
    )

    @property
    def base_url(self) -> str:
        # A wildcard listen address is no place to send a browser: use loopback instead.
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::", ""} else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")


def _api_key_ok(request: Request, settings: Settings) -> bool:
    if settings.api_key is None:
        return True
    given = request.headers.get("ocp-apim-subscription-key") or request.query_params.get(
        "subscription-key"
    )
    return given == settings.api_key


def create_app(settings: Settings | None = None) -> Starlette:
    """The checkout simulator; its state is ``app.state.checkout`` (a CheckoutState)."""
    settings = settings or Settings()
    contracts.announce("simulator:checkout")
    state = CheckoutState(settings.stations)
    for text in settings.faults:
        spec = FaultSpec.parse(text)
        state.faults.activate(spec.name, rate=spec.rate, seed=spec.seed)
    nodo = Nodo(state, settings)
    flow = Flow(state, nodo, Decimal(settings.fee_cents) / 100)

    def redirect_to(cart: Cart) -> RedirectResponse:
        # broken-redirect: the URL handed out leads to a cart the checkout does not know.
        if state.faults.check("redirect") is not None:
            cart.broken = True
        return RedirectResponse(f"{settings.base_url}/c/{cart.id}", status_code=302)

    async def post_cart(request: Request) -> Response:
        version = int(request.path_params["version"])
        instance = str(request.url)  # checkout_v1.json: ProblemJson.instance is a URI
        if not _api_key_ok(request, settings):
            return JSONResponse(
                {"type": "about:blank", "title": "Unauthorized", "status": 401,
                 "detail": "missing or wrong Ocp-Apim-Subscription-Key", "instance": instance},
                status_code=401,
            )  # fmt: skip
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problem_ = CartProblem(400, "Formally invalid input", f"the body is not JSON: {exc}")
            return JSONResponse(problem_.to_problem(instance), status_code=400)
        try:
            cart_request = parse_cart(body, version)
        except CartProblem as exc:
            return JSONResponse(exc.to_problem(instance), status_code=exc.status)
        return redirect_to(state.add(Cart.from_request(cart_request, version)))

    async def pay(request: Request) -> Response:
        q = request.query_params
        body: dict[str, Any] = {
            "paymentNotices": [
                {
                    "noticeNumber": q.get("noticeNumber"),
                    "fiscalCode": q.get("fiscalCode"),
                    "amount": 1,
                    "companyName": q.get("companyName") or "Ente creditore",
                    "description": q.get("description") or "Pagamento avviso pagoPA",
                }
            ],
            "returnUrls": {
                "returnOkUrl": q.get("returnUrl"),
                "returnCancelUrl": q.get("returnUrl"),
                "returnErrorUrl": q.get("returnUrl"),
            },
        }
        if q.get("email"):
            body["emailNotice"] = q["email"]
        if q.get("idCart"):
            body["idCart"] = q["idCart"]
        raw_amount = q.get("amount")
        if raw_amount is not None:
            if not re.fullmatch(r"[1-9]\d*", raw_amount):
                detail = (
                    f"amount must be integer euro cents, e.g. 2000 for 20,00 €; got {raw_amount!r}"
                )
                return problem(400, "Formally invalid input", detail)
            body["paymentNotices"][0]["amount"] = int(raw_amount)
        try:
            cart_request = parse_cart(body, 1)
        except CartProblem as exc:
            detail = exc.detail.replace("paymentNotices[0].", "").replace(
                "returnUrls.returnOkUrl", "returnUrl"
            )
            return problem(exc.status, exc.title, detail)
        return redirect_to(state.add(Cart.from_request(cart_request, 1, direct=True)))

    async def status(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "simulator": "checkout",
                "base_url": settings.base_url,
                "carts": len(state.carts),
                "stations": state.stations,
                "faults": state.faults.to_list(),
                "contracts": contracts.facts("simulator:checkout"),
            }
        )

    async def list_stations(request: Request) -> Response:
        return JSONResponse(state.stations)

    async def put_station(request: Request) -> Response:
        fiscal_code = request.path_params["fiscal_code"]
        if not re.fullmatch(r"\d{11}", fiscal_code):
            return problem(422, "Invalid fiscal code", f"{fiscal_code!r} is not 11 digits")
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            return problem(400, "Bad Request", f"body is not JSON: {exc}")
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not is_http_url(url):
            detail = 'body must be {"url": "http(s)://host:port/pagopa/paForNode"}'
            return problem(422, "Invalid station", detail)
        state.stations[fiscal_code] = url
        return JSONResponse({"fiscal_code": fiscal_code, "url": url})

    async def delete_station(request: Request) -> Response:
        state.stations.pop(request.path_params["fiscal_code"], None)
        return Response(status_code=204)

    metrics = SimulatorMetrics(
        "checkout",
        [state.faults],
        lambda: {"carts": len(state.carts), "stations": len(state.stations)},
    )
    routes = [
        metrics_route(metrics),
        Route("/status", status),
        Route("/checkout/ec/v{version:int}/carts", post_cart, methods=["POST"]),
        Route("/pay", pay),
        Route("/c/{cart_id}", flow.cart, methods=["GET", "POST"]),
        Route("/c/{cart_id}/scegli-metodo", flow.method, methods=["GET", "POST"]),
        Route("/c/{cart_id}/inserisci-carta", flow.card, methods=["GET", "POST"]),
        Route("/c/{cart_id}/riepilogo-pagamento", flow.summary),
        Route("/c/{cart_id}/conferma", flow.confirm, methods=["POST"]),
        Route("/c/{cart_id}/esito", flow.outcome),
        Route("/c/{cart_id}/ritorno", flow.back),
        Route("/c/{cart_id}/annulla", flow.cancel, methods=["POST"]),
        Route("/_admin/stations", list_stations),
        Route("/_admin/stations/{fiscal_code}", put_station, methods=["PUT"]),
        Route("/_admin/stations/{fiscal_code}", delete_station, methods=["DELETE"]),
        admin_mount(state),
    ]
    allowlist = Allowlist(
        settings.allowlist, "refuse" if settings.allowlist_mode == "refuse" else "403"
    )
    middleware = [
        Middleware(MetricsMiddleware, metrics=metrics),
        Middleware(AllowlistMiddleware, allowlist=allowlist),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    app.state.checkout = state
    app.state.metrics = metrics
    app.state.settings = settings
    # Lines for whoever starts the simulator to read (the CLI prints them).
    app.state.notes = [f"URLs for browsers: {settings.base_url}"] + [
        f"station of {fiscal_code}: {url}" for fiscal_code, url in settings.stations.items()
    ]
    return app
