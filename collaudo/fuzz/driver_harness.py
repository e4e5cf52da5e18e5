"""Wiring a driver to the drawn answers: creditor, request and context, the mock transport.

One driver per kind (and so one WSDL load) serves every case; :class:`Replies` holds the
answers of the case being run and answers the driver's ``httpx.MockTransport`` from them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from adapters.core.intermediary import (
    CreditorConfig,
    Debtor,
    DebtPosition,
    DebtPositionRequest,
    PositionContext,
    ReturnUrls,
)
from adapters.drivers.gpd import GpdDriver
from adapters.drivers.mypay import MyPayDriver
from collaudo.fuzz import contracts, domain

SECRET_ENV = {"FUZZ_MYPAY_PASSWORD": "fuzz-password1", "FUZZ_GPD_KEY": "fuzz-key"}
PAYER = Debtor("human", "RSSMRA80A01H501U", "Mario", "Rossi", "mario.rossi@example.org")
RETURN = ReturnUrls(
    "https://ente.example/ok", "https://ente.example/ko", "https://ente.example/err"
)


def fuzz_creditor(kind: str) -> CreditorConfig:
    """The demo creditor configured for the ``kind`` (``mypay`` or ``gpd``) driver."""
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


def debt_position_request(creditor: CreditorConfig, amount: Decimal) -> DebtPositionRequest:
    """A fresh request for a debt position of ``amount``, due in 30 days."""
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


def position_context(request: DebtPositionRequest) -> PositionContext:
    """The context of the position ``request`` would have created, for the other verbs."""
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


class Replies:
    """The answers of the case being run; one driver (and one WSDL load) serves every case."""

    def __init__(self) -> None:
        self.case: dict[str, Any] = {}
        self.gpd: list[tuple[int, bytes, dict[str, str]]] = []

    def load(self, case: dict[str, Any]) -> None:
        """Answer from now on with the answers of ``case``."""
        self.case = case
        self.gpd = list(case["answers"].get("*", []))

    def mypay(self, request: httpx.Request) -> httpx.Response:
        """Answer a MyPay request: WSDL and XSDs on GET, the drawn answer per SOAPAction."""
        return _mypay_handler(self.case["answers"])(request)

    def gpd_reply(self, request: httpx.Request) -> httpx.Response:
        """Answer a GPD request with the next drawn answer (the last one repeats)."""
        status, body, headers = self.gpd[0] if len(self.gpd) == 1 else self.gpd.pop(0)
        return httpx.Response(status, content=body, headers=headers)


def build_driver(kind: str, replies: Replies) -> Any:
    """The ``kind`` driver over an ``httpx.MockTransport`` answering from ``replies``."""
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


async def call_verb(driver: Any, request: DebtPositionRequest, verb_name: str) -> Any:
    """Call the driver's ``verb_name`` with the arguments that verb takes."""
    verb = getattr(driver, verb_name)
    if verb_name == "create_debt_position":
        return await verb(request)
    if verb_name == "checkout_url":
        return await verb(position_context(request), RETURN)
    return await verb(position_context(request))
