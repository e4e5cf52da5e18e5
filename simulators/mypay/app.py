"""Assembling the MyPay simulator: the SOAP endpoint, notices, station, backoffice, admin.

Why lxml and not a SOAP framework's object models (spyne): the bar is wire compatibility
with the official ``pa-per-ente.wsdl``, whose inline schemas leave ``elementFormDefault``
unset (so every child of the ``ppt:`` wrappers is unqualified, while the header
``ppthead:intestazionePPT`` lives in another namespace and the base64 documents are
qualified), whose types use ``complexContent`` extensions of ``risposta`` and whose ``ppt``
schema references ``ppthead`` types without importing them. Models generating the WSDL
would be one more copy of the contract, placed one step away from what is compared. So the
simulator serves a WSDL file itself at ``/ws/pa?wsdl`` (read at run time, only
``soap:address`` rewritten): the official one, or where that is absent collaudo's built-in
one (``simulators/common/builtin_contracts/mypay/``, proved equivalent for the implemented
operations by ``tests/contracts``), and dispatches with lxml, validating each request body
against that WSDL's own schemas (compiled once). It is also much cheaper per request than an
object mapping.

Routes: ``POST /ws/pa`` (SOAP 1.1), ``GET /ws/pa?wsdl`` (+ the XSDs it imports),
``GET /avvisi/{iuv}.pdf``, ``POST /pagopa/paForNode`` (station, called by the Nodo mock),
``GET /backoffice``, ``GET /status``, ``/_admin/`` (faults, reset, positions), ``GET /metrics``
(Prometheus: requests and latency per pa-per-ente operation, faults injected, state sizes).

Environment variables (read by ``collaudo sim mypay``, see :mod:`simulators.common.env`;
prefix ``COLLAUDO_MYPAY_`` + a :class:`Settings` field; flags win over variables):

- ``COLLAUDO_MYPAY_CHECKOUT_URL``: the checkout/Nodo mock where the payment URL sends the
  citizen (a browser URL); default ``http://127.0.0.1:8030``. Flag ``--checkout-url``.
- ``COLLAUDO_MYPAY_PUBLIC_URL``: this simulator's base URL in the WSDL address, notice and
  return URLs; default: the URL each request came on. Flag ``--public-url``.
- ``COLLAUDO_MYPAY_PASSWORD``: a secret, environment only: the demo creditor's SIL password
  (default: the documented demo password). Read whenever the default creditors are built.
- ``COLLAUDO_MYPAY_HOST``, ``COLLAUDO_MYPAY_PORT``, ``COLLAUDO_MYPAY_FAULTS``,
  ``COLLAUDO_MYPAY_ALLOWLIST``, ``COLLAUDO_MYPAY_ALLOWLIST_MODE``,
  ``COLLAUDO_MYPAY_MAX_BODY_BYTES``, ``COLLAUDO_MYPAY_VALIDATE``,
  ``COLLAUDO_MYPAY_DUPLICATE_IUD``, ``COLLAUDO_MYPAY_PAGATI_DOUBLE_BASE64``,
  ``COLLAUDO_MYPAY_NOTICE_IN_CREATE``: the fields of the same names. ``creditors`` has no
  text form.
"""

from __future__ import annotations

import asyncio
from html import escape
from typing import Any

from lxml import etree
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from simulators.common import contracts as official
from simulators.common.access import Allowlist, AllowlistMiddleware, forbidden_body, reset
from simulators.common.admin import admin_mount
from simulators.common.faults import FaultSpec, FaultState
from simulators.common.metrics import (
    MetricsMiddleware,
    SimulatorMetrics,
    metrics_route,
    route_operation,
)
from simulators.common.station import station_mount
from simulators.mypay import backoffice, contracts
from simulators.mypay.avvisi import notice_pdf
from simulators.mypay.context import Context
from simulators.mypay.model import Creditor, Exchange, Position
from simulators.mypay.operations import dispatch
from simulators.mypay.settings import ENV_EXTRA, ENV_PREFIX, Settings
from simulators.mypay.soap import (
    NOT_IMPLEMENTED,
    OPERATIONS,
    PPT,
    SoapFault,
    envelope,
    fault_envelope,
    parse_request,
)
from simulators.mypay.station import MyPayStation
from simulators.mypay.store import Store, now

__all__ = ["ENV_EXTRA", "ENV_PREFIX", "Creditor", "MyPaySimulator", "Settings", "create_app"]

XML = "text/xml; charset=utf-8"
XML_BYTES = XML.encode()
SOAP_PATHS = ("/ws/pa", "/ws/pa/")
WRONG_NAMESPACE = "http://www.regione.veneto.it/pagamenti/ente/v2/"
DEFAULT_DELAYS = {"slow-response": 3.0, "timeout": 16.0}
# What missing-element removes from each answer: the element a client cannot do without.
KEY_ELEMENT = {
    "paaSILImportaDovuto": "identificativoUnivocoVersamento",
    "paaSILInviaDovuti": "url",
    "paaSILVerificaAvviso": "url",
    "paaSILChiediPagati": "pagati",
    "paaSILChiediPagatiConRicevuta": "rt",
    "paaSILChiediPosizioniAperte": "paaSILPosizioniAperte/dovuti",
}
FAULTED_PATHS = ("/ws/", "/avvisi/")


class MyPaySimulator:
    """The simulator's state, as the admin API and the tests see it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mypay_faults = FaultState("mypay")
        self.faults: FaultState = self.mypay_faults  # what the admin API switches
        for spec in settings.faults:
            parsed = FaultSpec.parse(spec)
            self.mypay_faults.activate(parsed.name, rate=parsed.rate, seed=parsed.seed)
        self.store = Store(settings.creditors)
        self.station = MyPayStation(self.store)

    def reset(self) -> None:
        self.store.reset()

    def positions(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.store.positions()]

    def status(self) -> dict[str, Any]:
        positions = self.store.positions()
        return {
            "simulator": "mypay",
            "status": "UP",
            "creditors": [
                {"cod_ipa": c.cod_ipa, "fiscal_code": c.fiscal_code, "name": c.name}
                for c in self.settings.creditors
            ],
            "positions": len(positions),
            "paid": sum(1 for p in positions if p.state == "PAGATO"),
            "contracts": official.facts("simulator:mypay"),
            "faults": self.faults.to_list(),
        }


def _remove_key_element(operation: str, answer: etree._Element) -> None:
    target = answer.find(KEY_ELEMENT[operation])
    if target is None:
        target = next(iter(answer), None)
    if target is not None:
        parent = target.getparent()
        if parent is not None:
            parent.remove(target)


def _too_large_body(limit: int) -> bytes:
    fault = SoapFault("soap:Client", f"request body exceeds the limit of {limit} bytes")
    return fault_envelope(fault)


def _too_large(limit: int) -> Response:
    return Response(_too_large_body(limit), status_code=413, media_type=XML)


class SoapEndpoint:
    """``POST /ws/pa``: read, check, dispatch, answer; faults strike around the handler.

    Served twice over: :meth:`serve` is a raw ASGI app that :class:`MyPayApp` calls before
    Starlette's routing (the hot path: no Request, Response or route matching per call),
    :meth:`handle` the same for Starlette (``Route``), for whoever mounts it elsewhere.
    Both give the same bytes, headers and status: :meth:`respond` does the work.
    """

    def __init__(self, sim: MyPaySimulator) -> None:
        self.sim = sim

    def base_url(self, request: Request) -> str:
        return self.sim.settings.public_url or f"{request.url.scheme}://{request.url.netloc}"

    def _scope_base_url(self, scope: Scope, host: bytes | None) -> str:
        """What :meth:`base_url` gives, from the raw scope (as Starlette builds ``url``)."""
        if self.sim.settings.public_url:
            return self.sim.settings.public_url
        scheme = scope.get("scheme", "http")
        if host:
            return f"{scheme}://{host.decode('latin-1')}"
        server = scope.get("server")
        if server is None:
            return f"{scheme}://"
        name, port = server
        default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
        return f"{scheme}://{name}" if port == default else f"{scheme}://{name}:{port}"

    async def handle(self, request: Request) -> Response:
        limit = self.sim.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return _too_large(limit)
            chunks.append(chunk)
        status, out = await self.respond(
            b"".join(chunks),
            request.headers.get("soapaction"),
            self.base_url(request),
            bool(request.scope.get("state", {}).get("credentials_expired")),
        )
        return Response(out, status_code=status, media_type=XML)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The raw ASGI twin of :meth:`handle`."""
        limit = self.sim.settings.max_body_bytes
        declared = host = action = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"host":
                host = value
            elif name == b"soapaction":
                action = value.decode("latin-1")
        status = 0
        if declared is not None and declared.isdigit() and int(declared) > limit:
            status, out = 413, _too_large_body(limit)
        else:
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away: nobody to answer
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    status, out = 413, _too_large_body(limit)
                    break
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            if not status:
                status, out = await self.respond(
                    b"".join(chunks),
                    action,
                    self._scope_base_url(scope, host),
                    bool(scope.get("state", {}).get("credentials_expired")),
                )
        headers = [(b"content-length", str(len(out)).encode()), (b"content-type", XML_BYTES)]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": out})

    async def respond(
        self, data: bytes, soap_action: str | None, base_url: str, credentials_expired: bool
    ) -> tuple[int, bytes]:
        """The status and the envelope answering the request ``data``."""
        sim, settings = self.sim, self.sim.settings
        faults = sim.mypay_faults
        late = broken = None
        if faults.any_active:
            late = faults.fires("slow-response") or faults.fires("timeout")
            if late is not None:
                await asyncio.sleep(float(late.params.get("delay", DEFAULT_DELAYS[late.name])))
            broken = (
                faults.fires("malformed-xml")
                or faults.fires("wrong-namespace")
                or faults.fires("missing-element")
            )
        try:
            req = parse_request(data, soap_action, settings.validate, settings.max_body_bytes)
        except SoapFault as fault:
            return fault.status, fault_envelope(fault)

        ctx = Context(
            settings=settings,
            store=sim.store,
            faults=faults,
            base_url=base_url,
            ns=WRONG_NAMESPACE if broken and broken.name == "wrong-namespace" else PPT,
            credentials_expired=credentials_expired,
        )
        status = 200
        try:
            if req.operation == "paaSILImportaDovuto" and settings.notice_in_create:
                # every creation renders a notice PDF (~8 ms): keep the loop free
                answer = await run_in_threadpool(dispatch, ctx, req)
            else:
                answer = dispatch(ctx, req)
            if broken is not None and broken.name == "missing-element":
                _remove_key_element(req.operation, answer)
            out = envelope(answer)
        except SoapFault as fault:
            status, out = fault.status, fault_envelope(fault)
        if broken is not None and broken.name == "malformed-xml":
            out = out[: len(out) // 2]
        if ctx.touched:
            # Raw bytes: decoded and redacted only if the backoffice or the admin API reads them.
            exchange = Exchange(now(), req.operation, data, out, status)
            for position in dict.fromkeys(ctx.touched):
                sim.store.record(position, exchange)
        return status, out


def _abort_connection(send: Send) -> bool:
    """Reset the TCP connection under uvicorn (the firewall case); False elsewhere."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    reset(transport.get_extra_info("socket"))
    transport.abort()
    cycle.disconnected = True  # type: ignore[union-attr]  # uvicorn: no 500 after us
    return True


class MyPayApp(Starlette):
    """The Starlette app with the access faults in front of everything else.

    They strike before Starlette's own middleware, on the server's raw ``send``, so that
    ``ip-not-allowed-refuse`` can reset the TCP connection (under uvicorn; elsewhere the
    request raises ``ConnectionResetError``). ``ip-not-allowed-403`` answers HTTP 403
    naming the caller; ``expired-credentials`` makes the password check fail as an expired
    one. Only the MyPay API is struck: the admin API and the station stay reachable.
    """

    faults: FaultState
    soap: ASGIApp  # POST /ws/pa, behind the allowlist, without Starlette's routing
    metered: ASGIApp  # _serve, timed and counted for /metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The reset needs the server's own send (its transport), so it strikes before the
        # metrics wrap send; a refused connection answers nothing to count.
        if (
            scope["type"] == "http"
            and self.faults.any_active
            and scope["path"].startswith(FAULTED_PATHS)
            and self.faults.fires("ip-not-allowed-refuse")
        ):
            if _abort_connection(send):
                return
            raise ConnectionResetError(
                "connection reset: caller not allow-listed (fault ip-not-allowed-refuse)"
            )
        await self.metered(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.faults
        if (
            scope["type"] == "http"
            and faults.any_active
            and scope["path"].startswith(FAULTED_PATHS)
        ):
            if faults.fires("ip-not-allowed-403"):
                client = scope.get("client")
                body = forbidden_body(client[0] if client else None)
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]
                await send({"type": "http.response.start", "status": 403, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            if faults.fires("expired-credentials"):
                scope.setdefault("state", {})["credentials_expired"] = True
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] in SOAP_PATHS
            and not scope.get("root_path")
        ):
            await self.soap(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _operation(scope: Scope) -> str:
    """The metrics' operation: the pa-per-ente operation named by SOAPAction, else the route."""
    if scope["method"] == "POST" and scope["path"] in SOAP_PATHS:
        for name, value in scope["headers"]:
            if name == b"soapaction":
                action: str = value.decode("latin-1").strip().strip('"')
                if action in OPERATIONS or action in NOT_IMPLEMENTED:
                    return action
        return "POST /ws/pa"
    return route_operation(scope)


def _sizes(store: Store) -> dict[str, int]:
    positions = store.positions()
    return {
        "positions": len(positions),
        "paid": sum(1 for p in positions if p.state == "PAGATO"),
        "sessions": sum(len(p.sessions) for p in positions),
    }


def _find(store: Store, iuv: str) -> Position | None:
    for creditor in store.creditors.values():
        position = store.by_iuv(creditor.cod_ipa, iuv)
        if position is not None:
            return position
    return None


def create_app(settings: Settings | None = None) -> Starlette:
    """The MyPay simulator app; ``app.state.simulator`` holds its state.

    A ``refuse``-mode allowlist acts at the connection: serve the app with
    ``BackgroundServer(app, allowlist=app.state.allowlist)``.
    """
    settings = settings or Settings()
    official.announce("simulator:mypay")
    sim = MyPaySimulator(settings)
    soap = SoapEndpoint(sim)

    async def wsdl(request: Request) -> Response:
        if "wsdl" not in {key.lower() for key in request.query_params}:
            return PlainTextResponse(
                "MyPay pa-per-ente SOAP 1.1 endpoint: POST here; the WSDL is at ?wsdl\n"
            )
        try:
            body = contracts.wsdl_for(f"{soap.base_url(request)}/ws/pa")
        except contracts.ContractsMissing as exc:
            return PlainTextResponse(str(exc), status_code=503)
        return Response(body, media_type=XML)

    async def xsd(request: Request) -> Response:
        try:
            return Response(contracts.companion_xsd(request.path_params["name"]), media_type=XML)
        except FileNotFoundError:
            return PlainTextResponse("no such schema beside pa-per-ente.wsdl", status_code=404)
        except contracts.ContractsMissing as exc:
            return PlainTextResponse(str(exc), status_code=503)

    async def avviso(request: Request) -> Response:
        iuv = request.path_params["iuv"]
        position = _find(sim.store, iuv)
        if position is None:
            return PlainTextResponse(f"nessun avviso con IUV {iuv}", status_code=404)
        if sim.mypay_faults.any_active and sim.mypay_faults.fires("notice-download-failure"):
            return PlainTextResponse(
                "errore interno nella generazione dell'avviso", status_code=500
            )
        pdf = await run_in_threadpool(notice_pdf, position)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="avviso_{iuv}.pdf"'},
        )

    async def broken_redirect(request: Request) -> Response:
        return HTMLResponse(
            "<!doctype html><title>502</title><h1>Bad Gateway</h1>"
            "<p>The payment page is unreachable.</p>",
            status_code=502,
        )

    async def ritorno(request: Request) -> Response:
        # Where the checkout sends the citizen back when the SIL gave no return URL.
        session = sim.store.session(request.path_params["session"])
        position = sim.store.by_iuv(session.cod_ipa, session.iuv) if session else None
        if position is None:
            return HTMLResponse(
                "<!doctype html><title>MyPay</title><p>Sessione sconosciuta.</p>", status_code=404
            )
        outcome = request.query_params.get("esito", "-")
        return HTMLResponse(
            '<!doctype html><html lang="it"><title>MyPay — esito</title>'
            f"<h1>Esito del pagamento: {escape(outcome)}</h1>"
            f"<p>Avviso {position.notice_number} — stato {position.state}</p></html>"
        )

    async def status(request: Request) -> Response:
        return JSONResponse(sim.status())

    async def backoffice_page(request: Request) -> Response:
        title = "MyPay simulator — " + ", ".join(c.name for c in settings.creditors)
        return HTMLResponse(backoffice.render(title, sim.store.positions()))

    metrics = SimulatorMetrics("mypay", [sim.mypay_faults], lambda: _sizes(sim.store))
    routes: list[Any] = [
        Route("/ws/pa", soap.handle, methods=["POST"]),
        Route("/ws/pa/", soap.handle, methods=["POST"]),
        Route("/ws/pa", wsdl, methods=["GET"]),
        Route("/ws/pa/", wsdl, methods=["GET"]),
        Route("/ws/{name:str}", xsd, methods=["GET"]),
        Route("/ws/pa/{name:str}", xsd, methods=["GET"]),
        Route("/avvisi/{iuv:str}.pdf", avviso, methods=["GET"]),
        Route("/broken-redirect/{session:str}", broken_redirect, methods=["GET"]),
        Route("/ritorno/{session:str}", ritorno, methods=["GET"]),
        station_mount(sim.station, "/pagopa/paForNode"),
        Route("/backoffice", backoffice_page, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        metrics_route(metrics),
        admin_mount(sim),
    ]
    allowlist = Allowlist(settings.allowlist, settings.allowlist_mode)
    app = MyPayApp(routes=routes, middleware=[Middleware(AllowlistMiddleware, allowlist=allowlist)])
    app.faults = sim.mypay_faults
    app.soap = AllowlistMiddleware(soap.serve, allowlist=allowlist)
    app.metered = MetricsMiddleware(app._serve, metrics, _operation)
    app.state.metrics = metrics
    app.state.simulator = sim
    app.state.allowlist = allowlist
    app.state.notes = [
        f"creditor {c.name}: codice IPA {c.cod_ipa}, fiscal code {c.fiscal_code}"
        for c in settings.creditors
    ] + [f"citizens pay on {settings.checkout_url}"]
    return app
