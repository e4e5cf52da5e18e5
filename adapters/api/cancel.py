"""``PATCH /cancel/{payment_id}``: the platform withdraws a pending payment (``links.cancel``).

The proxy asks the intermediary to cancel the position first (drivers offering
:class:`adapters.core.intermediary.Cancellable`), and only then publishes CANCELED; a
position already paid is refused by the intermediary and nothing changes. Protected by the
bearer token: a cancellation is the platform's decision, not the citizen's.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.api.auth import require_token
from adapters.api.config_routes import path_uuid
from adapters.api.openapi_parts import (
    INTERMEDIARY_ERRORS,
    SECURITY,
    json_ok,
    problems,
    ref,
    uuid_param,
)
from adapters.api.problems import Problem
from adapters.core.service import PaymentService
from adapters.i18n import gettext as _

DEFAULT_REASON = "annullato dall'ente"


async def _reason(request: Request) -> str:
    raw = await request.body()
    if not raw.strip():
        return DEFAULT_REASON
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = None
    reason = body.get("reason") if isinstance(body, dict) else None
    if reason is not None and (not isinstance(reason, str) or not 0 < len(reason) <= 255):
        body = None
    if not isinstance(body, dict):
        raise Problem(
            400,
            _("Bad request"),
            _('send no body, or a JSON object like {"reason": "why"} (reason: 1-255 characters)'),
            kind="bad-request",
        )
    return str(reason or DEFAULT_REASON)


async def cancel(request: Request) -> Response:
    require_token(request)
    payment_id = path_uuid(request, "payment_id", "payment")
    reason = await _reason(request)
    service: PaymentService = request.app.state.service
    event = await service.cancel(payment_id, reason)
    return JSONResponse(event.model_dump(mode="json"))


ROUTES = [Route("/cancel/{payment_id}", cancel, methods=["PATCH"])]

PATHS: dict[str, Any] = {
    "/cancel/{payment_id}": {
        "patch": {
            "tags": ["citizen links"],
            "operationId": "cancelPayment",
            "summary": "Cancel a pending payment (links.cancel)",
            "description": "The intermediary withdraws the position, then the payment becomes "
            "CANCELED (published on the payments topic). 409 when the payment is not pending or "
            "the driver cannot cancel; the intermediary's refusal (e.g. already paid) is a 502. "
            "Repeating it on a CANCELED payment changes nothing.",
            "security": SECURITY,
            "parameters": [uuid_param("payment_id", "The payment's id (the event's `id`)")],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"reason": {"type": "string", "maxLength": 255}},
                        }
                    }
                },
            },
            "responses": {
                **json_ok("The payment event", ref("PaymentEvent")),
                **problems(400, 401, 404, 409, *INTERMEDIARY_ERRORS),
            },
        }
    }
}
