"""Paper marca da bollo registration: ``POST /stamps`` and ``POST /payments/{id}/stamps``.

The citizen declares the 14-digit identifier and issue date of a paper stamp
for a payment or an application. A stamp pays for one document only, so an
identifier already registered in the same tenant is refused with 409.
(The marca da bollo *digitale* is not registered here: a ``payment_type=stamp``
service sends the document hash and the payer's province to the intermediary
when the payment is created.)
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.api.auth import require_token
from adapters.api.config_routes import json_body, path_uuid
from adapters.api.openapi_parts import SECURITY, json_ok, problems, ref, uuid_param
from adapters.api.openapi_parts import json_body as body_doc
from adapters.api.problems import Problem, field_errors, not_found
from adapters.core.store import StampAlreadyUsed, Store
from adapters.i18n import N_
from adapters.i18n import gettext as _
from adapters.pagopa import InvalidStamp, validate_stamp_identifier, validate_stamp_issue_date


def _uuid_field(data: dict[str, Any], key: str, errors: list[tuple[str, str]]) -> uuid.UUID | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        errors.append((key, _("must be a UUID")))
        return None


def _stamp_fields(data: Any) -> tuple[str, date, dict[str, Any], list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise field_errors([("body", _("send a JSON object with identifier and issued_on"))])
    identifier, issued_on = "", date.min
    try:
        identifier = validate_stamp_identifier(str(data.get("identifier") or ""))
    except InvalidStamp as exc:
        errors.append(("identifier", str(exc)))
    raw_date = data.get("issued_on")
    if not isinstance(raw_date, str) or not raw_date.strip():
        errors.append(("issued_on", _("is required: the issue date printed on the stamp")))
    else:
        try:
            issued_on = validate_stamp_issue_date(raw_date)
        except InvalidStamp as exc:
            errors.append(("issued_on", str(exc)))
    return identifier, issued_on, data, errors


def _register(
    store: Store,
    tenant_id: uuid.UUID,
    identifier: str,
    issued_on: date,
    payment_id: uuid.UUID | None,
    application_id: uuid.UUID | None,
) -> Response:
    try:
        store.register_paper_stamp(tenant_id, identifier, issued_on, payment_id, application_id)
    except StampAlreadyUsed as exc:
        raise Problem(409, _("Stamp already used"), str(exc), kind="stamp-already-used") from None
    record = {
        "tenant_id": str(tenant_id),
        "identifier": identifier,
        "issued_on": issued_on.isoformat(),
        "payment_id": str(payment_id) if payment_id else None,
        "application_id": str(application_id) if application_id else None,
    }
    return JSONResponse(record, status_code=201)


async def register_stamp(request: Request) -> Response:
    require_token(request)
    identifier, issued_on, data, errors = _stamp_fields(await json_body(request))
    tenant_id = _uuid_field(data, "tenant_id", errors)
    payment_id = _uuid_field(data, "payment_id", errors)
    application_id = _uuid_field(data, "application_id", errors)
    if tenant_id is None and "tenant_id" not in {e[0] for e in errors}:
        errors.append(("tenant_id", _("is required: the tenant the stamp is used in")))
    if payment_id is None and application_id is None and not errors:
        errors.append(
            ("payment_id", _("give payment_id or application_id: what the stamp pays for"))
        )
    store: Store = request.app.state.store
    if tenant_id is not None and store.get_tenant(tenant_id) is None:
        errors.append(
            ("tenant_id", _("no tenant %(id)s: create it with POST /tenants") % {"id": tenant_id})
        )
    if payment_id is not None and tenant_id is not None:
        stored = store.get_payment(payment_id)
        if stored is None:
            errors.append(("payment_id", _("no payment %(id)s in this proxy") % {"id": payment_id}))
        elif stored.event.tenant_id != tenant_id:
            errors.append(
                (
                    "payment_id",
                    _("payment %(id)s belongs to another tenant") % {"id": payment_id},
                )
            )
    if errors or tenant_id is None:
        raise field_errors(errors)
    return _register(store, tenant_id, identifier, issued_on, payment_id, application_id)


async def register_payment_stamp(request: Request) -> Response:
    require_token(request)
    payment_id = path_uuid(request, "payment_id", "payment")
    store: Store = request.app.state.store
    stored = store.get_payment(payment_id)
    if stored is None:
        raise not_found(
            "payment", payment_id, N_("check the id, or register the stamp with /stamps")
        )
    identifier, issued_on, _document, errors = _stamp_fields(await json_body(request))
    if errors:
        raise field_errors(errors)
    return _register(store, stored.event.tenant_id, identifier, issued_on, payment_id, None)


ROUTES = [
    Route("/stamps", register_stamp, methods=["POST"]),
    Route("/payments/{payment_id}/stamps", register_payment_stamp, methods=["POST"]),
]

_RESPONSES = {
    **json_ok("The stamp is registered", ref("PaperStamp"), 201),
    **problems(400, 401, 404, 409, 422),
}
_RESPONSES["409"]["description"] = "The stamp identifier was already used in this tenant."

PATHS: dict[str, Any] = {
    "/stamps": {
        "post": {
            "tags": ["stamps"],
            "operationId": "registerPaperStamp",
            "summary": "Register a paper marca da bollo for a payment or an application",
            "security": SECURITY,
            "requestBody": body_doc(ref("PaperStampInput")),
            "responses": {k: v for k, v in _RESPONSES.items() if k != "404"},
        }
    },
    "/payments/{payment_id}/stamps": {
        "post": {
            "tags": ["stamps"],
            "operationId": "registerPaymentPaperStamp",
            "summary": "Register a paper marca da bollo for a payment",
            "security": SECURITY,
            "parameters": [uuid_param("payment_id", "The payment the stamp is for")],
            "requestBody": body_doc(ref("PaymentPaperStampInput")),
            "responses": _RESPONSES,
        }
    },
}
