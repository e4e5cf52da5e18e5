"""``POST /checkout/ec/v{1,2}/carts``: the request checks of ``checkout_v1.json`` / ``v2``.

Written from the official OpenAPI documents (``CartRequest`` / ``CartRequestV2``):
1 to 5 ``paymentNotices`` (noticeNumber 18 digits, fiscalCode 11 digits, amount integer
euro cents >= 1, companyName and description up to 140 characters), ``returnUrls``
with ``returnOkUrl``, ``returnCancelUrl``, ``returnErrorUrl`` (v2: and
``returnWaitingUrl``), optional ``emailNotice``, ``idCart``, ``allCCP``.
A formally invalid body is a 400 ProblemJson naming the field; the same notice twice
in one cart is a 422 (as pagoPA's own cart API tests expect).

Deliberately stricter than the published example: return URLs must be absolute
http(s) URLs (the example's ``www.comune.di.prova.it/...`` is not a URI a browser
can be redirected to). ``allCCP`` also accepts the strings ``"true"``/``"false"``,
since the official example sends ``"false"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_NOTICES = 5
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class CartProblem(ValueError):
    """A refused cart: ``status`` 400 (formally invalid) or 422 (semantically invalid)."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail

    def to_problem(self, instance: str) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }


@dataclass(frozen=True)
class NoticeRequest:
    notice_number: str
    fiscal_code: str
    amount_cents: int
    company_name: str
    description: str


@dataclass(frozen=True)
class ReturnUrls:
    ok: str
    cancel: str
    error: str
    waiting: str | None = None


@dataclass(frozen=True)
class CartRequest:
    notices: list[NoticeRequest]
    return_urls: ReturnUrls
    email: str | None
    id_cart: str | None
    all_ccp: bool


def _bad(detail: str) -> CartProblem:
    return CartProblem(400, "Formally invalid input", detail)


def _text(obj: dict[str, Any], key: str, where: str, max_len: int = 140) -> str:
    value = obj.get(key)
    if value is None:
        raise _bad(f"missing {where}{key}")
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"{where}{key} must be a non-empty string")
    if len(value) > max_len:
        raise _bad(f"{where}{key} is {len(value)} characters long; at most {max_len} allowed")
    return value


def _digits(obj: dict[str, Any], key: str, where: str, length: int) -> str:
    value = _text(obj, key, where)
    if not re.fullmatch(rf"\d{{{length}}}", value):
        raise _bad(f"{where}{key} must be exactly {length} digits, got {value!r}")
    return value


def _url(obj: dict[str, Any], key: str) -> str:
    value = _text(obj, key, "returnUrls.", max_len=2048)
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise _bad(f"returnUrls.{key} must be an absolute http(s) URL, got {value!r}")
    return value


def _notice(raw: Any, index: int) -> NoticeRequest:
    where = f"paymentNotices[{index}]."
    if not isinstance(raw, dict):
        raise _bad(f"paymentNotices[{index}] must be an object")
    amount = raw.get("amount")
    if amount is None:
        raise _bad(f"missing {where}amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise _bad(f"{where}amount must be an integer number of euro cents >= 1, got {amount!r}")
    return NoticeRequest(
        notice_number=_digits(raw, "noticeNumber", where, 18),
        fiscal_code=_digits(raw, "fiscalCode", where, 11),
        amount_cents=amount,
        company_name=_text(raw, "companyName", where),
        description=_text(raw, "description", where),
    )


def parse_cart(body: Any, version: int) -> CartRequest:
    """Check a ``CartRequest`` (v1) or ``CartRequestV2`` body; CartProblem when refused."""
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object (CartRequest)")
    notices_raw = body.get("paymentNotices")
    if notices_raw is None:
        raise _bad("missing paymentNotices")
    if not isinstance(notices_raw, list) or not 1 <= len(notices_raw) <= MAX_NOTICES:
        raise _bad(f"paymentNotices must be an array of 1 to {MAX_NOTICES} payment notices")
    notices = [_notice(raw, i) for i, raw in enumerate(notices_raw)]
    urls_raw = body.get("returnUrls")
    if not isinstance(urls_raw, dict):
        raise _bad("missing returnUrls (an object with returnOkUrl, returnCancelUrl, ...)")
    urls = ReturnUrls(
        ok=_url(urls_raw, "returnOkUrl"),
        cancel=_url(urls_raw, "returnCancelUrl"),
        error=_url(urls_raw, "returnErrorUrl"),
        waiting=_url(urls_raw, "returnWaitingUrl") if version >= 2 else None,
    )
    email = body.get("emailNotice")
    if email is not None and (not isinstance(email, str) or not _EMAIL.fullmatch(email)):
        raise _bad(f"emailNotice must be an e-mail address, got {email!r}")
    id_cart = body.get("idCart")
    if id_cart is not None and not isinstance(id_cart, str):
        raise _bad("idCart must be a string")
    all_ccp = body.get("allCCP", False)
    if all_ccp in ("true", "false"):
        all_ccp = all_ccp == "true"
    if not isinstance(all_ccp, bool):
        raise _bad(f"allCCP must be a boolean, got {all_ccp!r}")
    seen: set[tuple[str, str]] = set()
    for notice in notices:
        key = (notice.fiscal_code, notice.notice_number)
        if key in seen:
            raise CartProblem(
                422,
                "Duplicate payment notice",
                f"notice {notice.notice_number} of creditor {notice.fiscal_code} "
                "appears more than once in the cart",
            )
        seen.add(key)
    return CartRequest(notices, urls, email, id_cart, all_ccp)
