"""Fuzzing the adapter's drivers with generated and mutated *answers* of the intermediary.

The drivers run against an ``httpx.MockTransport`` whose answers hypothesis draws: for
MyPay, response envelopes generated from ``pa-per-ente.wsdl`` (valid, mutated by
:data:`collaudo.fuzz.soap.MUTATIONS`, or SOAP Faults) under assorted HTTP statuses; for GPD,
JSON positions and receipts with fields dropped, retyped or garbled, bodies that are not
JSON, and the statuses the specs list and some they do not. The contract: every verb
returns a result or raises an :class:`adapters.core.intermediary.IntermediaryError` (a
clear error); never another exception, never a hang.
"""

from __future__ import annotations

import copy
import json
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import strategies as st
from lxml import etree

from adapters.core.intermediary import (
    CreditorConfig,
    Debtor,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryError,
    PositionContext,
    ReturnUrls,
)
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from collaudo.fuzz import contracts, domain, soap_schemas
from collaudo.fuzz.asgi import Hang, LoopThread
from collaudo.fuzz.model import ApiReport, Finding, FuzzFailure
from collaudo.fuzz.properties import run_property
from collaudo.fuzz.soap import MUTATIONS, SOAP_ENV, envelope
from collaudo.fuzz.xsd import element_strategy

SECRET_ENV = {"FUZZ_MYPAY_PASSWORD": "fuzz-password1", "FUZZ_GPD_KEY": "fuzz-key"}
VERBS = ("create_debt_position", "checkout_url", "notice_pdf", "status", "receipt")
MYPAY_OPERATIONS = (
    "paaSILImportaDovuto",
    "paaSILChiediPosizioniAperte",
    "paaSILChiediPagatiConRicevuta",
    "paaSILInviaDovuti",
    "paaSILVerificaAvviso",
)
TIMEOUT = 10.0
STATUSES = st.sampled_from(
    [200, 200, 200, 201, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]
)
PAYER = Debtor("human", "RSSMRA80A01H501U", "Mario", "Rossi", "mario.rossi@example.org")
RETURN = ReturnUrls(
    "https://ente.example/ok", "https://ente.example/ko", "https://ente.example/err"
)


def _creditor(kind: str) -> CreditorConfig:
    settings = {
        "mypay": {
            "mypay_wsdl_url": "http://mypay.fuzz/ws/pa?wsdl",
            "mypay_codice_ipa": "c_bugliano",
            "mypay_password_env": "FUZZ_MYPAY_PASSWORD",
            "mypay_segregation_code": "01",
            "mypay_codice_tipo_dovuto": "DIRITTI_SEGRETERIA",
        },
        "gpd": {
            "gpd_base_url": "http://gpd.fuzz/gpd/debt-positions-service/v1",
            "gpd_receipts_url": "http://gpd.fuzz/gpd/payments-receipts-service/v1",
            "checkout_base_url": "http://checkout.fuzz/checkout/ec/v1",
            "gpd_subscription_key_env": "FUZZ_GPD_KEY",
            "gpd_segregation_code": "01",
            "gpd_iban": "IT60X0542811101000000123456",
        },
    }[kind]
    return CreditorConfig(
        uuid.uuid4(), uuid.uuid4(), domain.DEMO_CREDITOR, "Comune di Bugliano", settings
    )


def _request(creditor: CreditorConfig, amount: Decimal) -> DebtPositionRequest:
    pid = uuid.uuid4()
    return DebtPositionRequest(
        pid,
        pid.hex,
        creditor,
        amount,
        "Diritti di segreteria",
        datetime.now(UTC) + timedelta(days=30),
        PAYER,
        taxonomy="9/0101108TS/",
    )


def _context(request: DebtPositionRequest) -> PositionContext:
    position = DebtPosition(
        request.iud,
        "01000000000000043",
        "301000000000000043",
        domain.DEMO_CREDITOR,
        request.amount,
        {"iupd": request.iud},
    )
    return PositionContext(
        request.payment_id,
        request.creditor,
        position,
        request.debtor,
        request.reason,
        request.expire_at,
    )


# -- MyPay: answers from the WSDL ------------------------------------------------------------


@st.composite
def _mypay_answer(draw: st.DrawFn, operation: str) -> tuple[int, bytes, str]:
    contract = soap_schemas.mypay()
    kind = draw(st.sampled_from(["valid", "valid", "fault", *MUTATIONS]))
    status = 200
    if kind == "fault":
        env = etree.Element(f"{{{SOAP_ENV}}}Envelope")
        fault = etree.SubElement(
            etree.SubElement(env, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault"
        )
        etree.SubElement(fault, "faultcode").text = draw(
            st.sampled_from(["soap:Server", "soap:Client", ""])
        )
        etree.SubElement(fault, "faultstring").text = draw(
            st.sampled_from(
                ["PAA_SYSTEM_ERROR", "PAA_IUD_DUPLICATO: x", "PAA_ENTE_NON_VALIDO", "", "àè"]
            )
        )
        return draw(st.sampled_from([500, 200, 400])), etree.tostring(env), "text/xml"
    element = draw(element_strategy(contract.element(soap_schemas.PPT, f"{operation}Risposta")))
    if kind == "valid":
        body = envelope(element)
    else:
        body = MUTATIONS[kind](draw, copy.deepcopy(element), None)
        status = draw(STATUSES)
    content_type = draw(st.sampled_from(["text/xml; charset=utf-8", "text/xml", "text/html", ""]))
    return status, body, content_type


def _mypay_handler(
    answers: dict[str, tuple[int, bytes, str]],
) -> Callable[[httpx.Request], httpx.Response]:
    wsdl_dir = contracts.contract_file("mypay/pa-per-ente.wsdl").parent

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            name = request.url.path.rsplit("/", 1)[-1]
            if name == "pa":
                return httpx.Response(200, content=(wsdl_dir / "pa-per-ente.wsdl").read_bytes())
            if name.endswith(".xsd") and (wsdl_dir / name).is_file():
                return httpx.Response(200, content=(wsdl_dir / name).read_bytes())
            return httpx.Response(
                200, content=b"%PDF-1.4 fuzz", headers={"content-type": "application/pdf"}
            )
        operation = request.headers.get("soapaction", "").strip('"')
        status, body, content_type = answers.get(operation, (500, b"", "text/plain"))
        return httpx.Response(
            status, content=body, headers={"content-type": content_type} if content_type else {}
        )

    return handle


# -- GPD: JSON answers, mutated ---------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _position(status: str) -> dict[str, Any]:
    return {
        "iupd": "x",
        "type": "F",
        "fiscalCode": "RSSMRA80A01H501U",
        "fullName": "Mario Rossi",
        "companyName": "Comune di Bugliano",
        "status": status,
        "paymentDate": "2024-05-01T10:00:00",
        "paymentOption": [
            {
                "iuv": "01000000000000043",
                "nav": "301000000000000043",
                "amount": 2000,
                "status": "PO_PAID",
                "paymentDate": "2024-05-01T10:00:00",
                "dueDate": "2030-01-01T00:00:00",
                "isPartialPayment": False,
                "transfer": [
                    {
                        "idTransfer": "1",
                        "amount": 2000,
                        "iban": "IT60X0542811101000000123456",
                        "category": "9/0101108TS/",
                        "remittanceInformation": "x",
                    }
                ],
            }
        ],
    }


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair of a JSON document, depth first."""
    found: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        items: list[tuple[Any, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        items = []
    for key, value in items:
        found.append((node, key))
        found.extend(_slots(value))
    return found


@st.composite
def _mutated_json(draw: st.DrawFn) -> Any:
    document: Any = _position(
        draw(
            st.sampled_from(
                [
                    "VALID",
                    "PAID",
                    "PARTIALLY_PAID",
                    "EXPIRED",
                    "INVALID",
                    "DRAFT",
                    "PUBLISHED",
                    "REPORTED",
                    "?",
                ]
            )
        )
    )
    for _ in range(draw(st.integers(0, 4))):
        paths = _slots(document)
        if not paths:
            break
        parent, key = draw(st.sampled_from(paths))
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[key]
        else:
            parent[key] = draw(_JSON)
    return document


@st.composite
def _gpd_answer(draw: st.DrawFn) -> tuple[int, bytes, dict[str, str]]:
    status = draw(STATUSES)
    shape = draw(
        st.sampled_from(["position", "position", "json", "not-json", "truncated", "empty"])
    )
    if shape == "position":
        body = json.dumps(draw(_mutated_json())).encode()
    elif shape == "json":
        body = json.dumps(draw(_JSON)).encode()
    elif shape == "truncated":
        full = json.dumps(_position("PAID")).encode()
        body = full[: draw(st.integers(1, len(full) - 1))]
    elif shape == "not-json":
        body = draw(st.sampled_from([b"<html>502 Bad Gateway</html>", b"\xff\xfe", b"null", b"[]"]))
    else:
        body = b""
    headers = {
        "content-type": draw(st.sampled_from(["application/json", "text/html", "text/plain"]))
    }
    if status == 302 or draw(st.booleans()):
        headers["location"] = draw(
            st.sampled_from(
                [
                    "https://checkout.pagopa.it/c/1",
                    "",
                    "/relative",
                    "javascript:alert(1)",
                    "http://[bad",
                ]
            )
        )
    return status, body, headers


# -- the property ---------------------------------------------------------------------------------


@st.composite
def _driver_cases(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    verb = draw(st.sampled_from(VERBS))
    amount = draw(st.sampled_from([Decimal("0.01"), Decimal("20.00"), Decimal("999999999.99")]))
    answers: dict[str, Any]
    if kind == "mypay":
        answers = {op: draw(_mypay_answer(op)) for op in MYPAY_OPERATIONS}
    else:
        answers = {"*": draw(st.lists(_gpd_answer(), min_size=1, max_size=3))}
    return {"verb": verb, "amount": amount, "answers": answers}


def _describe(case: dict[str, Any]) -> str:
    shown: dict[str, Any] = {"verb": case["verb"], "amount": str(case["amount"])}
    for key, value in case["answers"].items():
        shown[key] = repr(value)[:3000]
    return json.dumps(shown, indent=2, ensure_ascii=False)


class _Replies:
    """The answers of the case being run; one driver (and one WSDL load) serves every case."""

    def __init__(self) -> None:
        self.case: dict[str, Any] = {}
        self.gpd: list[tuple[int, bytes, dict[str, str]]] = []

    def load(self, case: dict[str, Any]) -> None:
        self.case = case
        self.gpd = list(case["answers"].get("*", []))

    def mypay(self, request: httpx.Request) -> httpx.Response:
        return _mypay_handler(self.case["answers"])(request)

    def gpd_reply(self, request: httpx.Request) -> httpx.Response:
        status, body, headers = self.gpd[0] if len(self.gpd) == 1 else self.gpd.pop(0)
        return httpx.Response(status, content=body, headers=headers)


def _driver(kind: str, replies: _Replies) -> Any:
    if kind == "mypay":
        return MyPayDriver(
            transport=httpx.MockTransport(replies.mypay),
            environ=SECRET_ENV,
            timeout=5,
            receipt_timeout=5,
        )
    return GpdDriver(
        transport=httpx.MockTransport(replies.gpd_reply),
        environ=SECRET_ENV,
        timeout=5,
        receipt_timeout=5,
    )


async def _call(driver: Any, request: DebtPositionRequest, verb_name: str) -> Any:
    verb = getattr(driver, verb_name)
    if verb_name == "create_debt_position":
        return await verb(request)
    if verb_name == "checkout_url":
        return await verb(_context(request), RETURN)
    return await verb(_context(request))


def run_drivers(
    budget: int,
    *,
    seed: int | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> ApiReport:
    """Fuzz both drivers' answer parsing; ``budget`` examples per driver and verb."""
    report = ApiReport(
        "drivers",
        "adapter drivers (MyPay over zeep, GPD over httpx) fed "
        "generated and mutated intermediary answers",
    )
    started = time.monotonic()
    loop = LoopThread()
    try:
        for kind in ("mypay", "gpd"):
            report.operations += len(VERBS)
            replies = _Replies()
            driver = _driver(kind, replies)
            creditor = _creditor(kind)

            def check(
                case: dict[str, Any],
                kind: str = kind,
                driver: Any = driver,
                replies: _Replies = replies,
                creditor: CreditorConfig = creditor,
            ) -> None:
                replies.load(case)
                request = _request(creditor, case["amount"])
                reproduction = (
                    f"python -c 'see minimal case' # {kind} driver {case['verb']} over "
                    "httpx.MockTransport answering as in the minimal case"
                )
                try:
                    loop.run(_call(driver, request, case["verb"]), TIMEOUT)
                except IntermediaryError:
                    return  # a clear, typed error: what the contract asks for
                except Hang as exc:
                    raise FuzzFailure("no_hang", str(exc), _describe(case), reproduction) from exc
                except Exception as exc:
                    raise FuzzFailure(
                        "typed_errors_only",
                        f"{kind} driver {case['verb']} raised {type(exc).__name__}: {exc}\n"
                        + "".join(traceback.format_exception(exc))[-3000:],
                        _describe(case),
                        reproduction,
                    ) from exc

            cases, failure = run_property(_driver_cases(kind), check, budget * len(VERBS), seed)
            report.cases += cases
            if failure is not None:
                report.add(
                    Finding(
                        "drivers",
                        f"{kind} driver",
                        failure.check,
                        failure.message,
                        failure.reproduction,
                        failure.case,
                    )
                )
            loop.run(driver.aclose(), TIMEOUT)
            progress(
                f"drivers: {kind} done ({report.cases} cases, {len(report.findings)} findings)"
            )
    finally:
        loop.close()
    report.seconds = time.monotonic() - started
    return report
