"""The Nodo's side of paForNode: build requests to a station, read its answers.

Pure functions (``*_request`` build SOAP 1.1 envelopes, ``parse_*`` read answers and
raise :class:`StationError` on ``outcome KO``) plus :class:`StationClient`, an httpx
caller that keeps every exchange. Each message sent or received is validated against
the official paForNode.xsd (see :mod:`simulators.common.station_xml`).

Failures a Nodo sees, as :class:`StationError` fault codes (pagoPA "dominio Nodo"):
``PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE`` (connection failed),
``PPT_STAZIONE_INT_PA_TIMEOUT`` (no answer in time),
``PPT_STAZIONE_INT_PA_ERRORE_RESPONSE`` (answer not paForNode or not schema-valid).
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import httpx

from simulators.common.safexml import MalformedXML, UnsafeXML
from simulators.common.station_codec import (
    add_receipt,
    raise_for_outcome,
    read_payment_data,
)
from simulators.common.station_model import StationError, StationPosition, StationReceipt
from simulators.common.station_xml import (
    Element,
    SoapFormatError,
    check,
    date_opt,
    decimal_of,
    envelope,
    money,
    operation_of,
    root,
    sub,
    text,
    text_opt,
    unwrap,
)

RESPONSE_OF = {
    "paVerifyPaymentNotice": "paVerifyPaymentNoticeRes",
    "paGetPayment": "paGetPaymentRes",
    "paGetPaymentV2": "paGetPaymentV2Response",
    "paSendRT": "paSendRTRes",
    "paSendRTV2": "paSendRTV2Response",
}


@functools.cache
def _default_tls() -> ssl.SSLContext:
    # httpx builds a new default context (certifi's whole CA bundle, 20-50 ms of CPU) for
    # every client; the Nodo makes one per call to a station: the same context, built once.
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class VerifiedNotice:
    """A ``paVerifyPaymentNoticeRes`` with outcome OK."""

    fiscal_code: str
    notice_number: str
    amount: Decimal
    due_date: date | None
    description: str
    company_name: str
    office_name: str | None
    all_ccp: bool


def _head(name: str, fiscal_code: str, id_broker_pa: str | None, id_station: str | None) -> Element:
    req = root(name)
    broker = id_broker_pa or fiscal_code
    sub(req, "idPA", fiscal_code)
    sub(req, "idBrokerPA", broker)
    sub(req, "idStation", id_station or f"{broker}_01")
    return req


def _qr(req: Element, fiscal_code: str, notice_number: str) -> None:
    qr = sub(req, "qrCode")
    sub(qr, "fiscalCode", fiscal_code)
    sub(qr, "noticeNumber", notice_number)


def verify_request(
    fiscal_code: str,
    notice_number: str,
    *,
    id_broker_pa: str | None = None,
    id_station: str | None = None,
) -> bytes:
    """A ``paVerifyPaymentNoticeReq`` envelope (broker defaults to the creditor itself)."""
    req = _head("paVerifyPaymentNoticeReq", fiscal_code, id_broker_pa, id_station)
    _qr(req, fiscal_code, notice_number)
    check(req, "paVerifyPaymentNoticeReq")
    return envelope(req)


def get_payment_request(
    fiscal_code: str,
    notice_number: str,
    *,
    amount: Decimal | None = None,
    payment_note: str | None = None,
    id_broker_pa: str | None = None,
    id_station: str | None = None,
    v2: bool = True,
) -> bytes:
    """A ``paGetPaymentV2Request`` (or V1 ``paGetPaymentReq``) envelope."""
    name = "paGetPaymentV2Request" if v2 else "paGetPaymentReq"
    req = _head(name, fiscal_code, id_broker_pa, id_station)
    _qr(req, fiscal_code, notice_number)
    if amount is not None:
        sub(req, "amount", money(amount))
    if payment_note:
        sub(req, "paymentNote", payment_note[:210])
    check(req, name)
    return envelope(req)


def send_rt_request(
    receipt: StationReceipt,
    *,
    company_name: str,
    debtor_name: str,
    office_name: str | None = None,
    channel_description: str = "Checkout - carta di pagamento",
    payer_name: str | None = None,
    payment_note: str | None = None,
    id_broker_pa: str | None = None,
    id_station: str | None = None,
    v2: bool = True,
) -> bytes:
    """A ``paSendRTV2Request`` (or V1 ``paSendRTReq``) envelope carrying ``receipt``."""
    name = "paSendRTV2Request" if v2 else "paSendRTReq"
    req = _head(name, receipt.fiscal_code, id_broker_pa, id_station)
    add_receipt(
        req,
        receipt,
        company_name=company_name,
        debtor_name=debtor_name,
        office_name=office_name,
        channel_description=channel_description,
        payer_name=payer_name,
        payment_note=payment_note,
        v2=v2,
    )
    check(req, name)
    return envelope(req)


def _answer(data: bytes, operation: str) -> Element:
    """The checked response element of ``operation``; StationError when it is not one."""
    expected = RESPONSE_OF[operation]
    try:
        res = unwrap(data)
        name = operation_of(res)
    except (SoapFormatError, MalformedXML, UnsafeXML) as exc:
        raise StationError("PPT_STAZIONE_INT_PA_ERRORE_RESPONSE", f"{operation}: {exc}") from exc
    if name != expected:
        raise StationError(
            "PPT_STAZIONE_INT_PA_ERRORE_RESPONSE", f"{operation}: expected {expected}, got {name}"
        )
    try:
        check(res, expected)
    except ValueError as exc:
        raise StationError("PPT_STAZIONE_INT_PA_ERRORE_RESPONSE", str(exc)) from exc
    return res


def parse_verify_response(data: bytes, fiscal_code: str, notice_number: str) -> VerifiedNotice:
    res = _answer(data, "paVerifyPaymentNotice")
    raise_for_outcome(res)
    option = res.find("paymentList/paymentOptionDescription")
    if option is None:
        raise StationError("PPT_STAZIONE_INT_PA_ERRORE_RESPONSE", "outcome OK without paymentList")
    return VerifiedNotice(
        fiscal_code=text_opt(res, "fiscalCodePA") or fiscal_code,
        notice_number=notice_number,
        amount=decimal_of(option, "amount"),
        due_date=date_opt(option, "dueDate"),
        description=text_opt(res, "paymentDescription")
        or text_opt(option, "detailDescription")
        or "",
        company_name=text_opt(res, "companyName") or "",
        office_name=text_opt(res, "officeName"),
        all_ccp=text(option, "allCCP") in {"true", "1"},
    )


def parse_get_payment_response(
    data: bytes, fiscal_code: str, notice_number: str, *, v2: bool = True
) -> StationPosition:
    res = _answer(data, "paGetPaymentV2" if v2 else "paGetPayment")
    raise_for_outcome(res)
    payment = res.find("data")
    if payment is None:
        raise StationError("PPT_STAZIONE_INT_PA_ERRORE_RESPONSE", "outcome OK without data")
    return read_payment_data(payment, fiscal_code, notice_number)


def parse_send_rt_response(data: bytes, *, v2: bool = True) -> None:
    raise_for_outcome(_answer(data, "paSendRTV2" if v2 else "paSendRT"))


@dataclass
class Exchange:
    """One SOAP call as the Nodo saw it."""

    operation: str
    url: str
    request: bytes
    response: bytes | None = None
    status: int | None = None
    error: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    elapsed_ms: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "operation": self.operation,
            "url": self.url,
            "at": self.at.isoformat(),
            "elapsed_ms": self.elapsed_ms,
            "status": self.status,
            "error": self.error,
            "request": self.request.decode("utf-8", "replace"),
            "response": None if self.response is None else self.response.decode("utf-8", "replace"),
        }


class StationClient:
    """Calls one creditor station's paForNode endpoint over HTTP (SOAP 1.1)."""

    def __init__(
        self,
        url: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 7.0,  # pagoPA's timeout towards EC stations (15 s for paSendRT)
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.url = url
        self._http = http
        self.timeout = timeout
        self.on_exchange = on_exchange

    async def call(self, operation: str, body: bytes, timeout: float | None = None) -> bytes:
        """POST one envelope; the answer's bytes, or StationError on transport failure."""
        exchange = Exchange(operation, self.url, body)
        started = time.monotonic()
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation}"'}
        try:
            if self._http is not None:
                reply = await self._http.post(
                    self.url, content=body, headers=headers, timeout=timeout or self.timeout
                )
            else:
                async with httpx.AsyncClient(verify=_default_tls()) as http:
                    reply = await http.post(
                        self.url, content=body, headers=headers, timeout=timeout or self.timeout
                    )
        except httpx.TimeoutException as exc:
            exchange.error = f"timeout after {timeout or self.timeout} s"
            raise StationError("PPT_STAZIONE_INT_PA_TIMEOUT", f"{self.url}: {exc!r}") from exc
        except httpx.TransportError as exc:
            exchange.error = f"unreachable: {exc!r}"
            raise StationError(
                "PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE", f"{self.url} unreachable: {exc!r}"
            ) from exc
        finally:
            exchange.elapsed_ms = int((time.monotonic() - started) * 1000)
            if exchange.error is not None and self.on_exchange is not None:
                self.on_exchange(exchange)
        exchange.status = reply.status_code
        exchange.response = reply.content
        if self.on_exchange is not None:
            self.on_exchange(exchange)
        return reply.content

    async def verify(self, fiscal_code: str, notice_number: str, **ids: str) -> VerifiedNotice:
        body = verify_request(fiscal_code, notice_number, **ids)
        answer = await self.call("paVerifyPaymentNotice", body)
        return parse_verify_response(answer, fiscal_code, notice_number)

    async def get_payment(
        self,
        fiscal_code: str,
        notice_number: str,
        *,
        amount: Decimal | None = None,
        payment_note: str | None = None,
        v2: bool = True,
        **ids: str,
    ) -> StationPosition:
        body = get_payment_request(
            fiscal_code, notice_number, amount=amount, payment_note=payment_note, v2=v2, **ids
        )
        answer = await self.call("paGetPaymentV2" if v2 else "paGetPayment", body)
        return parse_get_payment_response(answer, fiscal_code, notice_number, v2=v2)

    async def send_receipt(self, body: bytes, *, v2: bool = True) -> None:
        """Send a prepared :func:`send_rt_request` envelope (15 s, pagoPA's paSendRT timeout)."""
        answer = await self.call("paSendRTV2" if v2 else "paSendRT", body, timeout=15.0)
        parse_send_rt_response(answer, v2=v2)
