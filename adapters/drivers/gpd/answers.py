"""Reading what GPD, pagoPA Checkout and payments-receipts answer: the debt position, its
state, the checkout redirect and the receipt. Anything unreadable is a retriable
``MALFORMED_ANSWER`` (or ``BROKEN_REDIRECT``) fault carrying the exchanges."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.core.intermediary import (
    DebtPosition,
    DebtPositionRequest,
    IntermediaryFault,
    NotPaidYet,
    PositionContext,
    PositionState,
    PositionStatus,
    Receipt,
)
from adapters.drivers._http import CallRecord
from adapters.drivers._receipt import read_receipt
from adapters.drivers._xml import UnsafeXML
from adapters.pagopa import from_cents

PAID_POSITION = frozenset({"PAID", "PARTIALLY_PAID", "REPORTED"})
PAID_OPTION = frozenset({"PO_PAID", "PO_PARTIALLY_REPORTED", "PO_REPORTED"})


def when(value: Any) -> datetime | None:
    """An ISO 8601 moment (UTC when it has no zone), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def json_object(response: httpx.Response, record: CallRecord, what: str) -> dict[str, Any]:
    """The answer's JSON object."""
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise IntermediaryFault(
            f"{what}: the answer is not JSON ({exc}); it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        ) from exc
    if not isinstance(body, dict):
        raise IntermediaryFault(
            f"{what}: the answer is not a JSON object; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    return body


def payment_option(body: dict[str, Any], record: CallRecord, what: str) -> dict[str, Any]:
    """The debt position's (first) payment option."""
    options = body.get("paymentOption")
    if not isinstance(options, list) or not options or not isinstance(options[0], dict):
        raise IntermediaryFault(
            f"{what}: the debt position has no paymentOption; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    option: dict[str, Any] = options[0]
    return option


def position_of(
    request: DebtPositionRequest,
    iupd: str,
    body: dict[str, Any],
    record: CallRecord,
    what: str,
) -> DebtPosition:
    """The created (or found) position: GPD's IUV, and its NAV when it is a notice number."""
    option = payment_option(body, record, what)
    iuv = str(option.get("iuv") or "")
    nav = str(option.get("nav") or "")
    if not iuv.isdigit():
        raise IntermediaryFault(
            f"{what}: the payment option has no usable IUV ({iuv!r}); it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    notice = nav if len(nav) == 18 and nav.isdigit() else f"3{iuv}"
    return DebtPosition(
        iud=request.iud,
        iuv=iuv,
        notice_number=notice,
        creditor_fiscal_code=request.creditor.creditor_fiscal_code,
        amount=request.amount,
        handle={"iupd": iupd},
    )


def position_status(body: dict[str, Any], record: CallRecord, what: str) -> PositionStatus:
    """The state of a debt position as ``getOrganizationDebtPositionByIUPD`` returns it."""
    option = payment_option(body, record, what)
    status = body.get("status")
    if not isinstance(status, str):
        raise IntermediaryFault(
            f"{what}: the debt position has no status; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    if status in PAID_POSITION or option.get("status") in PAID_OPTION:
        amount = option.get("amount")
        return PositionStatus(
            PositionState.PAID,
            paid_at=when(option.get("paymentDate")) or when(body.get("paymentDate")),
            amount_paid=from_cents(amount) if isinstance(amount, int) else None,
            transaction_id=option.get("idReceipt") or None,
            psp=option.get("pspCompany") or None,
        )
    if status == "EXPIRED":
        return PositionStatus(PositionState.EXPIRED)
    if status == "INVALID":
        return PositionStatus(PositionState.CANCELED)
    return PositionStatus(PositionState.UNPAID)


def checkout_location(response: httpx.Response, record: CallRecord, what: str) -> str:
    """The checkout URL: the ``Location`` of Checkout's redirect (not an error status)."""
    location = str(response.headers.get("location", ""))
    target = httpx.URL(location) if location else None
    if (
        response.status_code not in (301, 302, 303, 307)
        or target is None
        or not (target.scheme in ("http", "https") and target.host)
    ):
        raise IntermediaryFault(
            f"{what}: expected a 302 redirect to the checkout, got HTTP "
            f"{response.status_code} with Location {location!r}; it will be retried",
            exchanges=record.exchanges,
            code="BROKEN_REDIRECT",
        )
    return location


def receipt_of(ctx: PositionContext, content: bytes, record: CallRecord, what: str) -> Receipt:
    """The receipt XML of the position's IUV, read; :class:`NotPaidYet` for outcome KO."""
    iuv = ctx.position.iuv
    try:
        facts = read_receipt(content, what=f"the receipt of IUV {iuv}")
    except UnsafeXML as exc:
        raise IntermediaryFault(
            f"{what}: {exc}; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        ) from exc
    if facts.outcome == "KO":
        raise NotPaidYet(
            f"{what}: the receipt of IUV {iuv} has outcome KO", exchanges=record.exchanges
        )
    if facts.iuv is None and facts.amount is None:
        raise IntermediaryFault(
            f"{what}: the document is not a receipt (no creditorReferenceId, no "
            "paymentAmount); it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    return Receipt(
        content=content,
        media_type="application/xml",
        filename=f"ricevuta-{facts.iuv or iuv}.xml",
        iuv=facts.iuv or iuv,
        amount=facts.amount if facts.amount is not None else ctx.position.amount,
        payer_fiscal_code=facts.payer_fiscal_code,
        paid_at=facts.paid_at,
        receipt_id=facts.receipt_id,
    )
