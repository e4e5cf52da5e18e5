"""The REST operations of ``gpd.json`` (debt positions) and ``gpd_payments.json`` (receipts)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.gpd.gate import Gate, problem
from simulators.gpd.models import STATUSES, DebtPosition
from simulators.gpd.render import position_model, position_response
from simulators.gpd.store import BadRequest, Entry, GpdError, GpdStore

DEBT_POSITIONS = "/gpd/debt-positions-service/v1"
RECEIPTS = "/gpd/payments-receipts-service/v1"
MAX_DAYS_INTERVAL = 30
MAX_IBAN_UPDATES = 1000  # updateTransferIbanMassive's limit: default and maximum
ORDER_KEYS: dict[str, Callable[[DebtPosition], Any]] = {
    "INSERTED_DATE": lambda p: p.inserted_date,
    "IUPD": lambda p: p.iupd,
    "STATUS": lambda p: p.status,
    "COMPANY_NAME": lambda p: p.company_name,
}
_SEGREGATION_CODES = "segregationCodes"


def json_response(content: object, status: int = 200) -> Response:
    return Response(
        json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode(),
        status_code=status,
        media_type="application/json",
    )


def _error(exc: GpdError) -> Response:
    return problem(exc.status, exc.title, exc.detail)


def _boolean(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return False
    if raw.lower() not in ("true", "false"):
        raise BadRequest(
            f"query parameter {name} must be true or false, got {raw!r}", "Bad Request"
        )
    return raw.lower() == "true"


def _integer(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(
            f"query parameter {name} must be an integer, got {raw!r}", "Bad Request"
        ) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"query parameter {name} must be {bound}, got {value}", "Bad Request")
    return value


def _choice(
    request: Request, name: str, default: str | None, allowed: tuple[str, ...]
) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise BadRequest(
            f"query parameter {name} must be one of {', '.join(allowed)}, got {raw!r}",
            "Bad Request",
        )
    return raw


def _day(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            f"query parameter {name} must be a date yyyy-MM-dd, got {raw!r}", "Bad Request"
        ) from None


def _interval(request: Request, prefix: str) -> tuple[datetime, datetime] | None:
    """GPD's date filter: a missing bound is the other one ± 30 days; at most 30 days."""
    low, high = _day(request, f"{prefix}_from"), _day(request, f"{prefix}_to")
    if low is None and high is None:
        return None
    if low is None:
        assert high is not None
        low = high - timedelta(days=MAX_DAYS_INTERVAL)
    if high is None:
        high = low + timedelta(days=MAX_DAYS_INTERVAL)
    start, end = datetime.combine(low, time.min), datetime.combine(high, time.max)
    if end < start or (high - low).days > MAX_DAYS_INTERVAL:
        raise BadRequest(
            f"Debt positions cannot be recovered. Verify that {prefix}_to >= {prefix}_from and "
            f"that the interval between the two dates does not exceed {MAX_DAYS_INTERVAL} days "
            f"[{prefix}_from={low}, {prefix}_to={high}]",
            "The debt positions cannot be recovered",
        )
    return start, end


class GpdApi:
    """Handlers for both GPD REST services over one :class:`GpdStore`."""

    def __init__(self, store: GpdStore, gate: Gate, organizations: tuple[str, ...]) -> None:
        self.store = store
        self.gate = gate
        self.organizations = frozenset(organizations)

    def _org(self, request: Request) -> str:
        org: str = request.path_params["organizationfiscalcode"]
        if self.organizations and org not in self.organizations:
            raise _Forbidden(org)
        return org

    async def _body(self, request: Request) -> object:
        raw = await request.body()
        try:
            return json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the request body is not valid JSON: {exc}", "Bad Request") from None

    def rendered(self, entry: Entry) -> bytes:
        """The position's JSON (``PaymentPositionModelBaseResponse``), rendered once and
        kept until the store changes the position."""
        body = entry.cached
        if body is None:
            # Rendered under the store's lock: a receipt arriving meanwhile (station thread)
            # cannot leave a half-updated rendering in the cache.
            with self.store.lock:
                position = position_response(entry.position)
                body = json.dumps(position, separators=(",", ":")).encode()
                entry.cached = body
        return body

    def _cached(self, entry: Entry) -> Response:
        return Response(self.rendered(entry), media_type="application/json")

    # --- debt positions ---------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        org = self._org(request)
        to_publish = _boolean(request, "toPublish")
        entry = self.store.create(org, await self._body(request), to_publish)
        return json_response(position_model(entry.position), 201)

    async def get(self, request: Request) -> Response:
        org = self._org(request)
        entry = self.store.entry(org, request.path_params["iupd"])
        return self._cached(entry)

    async def list_positions(self, request: Request) -> Response:
        org = self._org(request)
        limit = _integer(request, "limit", 10, 1, 50)
        page = _integer(request, "page", 0, 0, None)
        status = _choice(request, "status", None, STATUSES)
        order = _choice(request, "orderby", "INSERTED_DATE", tuple(ORDER_KEYS)) or "INSERTED_DATE"
        ordering = _choice(request, "ordering", "DESC", ("ASC", "DESC"))
        due = _interval(request, "due_date")
        paid = _interval(request, "payment_date")
        if due is not None and paid is not None:
            raise BadRequest(
                "the due date interval and the payment date interval are mutually exclusive",
                "Bad Request",
            )
        positions = [e.position for e in self.store.organization_entries(org)]
        if status is not None:
            positions = [p for p in positions if p.status == status]
        if due is not None:
            start, end = due
            positions = [p for p in positions if any(start <= o.due_date <= end for o in p.options)]
        if paid is not None:
            start, end = paid
            positions = [
                p
                for p in positions
                if p.payment_date is not None and start <= p.payment_date <= end
            ]
        positions.sort(key=ORDER_KEYS[order], reverse=ordering == "DESC")
        chunk = positions[page * limit : (page + 1) * limit]
        return json_response(
            {
                "payment_position_list": [position_response(p) for p in chunk],
                "page_info": {
                    "page": page,
                    "limit": limit,
                    "items_found": len(chunk),
                    "total_pages": math.ceil(len(positions) / limit),
                },
            }
        )

    async def update(self, request: Request) -> Response:
        org = self._org(request)
        to_publish = _boolean(request, "toPublish")
        body = await self._body(request)
        entry = self.store.update(org, request.path_params["iupd"], body, to_publish)
        return json_response(position_model(entry.position))

    async def delete(self, request: Request) -> Response:
        self.store.delete(self._org(request), request.path_params["iupd"])
        return json_response("Debt Position Deleted")

    async def publish(self, request: Request) -> Response:
        entry = self.store.publish(self._org(request), request.path_params["iupd"])
        return json_response(position_model(entry.position))

    async def invalidate(self, request: Request) -> Response:
        entry = self.store.invalidate(self._org(request), request.path_params["iupd"])
        return json_response(position_model(entry.position))

    async def update_ibans(self, request: Request) -> Response:
        """``updateTransferIbanMassive``: ``oldIban`` → body's ``newIban`` on the updatable
        transfers of the organization (``limit`` at most, 1000 by default and at most)."""
        org = self._org(request)
        old_iban = request.query_params.get("oldIban")
        if old_iban is None:
            raise BadRequest(
                "query parameter oldIban is required: the IBAN to replace", "Bad Request"
            )
        # The spec sets no minimum; a negative LIMIT is refused rather than failing later.
        limit = _integer(request, "limit", MAX_IBAN_UPDATES, 0, MAX_IBAN_UPDATES)
        body = await self._body(request)
        if not isinstance(body, dict) or "newIban" not in body:
            raise BadRequest(
                'the body must be an UpdateTransferIbanMassiveModel: {"newIban": "IT..."}',
                "Bad Request",
            )
        updated = self.store.update_ibans(org, old_iban, body["newIban"], limit)
        return json_response(
            {"description": f"Updated IBAN on {updated} Transfers", "updatedTransfers": updated}
        )

    # --- payments receipts ------------------------------------------------------------------

    def _segregation_codes(self, request: Request) -> list[str] | None:
        raw = request.query_params.get(_SEGREGATION_CODES)
        if raw is None:
            return None
        # gpd_payments.json declares no 400 here: a code that is not two digits simply
        # matches no receipt (the page is then empty: 404, as the spec says).
        return [code.strip() for code in raw.split(",")]

    async def receipts(self, request: Request) -> Response:
        org = self._org(request)
        try:
            page = _integer(request, "pageNum", 0, 0, None)
            size = _integer(request, "pageSize", 20, 1, 100)
        except BadRequest as exc:
            # gpd_payments.json declares no 400 here: a page that cannot exist is not found.
            raise _NotFoundReceipts(f"{exc.detail}: no such page of receipts for {org}") from None
        codes = self._segregation_codes(request)
        params = request.query_params
        debtor, service = params.get("debtor"), params.get("service")
        low, high, either = params.get("from"), params.get("to"), params.get("debtorOrIuv")
        with self.store.lock:
            found = [r for (o, _), r in self.store.receipts.items() if o == org]
        if debtor:
            found = [r for r in found if r.debtor == debtor]
        if service:
            found = [r for r in found if r.iuv.startswith(service)]
        if low and high:
            found = [
                r
                for r in found
                if low <= r.payment_datetime[: len(low)] and r.payment_datetime[: len(high)] <= high
            ]
        if either:
            found = [r for r in found if r.iuv.startswith(either) or r.debtor.startswith(either)]
        if codes is not None:
            found = [r for r in found if r.iuv[:2] in codes]
        found.sort(key=lambda r: r.payment_datetime, reverse=True)
        total_pages = math.ceil(len(found) / size)
        if page >= total_pages:
            # The spec declares 404 "No receipts found" for an empty page.
            raise _NotFoundReceipts(
                f"Not found receipts for Organization Fiscal Code {org} and page {page}"
            )
        chunk = found[page * size : (page + 1) * size]
        return json_response(
            {
                "currentPageNumber": page,
                "length": len(chunk),
                "totalPages": total_pages,
                "results": [r.summary() for r in chunk],
            }
        )

    async def receipt(self, request: Request) -> Response:
        org = self._org(request)
        iuv: str = request.path_params["iuv"]
        codes = self._segregation_codes(request)
        if codes is not None and iuv[:2] not in codes:
            return problem(
                403,
                "The receipt retrieve is forbidden",
                f"The caller does not have proper authorization to access IUV with the following "
                f"segregation code {iuv[:2]} [Organization Fiscal Code={org}, IUV={iuv}]",
            )
        record = self.store.receipts.get((org, iuv))
        if record is None:
            return problem(
                404,
                "Not found the receipt",
                f"Not found a receipt for Organization Fiscal Code {org} and IUV {iuv}",
            )
        return Response(record.document, media_type="application/xml")

    # --- routing ----------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        api, safe = self.gate.api, self.safe
        base = DEBT_POSITIONS + "/organizations/{organizationfiscalcode}/debtpositions"
        receipts = RECEIPTS + "/payments/{organizationfiscalcode}/receipts"
        return [
            Route(base, api(safe(self.list_positions), "status"), methods=["GET"]),
            Route(base, api(safe(self.create), "create"), methods=["POST"]),
            # Before "/{iupd}": "transfers" is this operation's, not a position's IUPD.
            Route(base + "/transfers", api(safe(self.update_ibans)), methods=["PATCH"]),
            Route(base + "/{iupd}", api(safe(self.get), "status"), methods=["GET"]),
            Route(base + "/{iupd}", api(safe(self.update)), methods=["PUT"]),
            Route(base + "/{iupd}", api(safe(self.delete)), methods=["DELETE"]),
            Route(base + "/{iupd}/publish", api(safe(self.publish)), methods=["POST"]),
            Route(base + "/{iupd}/invalidate", api(safe(self.invalidate)), methods=["POST"]),
            Route(receipts, api(safe(self.receipts), "receipt"), methods=["GET"]),
            Route(receipts + "/{iuv}", api(safe(self.receipt), "receipt"), methods=["GET"]),
        ]

    @staticmethod
    def safe(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except _Forbidden as exc:
                body = {
                    "statusCode": 403,
                    "message": f"You are not allowed to access this resource: {exc}",
                }
                return json_response(body, 403)
            except GpdError as exc:
                return _error(exc)
            return response

        return endpoint


class _Forbidden(Exception):
    def __init__(self, org: str) -> None:
        super().__init__(f"the subscription is not enabled for organization {org}")


class _NotFoundReceipts(GpdError):
    status = 404
    title = "Not found the receipts"
