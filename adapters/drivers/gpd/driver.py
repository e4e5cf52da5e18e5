"""The GPD driver's five verbs over httpx; the JSON sent and read lives beside it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx

from adapters.core.config import DriverSpec
from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryFault,
    NotPaidYet,
    PositionContext,
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
    recording,
    status_error,
    transport_error,
)
from adapters.drivers._rest import RestClient, child_url
from adapters.drivers.avviso import render_position_notice
from adapters.drivers.gpd import answers, payloads
from adapters.drivers.gpd.config import (
    F_CHECKOUT_KEY,
    F_CHECKOUT_URL,
    F_GPD_URL,
    F_KEY,
    F_RECEIPTS_URL,
    F_SEGREGATION,
    FIELDS,
    credential,
    key,
    secrets,
)
from adapters.i18n import N_
from adapters.notice import FONT_PACKAGE, NoticeFontMissing
from adapters.pagopa import generate_notice, iuv_base_from_key

_IUV_ATTEMPTS = 3
_TARGETS_KEPT = 256  # parsed URLs kept by a driver (see GpdDriver._target)


class GpdDriver:
    """The GPD driver; configuration comes with each call (``CreditorConfig.settings``)."""

    name = "gpd"
    iupd_of = staticmethod(payloads.iupd_of)

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
        timeout: float = OPERATION_TIMEOUT,
        receipt_timeout: float = RECEIPT_TIMEOUT,
    ) -> None:
        # httpx's requests and answers over a lean transport (or the one given: a mock,
        # an ASGI app, a replay), without httpx's client per request: see _rest.
        self._http = RestClient(transport)
        self._environ = environ if environ is not None else os.environ
        self._targets: dict[tuple[str, tuple[tuple[str, str], ...]], httpx.URL] = {}
        self.timeout = timeout
        self.receipt_timeout = receipt_timeout

    async def aclose(self) -> None:
        await self._http.aclose()

    def _target(self, url: str, params: dict[str, str] | None) -> httpx.URL:
        """The parsed URL, kept for the next call: httpx's URL parser costs ~0.3 ms a
        parse, twice per request given a string and params, and an import creates every
        position at the same URL."""
        key = (url, tuple(params.items()) if params else ())
        found = self._targets.get(key)
        if found is None:
            found = self._parsed(url, params)
            if len(self._targets) >= _TARGETS_KEPT:  # per-position URLs: keep it small
                self._targets.clear()
            self._targets[key] = found
        return found

    def _parsed(self, url: str, params: dict[str, str] | None) -> httpx.URL:
        if params:
            return httpx.URL(url, params=params)
        # A position's URL is its collection's (kept) plus a segment: no parsing again.
        parent, _, segment = url.rpartition("/")
        if parent.count("/") >= 3 and "?" not in url and "#" not in url:
            child = child_url(self._target(parent, None), segment)
            if child is not None:
                return child
        return httpx.URL(url)

    # -- plumbing ---------------------------------------------------------------------

    def _position_url(self, creditor: CreditorConfig, iupd: str | None = None) -> str:
        base = _config.required(creditor, F_GPD_URL).rstrip("/")
        url = f"{base}/organizations/{creditor.creditor_fiscal_code}/debtpositions"
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
            target = self._target(url, params)
            return await self._http.request(method, target, headers=headers, json=body)
        except httpx.HTTPError as exc:
            raise transport_error(exc, record, f"GPD {operation}", url) from exc
        except httpx.InvalidURL as exc:  # e.g. a redirect whose Location is no URL
            raise IntermediaryFault(
                f"GPD {operation}: the answer points to an invalid URL ({exc}); it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            ) from exc

    # -- the five verbs ---------------------------------------------------------------

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        creditor = request.creditor
        with recording(
            "create", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            headers = {"Ocp-Apim-Subscription-Key": key(creditor, self._environ)}
            segregation = _config.required(creditor, F_SEGREGATION)
            iupd = self.iupd_of(request)
            for counter in range(_IUV_ATTEMPTS):
                base = iuv_base_from_key(str(request.payment_id), counter)
                notice = generate_notice(3, base, segregation_code=segregation)
                body = payloads.position_body(request, iupd, notice.iuv, str(notice))
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
                    return answers.position_of(
                        request, iupd, answers.json_object(response, record, what), record, what
                    )
                if response.status_code != 409:
                    raise status_error(
                        response, record, what, credential=credential(creditor, F_KEY)
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
                    return answers.position_of(
                        request, iupd, answers.json_object(existing, record, what), record, what
                    )
                if existing.status_code != 404:
                    raise status_error(
                        existing, record, what, credential=credential(creditor, F_KEY)
                    )
            raise RequestRejected(
                f"GPD: {_IUV_ATTEMPTS} derived IUVs are all taken by other positions "
                f"(segregation code {segregation}); check the segregation code",
                exchanges=record.exchanges,
                code="HTTP 409",
            )

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        creditor = ctx.creditor
        with recording(
            "checkout", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            headers = {}
            checkout_key = _config.secret(creditor, F_CHECKOUT_KEY, self._environ, optional=True)
            if checkout_key:
                headers["Ocp-Apim-Subscription-Key"] = checkout_key
            cart = payloads.cart(ctx, return_urls)
            url = f"{_config.required(creditor, F_CHECKOUT_URL).rstrip('/')}/carts"
            what = "pagoPA Checkout PostCarts"
            response = await self._send(
                record, "PostCarts", "POST", url, headers=headers, body=cart
            )
            if response.status_code >= 400:
                raise status_error(
                    response, record, what, credential=credential(creditor, F_CHECKOUT_KEY)
                )
            return answers.checkout_location(response, record, what)

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        try:
            return render_position_notice(ctx)
        except NoticeFontMissing as exc:
            raise IntermediaryFault(
                f"notice for {ctx.position.notice_number}: {exc}",
                diagnosis=f"install the Debian package {FONT_PACKAGE} on the proxy's machine",
            ) from exc
        except ValueError as exc:
            raise RequestRejected(f"notice for {ctx.position.notice_number}: {exc}") from exc

    async def status(self, ctx: PositionContext) -> PositionStatus:
        creditor = ctx.creditor
        with recording(
            "status", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            iupd = ctx.position.handle.get("iupd") or ctx.position.iud
            what = "GPD getOrganizationDebtPositionByIUPD"
            response = await self._send(
                record,
                "getOrganizationDebtPositionByIUPD",
                "GET",
                self._position_url(creditor, iupd),
                headers={"Ocp-Apim-Subscription-Key": key(creditor, self._environ)},
            )
            if response.status_code != 200:
                raise status_error(response, record, what, credential=credential(creditor, F_KEY))
            body = answers.json_object(response, record, what)
            return answers.position_status(body, record, what)

    async def cancel_position(self, ctx: PositionContext, reason: str) -> None:
        """``invalidatePosition``; a ``409`` on a position already INVALID is fine (GPD has no
        field for the reason: it stays in the proxy's event)."""
        creditor = ctx.creditor
        with recording(
            "cancel", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            iupd = ctx.position.handle.get("iupd") or ctx.position.iud
            headers = {"Ocp-Apim-Subscription-Key": key(creditor, self._environ)}
            what = "GPD invalidatePosition"
            response = await self._send(
                record,
                "invalidatePosition",
                "POST",
                f"{self._position_url(creditor, iupd)}/invalidate",
                headers=headers,
            )
            if response.status_code == 200:
                return
            if response.status_code == 409:
                existing = await self._send(
                    record,
                    "getOrganizationDebtPositionByIUPD",
                    "GET",
                    self._position_url(creditor, iupd),
                    headers=headers,
                )
                if existing.status_code == 200:
                    body = answers.json_object(existing, record, what)
                    if body.get("status") == "INVALID":
                        return
            raise status_error(response, record, what, credential=credential(creditor, F_KEY))

    async def receipt(self, ctx: PositionContext) -> Receipt:
        creditor = ctx.creditor
        with recording(
            "receipt", timeout=self.receipt_timeout, secrets=secrets(creditor, self._environ)
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
                headers={"Ocp-Apim-Subscription-Key": key(creditor, self._environ)},
            )
            if response.status_code == 404:
                raise NotPaidYet(
                    f"{what}: no receipt for IUV {iuv} yet", exchanges=record.exchanges
                )
            if response.status_code != 200:
                raise status_error(response, record, what, credential=credential(creditor, F_KEY))
            return answers.receipt_of(ctx, response.content, record, what)


def spec() -> DriverSpec:
    """The GPD driver and its configuration fields."""
    return DriverSpec(
        name="gpd",
        title=N_("pagoPA GPD — REST debt positions, Checkout, local notice"),
        fields=FIELDS,
        factory=GpdDriver,
        extra={"notice": "rendered locally"},
    )
