"""Recording exchanges (callers, SOAP operations, faults, redaction) and drawing them."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from collaudo import diagrams
from collaudo.exchanges import (
    CITIZEN_AGENT,
    ExchangeRecorder,
    RecordingBus,
    RecordingMiddleware,
    infer_caller,
)

SOAP_FAULT = (
    b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
    b"<soap:Fault><faultcode>PAA_SYSTEM_ERROR</faultcode></soap:Fault></soap:Body></soap:Envelope>"
)
SOAP_REQUEST = (
    b"<soap:Envelope xmlns:soap='http://schemas.xmlsoap.org/soap/envelope/'><soap:Body>"
    b"<ppt:paaSILImportaDovuto xmlns:ppt='urn:x'><password>sim-password</password>"
    b"</ppt:paaSILImportaDovuto></soap:Body></soap:Envelope>"
)


async def soap(request: Request) -> Response:
    await request.body()
    return Response(SOAP_FAULT, status_code=500, media_type="text/xml")


async def problem(request: Request) -> Response:
    return JSONResponse({"status": 409, "title": "Not paid yet"}, status_code=409)


def app() -> Starlette:
    return Starlette(
        routes=[Route("/ws/pa", soap, methods=["POST"]), Route("/receipt/{id}", problem)]
    )


@pytest.fixture
def recorder() -> ExchangeRecorder:
    return ExchangeRecorder(secrets=["sim-password", "the-api-token"])


async def test_soap_operation_fault_and_caller_are_recorded_without_secrets(
    recorder: ExchangeRecorder,
) -> None:
    transport = httpx.ASGITransport(app=RecordingMiddleware(app(), "mypay", recorder))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        await http.post(
            "/ws/pa", content=SOAP_REQUEST, headers={"Authorization": "Bearer the-api-token"}
        )
    [exchange] = recorder.since(0)
    assert (exchange.caller, exchange.callee) == ("Proxy", "MyPay")
    assert exchange.operation == "paaSILImportaDovuto"
    assert exchange.fault == "PAA_SYSTEM_ERROR" and exchange.failed
    assert exchange.label() == "paaSILImportaDovuto → 500 PAA_SYSTEM_ERROR"
    assert "sim-password" not in json.dumps(exchange.to_dict())
    assert "<password>***</password>" in exchange.request
    assert recorder.in_flight() == 0


class _CheckingRecorder(ExchangeRecorder):
    """Fails if a request stops counting as in flight before its exchange is logged."""

    def finished(self) -> None:
        assert self.mark() == 1, "finished() before the exchange was recorded"
        super().finished()


async def test_a_request_is_logged_before_it_stops_being_in_flight() -> None:
    recorder = _CheckingRecorder()
    transport = httpx.ASGITransport(app=RecordingMiddleware(app(), "proxy", recorder))
    async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as http:
        await http.get("/receipt/1")
    assert recorder.in_flight() == 0 and len(recorder.since(0)) == 1


def test_settle_waits_for_a_request_still_being_logged_and_gives_up_on_a_held_one(
    recorder: ExchangeRecorder,
) -> None:
    recorder.started()

    def late_server() -> None:
        time.sleep(0.2)
        recorder.add(
            at=time.time(), kind="http", caller="Cittadino", callee="Proxy", method="GET", path="/"
        )
        recorder.finished()

    thread = threading.Thread(target=late_server)
    thread.start()
    assert recorder.settle(timeout=5.0) is True
    assert len(recorder.since(0)) == 1  # the reader sees the late exchange
    thread.join()

    recorder.started()  # a request held back (a slow-response fault)
    assert recorder.settle(timeout=0.05) is False
    recorder.finished()


async def test_a_problem_title_is_the_outcome_and_the_citizen_is_told_apart(
    recorder: ExchangeRecorder,
) -> None:
    transport = httpx.ASGITransport(app=RecordingMiddleware(app(), "proxy", recorder))
    async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as http:
        await http.get("/receipt/1", headers={"User-Agent": CITIZEN_AGENT})
    [exchange] = recorder.since(0)
    assert exchange.caller == "Cittadino" and exchange.fault == "Not paid yet"


@pytest.mark.parametrize(
    ("callee", "method", "path", "caller"),
    [
        ("gpd", "POST", "/pagopa/paForNode", "Checkout/Nodo"),
        ("gpd", "POST", "/gpd/debt-positions-service/v1/organizations/x/debtpositions", "Proxy"),
        ("checkout", "POST", "/checkout/ec/v1/carts", "Proxy"),
        ("checkout", "GET", "/c/abc", "Cittadino"),
        ("platform", "POST", "/applications/1/payment", "Proxy"),
        ("proxy", "GET", "/landing/1", "Cittadino"),
        ("proxy", "GET", "/update/1", "Piattaforma"),
        ("mypay", "DELETE", "/_admin/faults", "Collaudo"),
    ],
)
def test_callers_are_inferred_from_who_can_call_the_path(
    callee: str, method: str, path: str, caller: str
) -> None:
    assert infer_caller(callee, method, path, "python-httpx/0.28") == caller


async def test_bus_messages_are_recorded_with_their_publisher(recorder: ExchangeRecorder) -> None:
    bus = RecordingBus(recorder)
    event = {"id": "p1", "status": "CREATION_PENDING", "app_id": "collaudo-platform-sim:0.1"}
    await bus.publish("payments", b"k", json.dumps(event).encode())
    bus.publish_nowait("payments", b"k", json.dumps(event | {"app_id": "x:1"}).encode())
    first, second = recorder.since(0)
    assert (first.caller, first.callee, first.operation) == (
        "Piattaforma",
        "payments",
        "CREATION_PENDING",
    )
    assert second.caller == "Collaudo"
    assert bus.messages() and len(bus.messages()) == 2


async def test_diagrams_draw_every_exchange_in_order(recorder: ExchangeRecorder) -> None:
    transport = httpx.ASGITransport(app=RecordingMiddleware(app(), "mypay", recorder))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        await http.post("/ws/pa", content=SOAP_REQUEST)
    RecordingBus(recorder).publish_nowait(
        "payments", b"k", b'{"status": "PAYMENT_PENDING", "app_id": "collaudo-payment-proxy:1"}'
    )
    exchanges = recorder.since(0)
    text = diagrams.mermaid(exchanges, "demo; #1")
    assert text.splitlines()[0] == "sequenceDiagram"
    assert "Proxy-xMyPay: paaSILImportaDovuto → 500 PAA_SYSTEM_ERROR" in text
    assert "Proxy-)payments: PAYMENT_PENDING (topic payments)" in text
    assert ";" not in text.split("title", 1)[1].splitlines()[0]
    svg = etree.fromstring(diagrams.svg(exchanges, "demo").encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    labels = [t.text for t in svg.iterfind(".//s:g/s:text", ns)]
    assert labels == [
        "1. paaSILImportaDovuto → 500 PAA_SYSTEM_ERROR",
        "2. PAYMENT_PENDING (topic payments)",
    ]
    page = diagrams.html(exchanges, "demo")
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert "sim-password" not in page and "http" not in page.split("<svg", 1)[0].lower()


def test_diagrams_order_by_start_and_fold_repeated_polls(recorder: ExchangeRecorder) -> None:
    common = {"kind": "http", "caller": "Collaudo", "callee": "Piattaforma", "method": "GET"}
    recorder.add(at=3.0, path="/payments/1", status=200, **common)
    recorder.add(at=3.1, path="/payments/1", status=200, **common)
    recorder.add(at=1.0, path="/outer", status=302, **common)  # recorded last, started first
    text = diagrams.mermaid(recorder.since(0))
    body = [line.strip() for line in text.splitlines()[3:]]
    assert body == [
        "Collaudo->>Piattaforma: GET /outer → 302",
        "Collaudo->>Piattaforma: GET /payments/1 ×2 → 200",
    ]
