"""The JSON GPD and pagoPA Checkout are sent: the debt position (``PaymentPositionModel``,
one payment option, its transfers and digital stamp) and the cart."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.core.intermediary import (
    DebtPositionRequest,
    PositionContext,
    RequestRejected,
    ReturnUrls,
)
from adapters.drivers import _config
from adapters.drivers.gpd.config import F_IBAN
from adapters.pagopa import to_cents

DEFAULT_TAXONOMY = "9/0101108TS/"
_IUPD = re.compile(r"[\w-]{1,35}")


def cut(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def iupd_of(request: DebtPositionRequest) -> str:
    """The IUPD: the payment's IUD when GPD accepts it as is, else the payment id."""
    return request.iud if _IUPD.fullmatch(request.iud) else str(request.payment_id)


def transfers(request: DebtPositionRequest, taxonomy: str) -> list[dict[str, Any]]:
    """The payment option's transfers: the split (or one share), then the stamp."""
    creditor = request.creditor
    stamp = request.stamp
    ordinary = request.amount - (stamp.amount if stamp else Decimal(0))
    if ordinary < 0:
        raise RequestRejected(
            f"GPD: the amount {request.amount} is below the digital stamp's "
            f"{stamp.amount if stamp else 0}",
            code="INVALID_REQUEST",
        )
    found: list[dict[str, Any]] = []
    shares = list(request.transfers) if request.transfers else []
    if ordinary > 0 and not shares:
        shares_amounts: list[tuple[Decimal, Mapping[str, Any]]] = [(ordinary, {})]
    else:
        shares_amounts = [(t.amount, t.meta) for t in shares]
        if ordinary > 0 and sum(a for a, _ in shares_amounts) != ordinary:
            raise RequestRejected(
                f"GPD: the split sums to {sum(a for a, _ in shares_amounts)}, "
                f"the payment (without stamp) is {ordinary}",
                code="INVALID_REQUEST",
            )
    for amount, meta in shares_amounts:
        iban = str(meta.get("iban") or "") or _config.required(creditor, F_IBAN)
        transfer: dict[str, Any] = {
            "idTransfer": str(len(found) + 1),
            "amount": to_cents(amount),
            "remittanceInformation": cut(request.reason, 140),
            "category": str(meta.get("category") or taxonomy),
            "iban": iban,
        }
        other = meta.get("fiscal_code")
        if other and other != creditor.creditor_fiscal_code:
            transfer["organizationFiscalCode"] = str(other)
        found.append(transfer)
    if stamp is not None:
        found.append(
            {
                "idTransfer": str(len(found) + 1),
                "amount": to_cents(stamp.amount),
                "remittanceInformation": cut(request.reason, 140),
                "category": taxonomy,
                "stamp": {
                    "hashDocument": stamp.document_hash,
                    "stampType": stamp.stamp_type,
                    "provincialResidence": stamp.province.upper(),
                },
            }
        )
    if not 1 <= len(found) <= 5:
        raise RequestRejected(
            f"GPD: a payment option carries 1 to 5 transfers, this one {len(found)}",
            code="INVALID_REQUEST",
        )
    return found


def position_body(request: DebtPositionRequest, iupd: str, iuv: str, nav: str) -> dict[str, Any]:
    """The debt position to create, with one payment option for notice ``nav``."""
    debtor = request.debtor
    taxonomy = request.taxonomy or request.creditor.settings.get("taxonomy") or DEFAULT_TAXONOMY
    due = request.expire_at or (datetime.now(UTC) + timedelta(days=365))
    body: dict[str, Any] = {
        "iupd": iupd,
        "type": "G" if debtor.type == "legal" else "F",
        "fiscalCode": debtor.fiscal_code.upper(),
        "fullName": cut(debtor.full_name or debtor.fiscal_code, 140),
        "companyName": cut(request.creditor.creditor_name, 140),
        "switchToExpired": request.expire_at is not None,
        "paymentOption": [
            {
                "iuv": iuv,
                "nav": nav,
                "amount": to_cents(request.amount),
                "description": cut(request.reason, 140),
                "isPartialPayment": False,
                "dueDate": due.isoformat(),
                "fee": 0,
                "transfer": transfers(request, str(taxonomy)),
            }
        ],
    }
    optional = {
        "streetName": debtor.street_name,
        "civicNumber": debtor.building_number,
        "postalCode": debtor.postal_code,
        "city": debtor.town_name,
        "province": debtor.province,
        "country": debtor.country if debtor.country and len(debtor.country) == 2 else None,
        "email": debtor.email,
    }
    body.update({k: v for k, v in optional.items() if v})
    return body


def cart(ctx: PositionContext, return_urls: ReturnUrls) -> dict[str, Any]:
    """The Checkout cart (``POST /carts``) paying the position's notice."""
    creditor = ctx.creditor
    body: dict[str, Any] = {
        "paymentNotices": [
            {
                "noticeNumber": ctx.position.notice_number,
                "fiscalCode": ctx.position.creditor_fiscal_code,
                "amount": to_cents(ctx.position.amount),
                "companyName": cut(creditor.creditor_name, 140),
                "description": cut(ctx.reason, 140),
            }
        ],
        "returnUrls": {
            "returnOkUrl": return_urls.ok,
            "returnCancelUrl": return_urls.cancel,
            "returnErrorUrl": return_urls.error,
        },
        "idCart": str(ctx.payment_id),
    }
    if ctx.debtor.email:
        body["emailNotice"] = ctx.debtor.email
    return body
