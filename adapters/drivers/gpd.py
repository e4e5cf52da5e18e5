"""pagoPA GPD (Gestione Posizioni Debitorie, REST) as an :class:`Intermediary`.

- create: ``POST /organizations/{cf}/debtpositions?toPublish=true``. The IUPD comes from the
  payment's IUD and the IUV from a base derived from the payment id (aux digit 3, the
  configured segregation code), so a retry sends the same position: a ``409`` then means
  "already there" and a ``GET`` by IUPD returns it. A ``409`` whose IUPD is unknown is an
  IUV taken by another position: the next derived base is tried.
- checkout URL: pagoPA Checkout ``POST /carts``; the ``302`` ``Location`` is the URL
  (redirects are not followed).
- notice: rendered locally (:mod:`adapters.drivers.avviso`).
- status: ``GET /organizations/{cf}/debtpositions/{iupd}``.
- receipt: payments-receipts ``GET /payments/{cf}/receipts/{iuv}`` (the receipt XML).

HTTP 5xx, 429, timeouts and refused connections are retriable; 4xx ProblemJson answers are
permanent; 401/403 are :class:`AccessDenied`, 403 with an allowlist diagnosis.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from adapters.core.config import ConfigField, DriverSpec
from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryFault,
    NotPaidYet,
    PositionContext,
    PositionState,
    PositionStatus,
    Receipt,
    RequestRejected,
    ReturnUrls,
)
from adapters.drivers import _config
from adapters.drivers._http import (
    OPERATION_TIMEOUT,
    RECEIPT_TIMEOUT,
    CallRecord,
    RecordingTransport,
    recording,
    status_error,
    transport_error,
)
from adapters.drivers._receipt import read_receipt
from adapters.drivers._xml import UnsafeXML
from adapters.drivers.avviso import notice_data, render_notice
from adapters.pagopa import from_cents, generate_notice, iuv_base_from_key, to_cents

UAT = "https://api.uat.platform.pagopa.it"
F_GPD_URL = ConfigField(
    "gpd_base_url",
    "GPD debt positions API",
    "tenant",
    default=f"{UAT}/gpd/debt-positions-service/v1",
    pattern=r"https?://\S+",
)
F_RECEIPTS_URL = ConfigField(
    "gpd_receipts_url",
    "GPD payments-receipts API",
    "tenant",
    default=f"{UAT}/gpd/payments-receipts-service/v1",
    pattern=r"https?://\S+",
)
F_CHECKOUT_URL = ConfigField(
    "checkout_base_url",
    "pagoPA Checkout EC API",
    "tenant",
    default=f"{UAT}/checkout/ec/v1",
    pattern=r"https?://\S+",
)
F_KEY = ConfigField(
    "gpd_subscription_key_env",
    "GPD subscription key",
    "tenant",
    kind="env",
    default="GPD_SUBSCRIPTION_KEY",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    description="Name of the environment variable holding Ocp-Apim-Subscription-Key",
)
F_CHECKOUT_KEY = ConfigField(
    "checkout_subscription_key_env",
    "Checkout subscription key",
    "tenant",
    required=False,
    kind="env",
    default="CHECKOUT_SUBSCRIPTION_KEY",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    description="Name of the environment variable; no key is sent when it is unset",
)
F_SEGREGATION = ConfigField(
    "gpd_segregation_code", "Codice di segregazione", "tenant", pattern=r"\d{2}"
)
F_IBAN = ConfigField(
    "gpd_iban",
    "IBAN di accredito",
    "service",
    required=False,
    pattern=r"[A-Za-z0-9]{1,35}",
    description="Needed for every payment but a digital stamp alone",
)
FIELDS = (F_GPD_URL, F_RECEIPTS_URL, F_CHECKOUT_URL, F_KEY, F_CHECKOUT_KEY, F_SEGREGATION, F_IBAN)
DEFAULT_TAXONOMY = "9/0101108TS/"
PAID_POSITION = frozenset({"PAID", "PARTIALLY_PAID", "REPORTED"})
PAID_OPTION = frozenset({"PO_PAID", "PO_PARTIALLY_REPORTED", "PO_REPORTED"})
_IUPD = re.compile(r"[\w-]{1,35}")
_IUV_ATTEMPTS = 3


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class GpdDriver:
    """The GPD driver; configuration comes with each call (``CreditorConfig.settings``)."""

    name = "gpd"

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
        timeout: float = OPERATION_TIMEOUT,
        receipt_timeout: float = RECEIPT_TIMEOUT,
    ) -> None:
        self._http = httpx.AsyncClient(
            transport=RecordingTransport(transport), follow_redirects=False
        )
        self._environ = environ if environ is not None else os.environ
        self.timeout = timeout
        self.receipt_timeout = receipt_timeout

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- plumbing ---------------------------------------------------------------------

    def _key(self, creditor: CreditorConfig) -> str:
        value = _config.secret(creditor, F_KEY, self._environ)
        assert value is not None
        return value

    def _secrets(self, creditor: CreditorConfig) -> list[str]:
        found = []
        for spec in (F_KEY, F_CHECKOUT_KEY):
            name = creditor.settings.get(spec.key) or spec.default or ""
            value = self._environ.get(str(name))
            if value:
                found.append(value)
        return found

    def _credential(self, creditor: CreditorConfig, spec: ConfigField) -> str:
        name = creditor.settings.get(spec.key) or spec.default
        return f"the subscription key in environment variable {name}"

    def _base(self, creditor: CreditorConfig) -> str:
        return _config.required(creditor, F_GPD_URL).rstrip("/")

    def _position_url(self, creditor: CreditorConfig, iupd: str | None = None) -> str:
        url = f"{self._base(creditor)}/organizations/{creditor.creditor_fiscal_code}/debtpositions"
        return f"{url}/{iupd}" if iupd else url

    async def _send(
        self,
        record: CallRecord,
        operation: str,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        params: dict[str, str] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        record.operation = operation
        try:
            return await self._http.request(method, url, headers=headers, params=params, json=body)
        except httpx.HTTPError as exc:
            raise transport_error(exc, record, f"GPD {operation}", url) from exc
        except httpx.InvalidURL as exc:  # e.g. a redirect whose Location is no URL
            raise IntermediaryFault(
                f"GPD {operation}: the answer points to an invalid URL ({exc}); it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            ) from exc

    @staticmethod
    def _json(response: httpx.Response, record: CallRecord, what: str) -> dict[str, Any]:
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

    @staticmethod
    def _option(body: dict[str, Any], record: CallRecord, what: str) -> dict[str, Any]:
        options = body.get("paymentOption")
        if not isinstance(options, list) or not options or not isinstance(options[0], dict):
            raise IntermediaryFault(
                f"{what}: the debt position has no paymentOption; it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )
        option: dict[str, Any] = options[0]
        return option

    # -- create -----------------------------------------------------------------------

    @staticmethod
    def iupd_of(request: DebtPositionRequest) -> str:
        """The IUPD: the payment's IUD when GPD accepts it as is, else the payment id."""
        return request.iud if _IUPD.fullmatch(request.iud) else str(request.payment_id)

    def _transfers(self, request: DebtPositionRequest, taxonomy: str) -> list[dict[str, Any]]:
        creditor = request.creditor
        stamp = request.stamp
        ordinary = request.amount - (stamp.amount if stamp else Decimal(0))
        if ordinary < 0:
            raise RequestRejected(
                f"GPD: the amount {request.amount} is below the digital stamp's "
                f"{stamp.amount if stamp else 0}",
                code="INVALID_REQUEST",
            )
        transfers: list[dict[str, Any]] = []
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
                "idTransfer": str(len(transfers) + 1),
                "amount": to_cents(amount),
                "remittanceInformation": _cut(request.reason, 140),
                "category": str(meta.get("category") or taxonomy),
                "iban": iban,
            }
            other = meta.get("fiscal_code")
            if other and other != creditor.creditor_fiscal_code:
                transfer["organizationFiscalCode"] = str(other)
            transfers.append(transfer)
        if stamp is not None:
            transfers.append(
                {
                    "idTransfer": str(len(transfers) + 1),
                    "amount": to_cents(stamp.amount),
                    "remittanceInformation": _cut(request.reason, 140),
                    "category": taxonomy,
                    "stamp": {
                        "hashDocument": stamp.document_hash,
                        "stampType": stamp.stamp_type,
                        "provincialResidence": stamp.province.upper(),
                    },
                }
            )
        if not 1 <= len(transfers) <= 5:
            raise RequestRejected(
                f"GPD: a payment option carries 1 to 5 transfers, this one {len(transfers)}",
                code="INVALID_REQUEST",
            )
        return transfers

    def _body(self, request: DebtPositionRequest, iupd: str, iuv: str, nav: str) -> dict[str, Any]:
        debtor = request.debtor
        taxonomy = request.taxonomy or request.creditor.settings.get("taxonomy") or DEFAULT_TAXONOMY
        due = request.expire_at or (datetime.now(UTC) + timedelta(days=365))
        body: dict[str, Any] = {
            "iupd": iupd,
            "type": "G" if debtor.type == "legal" else "F",
            "fiscalCode": debtor.fiscal_code.upper(),
            "fullName": _cut(debtor.full_name or debtor.fiscal_code, 140),
            "companyName": _cut(request.creditor.creditor_name, 140),
            "switchToExpired": request.expire_at is not None,
            "paymentOption": [
                {
                    "iuv": iuv,
                    "nav": nav,
                    "amount": to_cents(request.amount),
                    "description": _cut(request.reason, 140),
                    "isPartialPayment": False,
                    "dueDate": due.isoformat(),
                    "fee": 0,
                    "transfer": self._transfers(request, str(taxonomy)),
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

    def _position(
        self,
        request: DebtPositionRequest,
        iupd: str,
        body: dict[str, Any],
        record: CallRecord,
        what: str,
    ) -> DebtPosition:
        option = self._option(body, record, what)
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

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        creditor = request.creditor
        with recording("create", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            headers = {"Ocp-Apim-Subscription-Key": self._key(creditor)}
            segregation = _config.required(creditor, F_SEGREGATION)
            iupd = self.iupd_of(request)
            for counter in range(_IUV_ATTEMPTS):
                base = iuv_base_from_key(str(request.payment_id), counter)
                notice = generate_notice(3, base, segregation_code=segregation)
                body = self._body(request, iupd, notice.iuv, str(notice))
                what = "GPD createPosition"
                response = await self._send(
                    record,
                    "createPosition",
                    "POST",
                    self._position_url(creditor),
                    headers=headers,
                    params={"toPublish": "true"},
                    body=body,
                )
                if response.status_code in (200, 201):
                    return self._position(
                        request, iupd, self._json(response, record, what), record, what
                    )
                if response.status_code != 409:
                    raise status_error(
                        response, record, what, credential=self._credential(creditor, F_KEY)
                    )
                # 409: our own position from an earlier attempt, or an IUV already taken.
                what = "GPD getOrganizationDebtPositionByIUPD"
                existing = await self._send(
                    record,
                    "getOrganizationDebtPositionByIUPD",
                    "GET",
                    self._position_url(creditor, iupd),
                    headers=headers,
                )
                if existing.status_code == 200:
                    return self._position(
                        request, iupd, self._json(existing, record, what), record, what
                    )
                if existing.status_code != 404:
                    raise status_error(
                        existing, record, what, credential=self._credential(creditor, F_KEY)
                    )
            raise RequestRejected(
                f"GPD: {_IUV_ATTEMPTS} derived IUVs are all taken by other positions "
                f"(segregation code {segregation}); check the segregation code",
                exchanges=record.exchanges,
                code="HTTP 409",
            )

    # -- the other verbs --------------------------------------------------------------

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        creditor = ctx.creditor
        with recording("checkout", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            headers = {}
            key = _config.secret(creditor, F_CHECKOUT_KEY, self._environ, optional=True)
            if key:
                headers["Ocp-Apim-Subscription-Key"] = key
            cart: dict[str, Any] = {
                "paymentNotices": [
                    {
                        "noticeNumber": ctx.position.notice_number,
                        "fiscalCode": ctx.position.creditor_fiscal_code,
                        "amount": to_cents(ctx.position.amount),
                        "companyName": _cut(creditor.creditor_name, 140),
                        "description": _cut(ctx.reason, 140),
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
                cart["emailNotice"] = ctx.debtor.email
            url = f"{_config.required(creditor, F_CHECKOUT_URL).rstrip('/')}/carts"
            what = "pagoPA Checkout PostCarts"
            response = await self._send(
                record, "PostCarts", "POST", url, headers=headers, body=cart
            )
            if response.status_code >= 400:
                raise status_error(
                    response, record, what, credential=self._credential(creditor, F_CHECKOUT_KEY)
                )
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

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        try:
            return render_notice(notice_data(ctx))
        except ValueError as exc:
            raise RequestRejected(f"notice for {ctx.position.notice_number}: {exc}") from exc

    async def status(self, ctx: PositionContext) -> PositionStatus:
        creditor = ctx.creditor
        with recording("status", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            iupd = ctx.position.handle.get("iupd") or ctx.position.iud
            what = "GPD getOrganizationDebtPositionByIUPD"
            response = await self._send(
                record,
                "getOrganizationDebtPositionByIUPD",
                "GET",
                self._position_url(creditor, iupd),
                headers={"Ocp-Apim-Subscription-Key": self._key(creditor)},
            )
            if response.status_code != 200:
                raise status_error(
                    response, record, what, credential=self._credential(creditor, F_KEY)
                )
            body = self._json(response, record, what)
            option = self._option(body, record, what)
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
                    paid_at=_when(option.get("paymentDate")) or _when(body.get("paymentDate")),
                    amount_paid=from_cents(amount) if isinstance(amount, int) else None,
                    transaction_id=option.get("idReceipt") or None,
                    psp=option.get("pspCompany") or None,
                )
            if status == "EXPIRED":
                return PositionStatus(PositionState.EXPIRED)
            if status == "INVALID":
                return PositionStatus(PositionState.CANCELED)
            return PositionStatus(PositionState.UNPAID)

    async def receipt(self, ctx: PositionContext) -> Receipt:
        creditor = ctx.creditor
        with recording(
            "receipt", timeout=self.receipt_timeout, secrets=self._secrets(creditor)
        ) as record:
            base = _config.required(creditor, F_RECEIPTS_URL).rstrip("/")
            iuv = ctx.position.iuv
            url = f"{base}/payments/{ctx.position.creditor_fiscal_code}/receipts/{iuv}"
            what = "GPD getReceiptByIUV"
            response = await self._send(
                record,
                "getReceiptByIUV",
                "GET",
                url,
                headers={"Ocp-Apim-Subscription-Key": self._key(creditor)},
            )
            if response.status_code == 404:
                raise NotPaidYet(
                    f"{what}: no receipt for IUV {iuv} yet", exchanges=record.exchanges
                )
            if response.status_code != 200:
                raise status_error(
                    response, record, what, credential=self._credential(creditor, F_KEY)
                )
            try:
                facts = read_receipt(response.content, what=f"the receipt of IUV {iuv}")
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
                content=response.content,
                media_type="application/xml",
                filename=f"ricevuta-{facts.iuv or iuv}.xml",
                iuv=facts.iuv or iuv,
                amount=facts.amount if facts.amount is not None else ctx.position.amount,
                payer_fiscal_code=facts.payer_fiscal_code,
                paid_at=facts.paid_at,
                receipt_id=facts.receipt_id,
            )


def spec() -> DriverSpec:
    """The GPD driver and its configuration fields."""
    return DriverSpec(
        name="gpd",
        title="pagoPA GPD — REST debt positions, Checkout, local notice",
        fields=FIELDS,
        factory=GpdDriver,
        extra={"notice": "rendered locally"},
    )


__all__ = ["FIELDS", "GpdDriver", "spec"]
