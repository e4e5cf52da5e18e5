"""``GET /payments/{id}``: what the proxy knows of a payment, for operators and the suite.

The latest event, plus what the event alone cannot say: the CSV import job and
line it came from (when it was imported), where the creation
stands (attempts, the last error with its reason, when the next attempt is due),
the debt position at the intermediary, the polling schedule, the delivery of
each notification and the exchanges with the intermediary — the evidence an
integrator forwards to the vendor. Protected by the bearer token.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.api.auth import require_token
from adapters.api.config_routes import path_uuid
from adapters.api.openapi_parts import SECURITY, json_ok, problems, ref, uuid_param
from adapters.api.problems import not_found
from adapters.core.store import Store
from adapters.i18n import N_


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def get_payment(request: Request) -> Response:
    require_token(request)
    payment_id = path_uuid(request, "payment_id", "payment")
    store: Store = request.app.state.store
    stored = store.get_payment(payment_id)
    if stored is None:
        raise not_found("payment", payment_id, N_("check the id in the payment event"))
    position = stored.position
    payload = {
        "event": stored.event.model_dump(mode="json"),
        "processing": {
            "origin": stored.origin,
            "creation_attempts": stored.attempts,
            "last_error": stored.last_error,
            "next_attempt_at": _iso(stored.next_attempt_at),
            "status_checks": stored.checks,
            "next_check_at": _iso(stored.next_check_at),
        },
        "position": None
        if position is None
        else {
            "iud": position.iud,
            "iuv": position.iuv,
            "notice_number": position.notice_number,
            "creditor_fiscal_code": position.creditor_fiscal_code,
            "amount": float(position.amount),
        },
        "import": _import_of(store, payment_id),
        "notifications": store.notification_status(payment_id),
        "exchanges": store.exchanges_for(payment_id),
    }
    return Response(json.dumps(payload, default=_json_default), media_type="application/json")


def _import_of(store: Store, payment_id: uuid.UUID) -> dict[str, Any] | None:
    """The CSV import job and line that brought the payment in, if one did."""
    found = store.import_of_payment(payment_id)
    if found is None:
        return None
    import_id, line = found
    return {"id": str(import_id), "line": line, "url": f"/imports/{import_id}"}


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


ROUTES = [Route("/payments/{payment_id}", get_payment, methods=["GET"])]

COMPONENTS: dict[str, Any] = {
    "PaymentDetail": {
        "type": "object",
        "properties": {
            "event": ref("PaymentEvent"),
            "processing": {
                "type": "object",
                "properties": {
                    "origin": {"type": "string", "enum": ["created", "adopted", "imported"]},
                    "creation_attempts": {"type": "integer", "minimum": 0},
                    "last_error": {"type": ["string", "null"]},
                    "next_attempt_at": {"type": ["string", "null"], "format": "date-time"},
                    "status_checks": {"type": "integer", "minimum": 0},
                    "next_check_at": {"type": ["string", "null"], "format": "date-time"},
                },
                "required": ["origin", "creation_attempts", "last_error", "status_checks"],
            },
            "position": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "iud": {"type": "string"},
                            "iuv": {"type": "string"},
                            "notice_number": {"type": "string"},
                            "creditor_fiscal_code": {"type": "string"},
                            "amount": {"type": "number"},
                        },
                        "required": ["iud", "iuv", "notice_number"],
                    },
                ]
            },
            "import": {
                "description": "the CSV import job and line the payment came from, if any",
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string", "format": "uuid"},
                            "line": {"type": "integer"},
                            "url": {"type": "string"},
                        },
                        "required": ["id", "line", "url"],
                    },
                ],
            },
            "notifications": {"type": "array", "items": {"type": "object"}},
            "exchanges": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["event", "processing", "position", "notifications", "exchanges"],
    }
}

PATHS: dict[str, Any] = {
    "/payments/{payment_id}": {
        "get": {
            "tags": ["payments"],
            "operationId": "getPayment",
            "summary": "A payment as the proxy knows it: event, processing state, evidence",
            "security": SECURITY,
            "parameters": [uuid_param("payment_id", "The payment's id")],
            "responses": {
                **json_ok("The payment", ref("PaymentDetail")),
                **problems(400, 401, 404),
            },
        }
    }
}
