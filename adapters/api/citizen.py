"""Citizen links: the URLs a payment event carries, opened by the browser or the platform.

``/online-payment/{id}`` (302 to checkout), ``/notice/{id}`` and its alias
``/offline-payment/{id}`` (the avviso PDF), ``/landing/{id}`` (302 back to the
platform after paying), ``/update/{id}`` (asks the intermediary, returns the
payment JSON) and ``/receipt/{id}`` (the RT once paid). They need no token: the
payment id is the capability, as in OpenCity's proxies.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from adapters.api.openapi_parts import INTERMEDIARY_ERRORS, json_ok, problems, redirect, uuid_param
from adapters.api.problems import not_found
from adapters.core.service import PaymentService
from adapters.i18n import N_


def _service(request: Request) -> PaymentService:
    service: PaymentService = request.app.state.service
    return service


def _payment_id(request: Request) -> uuid.UUID:
    raw = str(request.path_params["payment_id"])
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise not_found(
            "payment", raw, N_("a payment id is a UUID, as in the event's id")
        ) from None


def _safe_filename(name: str) -> str:
    return "".join(c for c in name if c.isalnum() or c in "-_.") or "download"


async def online_payment(request: Request) -> Response:
    url = await _service(request).begin_online_payment(_payment_id(request))
    return RedirectResponse(url, status_code=302)


async def notice(request: Request) -> Response:
    payment_id = _payment_id(request)
    pdf = await _service(request).notice_pdf(payment_id)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="avviso-{payment_id}.pdf"'},
    )


async def landing(request: Request) -> Response:
    url = await _service(request).landing(_payment_id(request))
    return RedirectResponse(url, status_code=302)


async def update(request: Request) -> Response:
    event = await _service(request).update(_payment_id(request))
    return JSONResponse(event.model_dump(mode="json"))


async def receipt(request: Request) -> Response:
    found = await _service(request).receipt(_payment_id(request))
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{_safe_filename(found.filename)}"'},
    )


ROUTES = [
    Route("/online-payment/{payment_id}", online_payment, methods=["GET"]),
    Route("/notice/{payment_id}", notice, methods=["GET"]),
    Route("/offline-payment/{payment_id}", notice, methods=["GET"]),
    Route("/landing/{payment_id}", landing, methods=["GET"]),
    Route("/update/{payment_id}", update, methods=["GET"]),
    Route("/receipt/{payment_id}", receipt, methods=["GET"]),
]

_ID = uuid_param("payment_id", "The payment's id (the event's `id`)")
_PDF = {
    "200": {
        "description": "The paper notice (avviso di pagamento)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def _op(summary: str, description: str, responses: dict[str, Any], op_id: str) -> dict[str, Any]:
    return {
        "get": {
            "tags": ["citizen links"],
            "operationId": op_id,
            "summary": summary,
            "description": description,
            "parameters": [_ID],
            "responses": responses,
        }
    }


_NOTICE_DOC = (
    "Downloads the avviso PDF from the intermediary (QR code and notice number). "
    "404 for an unknown payment, 409 while the position is not created yet."
)

PATHS: dict[str, Any] = {
    "/online-payment/{payment_id}": _op(
        "Start the online payment",
        "Asks the intermediary for the checkout URL, moves the payment to PAYMENT_STARTED "
        "and redirects the browser there.",
        {
            **redirect("To the intermediary's checkout page"),
            **problems(404, 409, *INTERMEDIARY_ERRORS),
        },
        "beginOnlinePayment",
    ),
    "/notice/{payment_id}": _op(
        "Download the paper notice",
        _NOTICE_DOC,
        {**_PDF, **problems(404, 409, *INTERMEDIARY_ERRORS)},
        "downloadNotice",
    ),
    "/offline-payment/{payment_id}": _op(
        "Download the paper notice (alias of /notice)",
        _NOTICE_DOC,
        {**_PDF, **problems(404, 409, *INTERMEDIARY_ERRORS)},
        "downloadNoticeOffline",
    ),
    "/landing/{payment_id}": _op(
        "Return from the checkout",
        "Checks the payment's status with the intermediary, then redirects to the platform's "
        "landing URL (links.online_payment_landing).",
        {**redirect("To the platform's landing page"), **problems(404, *INTERMEDIARY_ERRORS)},
        "landing",
    ),
    "/update/{payment_id}": _op(
        "Check the payment with the intermediary",
        "Asks the intermediary for the position's status; on a change stores it and publishes "
        "a new event on the payments topic. Returns the latest payment event.",
        {
            **json_ok(
                "The payment event (version 2.0)", {"$ref": "#/components/schemas/PaymentEvent"}
            ),
            **problems(404, *INTERMEDIARY_ERRORS),
        },
        "updatePayment",
    ),
    "/receipt/{payment_id}": _op(
        "Download the receipt (RT)",
        "The receipt of a paid payment, as the intermediary provides it (XML or PDF). "
        "409 while the payment is not paid.",
        {
            "200": {
                "description": "The receipt",
                "content": {
                    "application/xml": {"schema": {"type": "string"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                },
            },
            **problems(404, 409, *INTERMEDIARY_ERRORS),
        },
        "downloadReceipt",
    ),
}
