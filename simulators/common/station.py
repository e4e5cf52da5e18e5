"""The creditor's paForNode station, served to the Nodo (shared by the MyPay and GPD sims).

A simulator implements :class:`CreditorStation` (three methods over its own positions)
and mounts it with :func:`station_mount`; this module speaks the wire: SOAP 1.1,
document/literal, exactly the elements of the official ``paForNode.wsdl`` /
``paForNode.xsd`` (see :mod:`simulators.common.station_xml`). Operations served:
``paVerifyPaymentNotice``, ``paGetPaymentV2``, ``paSendRTV2`` and the V1
``paGetPayment``, ``paSendRT``.

Refusals are answers, not SOAP faults: a :class:`StationError` raised by the station
becomes ``<outcome>KO</outcome><fault><faultCode/><faultString/><id/><description/></fault>``.
A request that breaks the schema is answered ``PAA_SINTASSI_XSD``; an answer the station
produced that would break it is logged and replaced by ``PAA_SYSTEM_ERROR`` naming the
violation. Only messages that are not paForNode at all get a SOAP 1.1 Fault (HTTP 500).

The Nodo's side (building requests, reading answers, an httpx client) is in
:mod:`simulators.common.station_client`, re-exported here.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.common.safexml import MalformedXML, UnsafeXML
from simulators.common.station_client import (
    Exchange,
    StationClient,
    VerifiedNotice,
    get_payment_request,
    parse_get_payment_response,
    parse_send_rt_response,
    parse_verify_response,
    send_rt_request,
    verify_request,
)
from simulators.common.station_codec import (
    add_payment_data,
    all_ccp,
    read_receipt,
    response,
)
from simulators.common.station_model import (
    FAULT_STRINGS,
    CreditorStation,
    StationError,
    StationPosition,
    StationReceipt,
    StationStamp,
    StationTransfer,
)
from simulators.common.station_xml import (
    ContractViolation,
    Element,
    SoapFormatError,
    check,
    envelope,
    money,
    operation_of,
    soap_fault,
    sub,
    sub_opt,
    text,
    text_opt,
    unwrap,
)

__all__ = [
    "FAULT_STRINGS",
    "CreditorStation",
    "Exchange",
    "StationClient",
    "StationError",
    "StationPosition",
    "StationReceipt",
    "StationStamp",
    "StationTransfer",
    "VerifiedNotice",
    "get_payment_request",
    "handle_request",
    "parse_get_payment_response",
    "parse_send_rt_response",
    "parse_verify_response",
    "send_rt_request",
    "station_mount",
    "verify_request",
]

log = logging.getLogger(__name__)

# request wrapper -> response wrapper (the official names are not symmetric)
RESPONSES = {
    "paVerifyPaymentNoticeReq": "paVerifyPaymentNoticeRes",
    "paGetPaymentReq": "paGetPaymentRes",
    "paGetPaymentV2Request": "paGetPaymentV2Response",
    "paSendRTReq": "paSendRTRes",
    "paSendRTV2Request": "paSendRTV2Response",
}


def _verify_answer(position: StationPosition) -> Element:
    res = response("paVerifyPaymentNoticeRes", None, position.fiscal_code)
    option = sub(sub(res, "paymentList"), "paymentOptionDescription")
    sub(option, "amount", money(position.amount))
    sub(option, "options", "EQ")  # pagoPA accepts only EQ today
    if position.due_date is not None:
        sub(option, "dueDate", position.due_date.isoformat())
    sub(option, "detailDescription", position.description)
    sub(option, "allCCP", "true" if all_ccp(position) else "false")
    sub(res, "paymentDescription", position.description)
    sub(res, "fiscalCodePA", position.fiscal_code)
    sub(res, "companyName", position.company_name)
    sub_opt(res, "officeName", position.office_name)
    return res


def _dispatch(station: CreditorStation, name: str, payload: Element, raw: bytes) -> Element:
    answer = RESPONSES[name]
    if name == "paSendRTReq" or name == "paSendRTV2Request":
        receipt_el = payload.find("receipt")
        if receipt_el is None:
            raise SoapFormatError(f"{name}: missing element receipt")
        station.send_receipt(read_receipt(receipt_el, raw))
        return response(answer, None, text(payload, "idPA"))
    fiscal_code = text(payload, "qrCode/fiscalCode")
    notice_number = text(payload, "qrCode/noticeNumber")
    if name == "paVerifyPaymentNoticeReq":
        return _verify_answer(station.verify_payment_notice(fiscal_code, notice_number))
    raw_amount = text_opt(payload, "amount")
    amount = Decimal(raw_amount) if raw_amount is not None else None
    position = station.get_payment(fiscal_code, notice_number, amount)
    res = response(answer, None, fiscal_code)
    add_payment_data(res, position, v2=name == "paGetPaymentV2Request")
    return res


def handle_request(
    station: CreditorStation,
    payload: Element,
    raw: bytes,
    *,
    id_broker_pa: str | None = None,
    id_station: str | None = None,
    validate: bool | None = None,
) -> Element:
    """The response element for one paForNode request element (never raises)."""
    name = operation_of(payload)
    answer = RESPONSES[name]
    fault_id = text_opt(payload, "idPA") or "EC"
    try:
        try:
            check(payload, name, validate)
        except ContractViolation as exc:
            raise StationError("PAA_SINTASSI_XSD", str(exc)) from exc
        if id_broker_pa is not None and text(payload, "idBrokerPA") != id_broker_pa:
            raise StationError(
                "PAA_ID_INTERMEDIARIO_ERRATO",
                f"idBrokerPA {text(payload, 'idBrokerPA')} is not this station's broker",
            )
        if id_station is not None and text(payload, "idStation") != id_station:
            raise StationError(
                "PAA_STAZIONE_INT_ERRATA",
                f"idStation {text(payload, 'idStation')} is not {id_station}",
            )
        res = _dispatch(station, name, payload, raw)
    except StationError as exc:
        res = response(answer, exc, fault_id)
    except SoapFormatError as exc:
        res = response(answer, StationError("PAA_SINTASSI_XSD", str(exc)), fault_id)
    except Exception as exc:  # a station bug must still produce a paForNode answer
        log.exception("station failed on %s", name)
        res = response(answer, StationError("PAA_SYSTEM_ERROR", repr(exc)), fault_id)
    try:
        check(res, answer, validate)
    except ContractViolation as exc:
        log.error("station answer rejected: %s", exc)
        res = response(
            answer,
            StationError("PAA_SYSTEM_ERROR", f"the station's answer was not schema-valid: {exc}"),
            fault_id,
        )
    return res


def station_mount(
    station: CreditorStation,
    path: str = "/pagopa/paForNode",
    *,
    id_broker_pa: str | None = None,
    id_station: str | None = None,
    validate: bool | None = None,
) -> Route:
    """A Starlette route serving paForNode (SOAP 1.1 POST) for ``station`` at ``path``.

    ``id_broker_pa`` / ``id_station``, when given, are checked against the request
    (``PAA_ID_INTERMEDIARIO_ERRATO`` / ``PAA_STAZIONE_INT_ERRATA``). ``validate``
    overrides the process-wide schema validation switch for this station.
    """

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        try:
            payload = unwrap(raw)
            name = operation_of(payload)
        except (SoapFormatError, MalformedXML, UnsafeXML) as exc:
            return _fault_response("Client", str(exc))
        if name not in RESPONSES:
            served = ", ".join(n.removesuffix("Req").removesuffix("Request") for n in RESPONSES)
            return _fault_response(
                "Client", f"operation {name} is not served here; served: {served}"
            )
        res = await run_in_threadpool(
            handle_request,
            station,
            payload,
            raw,
            id_broker_pa=id_broker_pa,
            id_station=id_station,
            validate=validate,
        )
        return Response(envelope(res), media_type="text/xml; charset=utf-8")

    return Route(path, endpoint, methods=["POST"], name="paForNode")


def _fault_response(code: str, message: str) -> Response:
    return Response(
        soap_fault(code, message), status_code=500, media_type="text/xml; charset=utf-8"
    )
