"""The GovPay driver's verbs over httpx; the JSON sent and read, the errors and the client
live beside it."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import httpx

from adapters.core.config import DriverSpec
from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryFault,
    PositionContext,
    PositionStatus,
    Receipt,
    RequestRejected,
    ReturnUrls,
)
from adapters.drivers import _config
from adapters.drivers._http import OPERATION_TIMEOUT, RECEIPT_TIMEOUT, CallRecord, recording
from adapters.drivers._http import status_error as checkout_error
from adapters.drivers.govpay import answers, payloads
from adapters.drivers.govpay.client import GovPayClient, auth_headers, redacted, tls_key
from adapters.drivers.govpay.config import (
    F_BASE_URL,
    F_CHECKOUT_KEY,
    F_CHECKOUT_URL,
    F_IUV_MODE,
    F_PAGAMENTO_URL,
    F_PAYMENT_MODE,
    F_RAGIONERIA_URL,
    F_RECEIPT_FORMAT,
    F_RECEIPT_SOURCE,
    F_SEGREGATION,
    FIELDS,
    choice,
    credential,
    id_a2a,
)
from adapters.drivers.govpay.faults import fault_error, read_fault
from adapters.drivers.gpd import answers as gpd_answers
from adapters.drivers.gpd import payloads as gpd_payloads
from adapters.i18n import N_
from adapters.pagopa import generate_notice, iuv_base_from_key

_IUV_ATTEMPTS = 3
MEDIA = {"xml": "application/xml", "pdf": "application/pdf", "json": "application/json"}


class GovPayDriver:
    """The GovPay driver; configuration comes with each call (``CreditorConfig.settings``)."""

    name = "govpay"

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
        timeout: float = OPERATION_TIMEOUT,
        receipt_timeout: float = RECEIPT_TIMEOUT,
    ) -> None:
        self._client = GovPayClient(transport)
        self._environ = environ if environ is not None else os.environ
        self.timeout = timeout
        self.receipt_timeout = receipt_timeout

    async def aclose(self) -> None:
        await self._client.aclose()

    # -- plumbing ---------------------------------------------------------------------

    def _pendenza_url(self, creditor: CreditorConfig, id_pendenza: str) -> str:
        base = _config.required(creditor, F_BASE_URL).rstrip("/")
        return f"{base}/pendenze/{id_a2a(creditor)}/{id_pendenza}"

    async def _govpay(
        self,
        record: CallRecord,
        creditor: CreditorConfig,
        operation: str,
        method: str,
        url: str,
        *,
        accept: str = "application/json",
        params: Mapping[str, str] | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200,),
    ) -> httpx.Response:
        """A call to GovPay, authenticated as the tenant chose; errors translated."""
        what = f"GovPay {operation}"
        headers = {"Accept": accept, **auth_headers(creditor, self._environ)}
        response = await self._client.send(
            record,
            operation,
            method,
            url,
            what=what,
            identity=tls_key(creditor),
            headers=headers,
            params=params,
            body=body,
        )
        if response.status_code not in ok:
            raise fault_error(response, record, what, credential=credential(creditor))
        return response

    async def _pendenza(
        self, record: CallRecord, creditor: CreditorConfig, id_pendenza: str
    ) -> dict[str, Any]:
        response = await self._govpay(
            record, creditor, "getPendenza", "GET", self._pendenza_url(creditor, id_pendenza)
        )
        return answers.json_object(response, record, "GovPay getPendenza")

    async def _pendenza_of(
        self, record: CallRecord, ctx: PositionContext
    ) -> tuple[str, str, dict[str, Any]]:
        """The position's pendenza with its ``idA2A`` and ``idPendenza``: by id when the proxy
        made it, by numero avviso when it was imported or adopted (made elsewhere)."""
        creditor = ctx.creditor
        id_pendenza = ctx.position.handle.get("idPendenza")
        if id_pendenza:
            found = await self._pendenza(record, creditor, id_pendenza)
            return id_a2a(creditor), id_pendenza, found
        base = _config.required(creditor, F_BASE_URL).rstrip("/")
        dominio = ctx.position.creditor_fiscal_code
        what = "GovPay getPendenzaByAvviso"
        response = await self._govpay(
            record,
            creditor,
            "getPendenzaByAvviso",
            "GET",
            f"{base}/pendenze/byAvviso/{dominio}/{ctx.position.notice_number}",
        )
        found = answers.json_object(response, record, what)
        owner = str(found.get("idA2A") or id_a2a(creditor))
        return owner, str(found.get("idPendenza") or ctx.position.iud), found

    def _recording(self, operation: str, creditor: CreditorConfig, timeout: float) -> Any:
        return recording(operation, timeout=timeout, secrets=redacted(creditor, self._environ))

    # -- create -----------------------------------------------------------------------

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        creditor = request.creditor
        with self._recording("create", creditor, self.timeout) as record:
            id_pendenza = payloads.id_pendenza(request)
            url = self._pendenza_url(creditor, id_pendenza)
            if choice(creditor, F_IUV_MODE) == "govpay":
                position = await self._put(record, request, id_pendenza, url, None)
            else:
                position = await self._put_own_numbers(record, request, id_pendenza, url)
            if request.stamp is not None:
                position = replace(position, handle={**position.handle, "kind": "stamp"})
            return position

    async def _put(
        self,
        record: CallRecord,
        request: DebtPositionRequest,
        id_pendenza: str,
        url: str,
        numero_avviso: str | None,
    ) -> DebtPosition:
        body = payloads.nuova_pendenza(request, numero_avviso)
        response = await self._govpay(
            record, request.creditor, "addPendenza", "PUT", url, body=body, ok=(200, 201)
        )
        found = answers.json_object(response, record, "GovPay addPendenza")
        return answers.position_of(request, id_pendenza, found, record)

    async def _put_own_numbers(
        self, record: CallRecord, request: DebtPositionRequest, id_pendenza: str, url: str
    ) -> DebtPosition:
        """The proxy makes the numero avviso (aux digit 3): derived from the payment id, so a
        retry sends the same one; a number another pendenza holds moves to the next one."""
        creditor = request.creditor
        segregation = _config.field_value(creditor, F_SEGREGATION)
        if segregation is None:
            raise RequestRejected(
                f"configuration field {F_SEGREGATION.key!r} is needed when the proxy makes the "
                f"numero avviso ({F_IUV_MODE.key} = proxy): set it for tenant "
                f"{creditor.tenant_id}",
                code="CONFIGURATION",
            )
        last: RequestRejected | None = None
        for counter in range(_IUV_ATTEMPTS):
            notice = generate_notice(
                3, iuv_base_from_key(str(request.payment_id), counter), segregation_code=segregation
            )
            try:
                return await self._put(record, request, id_pendenza, url, str(notice))
            except RequestRejected as exc:
                if exc.code == "VER_024":
                    # Ours already, with a number from an earlier attempt: read it back.
                    found = await self._pendenza(record, creditor, id_pendenza)
                    return answers.position_of(request, id_pendenza, found, record)
                if exc.code != "VER_025":
                    raise
                last = exc
        raise RequestRejected(
            f"GovPay: {_IUV_ATTEMPTS} numeri avviso derived from the payment id are all used by "
            f"other pendenze (segregation code {segregation}); check the segregation code",
            exchanges=record.exchanges,
            code=last.code if last else "VER_025",
        )

    # -- pay online -------------------------------------------------------------------

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        creditor = ctx.creditor
        with self._recording("checkout", creditor, self.timeout) as record:
            if choice(creditor, F_PAYMENT_MODE) == "pagamenti":
                base = _config.required(creditor, F_PAGAMENTO_URL).rstrip("/")
                response = await self._govpay(
                    record,
                    creditor,
                    "pagamentiPOST",
                    "POST",
                    f"{base}/pagamenti",
                    body=payloads.pagamento(ctx, return_urls),
                    ok=(200, 201, 301, 302, 303, 307),
                )
                return answers.redirect_of(response, record, "GovPay pagamentiPOST")
            headers = {}
            key = _config.secret(creditor, F_CHECKOUT_KEY, self._environ, optional=True)
            if key:
                headers["Ocp-Apim-Subscription-Key"] = key
            url = f"{_config.required(creditor, F_CHECKOUT_URL).rstrip('/')}/carts"
            what = "pagoPA Checkout PostCarts"
            response = await self._client.send(
                record,
                "PostCarts",
                "POST",
                url,
                what=what,
                headers=headers,
                body=gpd_payloads.cart(ctx, return_urls),
            )
            if response.status_code >= 400:
                env = creditor.settings.get(F_CHECKOUT_KEY.key) or F_CHECKOUT_KEY.default
                raise checkout_error(
                    response, record, what, credential=f"the key in environment variable {env}"
                )
            return gpd_answers.checkout_location(response, record, what)

    # -- notice -----------------------------------------------------------------------

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        if ctx.position.handle.get("kind") == "stamp":
            raise RequestRejected(
                "a pendenza with a marca da bollo digitale is paid online only: GovPay prints "
                "no notice for it; send the citizen to the checkout URL",
                code="NO_NOTICE",
            )
        creditor = ctx.creditor
        with self._recording("notice", creditor, self.timeout) as record:
            base = _config.required(creditor, F_BASE_URL).rstrip("/")
            dominio = ctx.position.creditor_fiscal_code
            response = await self._govpay(
                record,
                creditor,
                "getAvviso",
                "GET",
                f"{base}/avvisi/{dominio}/{ctx.position.notice_number}",
                accept="application/pdf",
            )
            if not response.content.startswith(b"%PDF"):
                raise answers.malformed(
                    record,
                    "GovPay getAvviso",
                    f"asked for a PDF, got {response.headers.get('content-type')!r}",
                )
            return response.content

    # -- status -----------------------------------------------------------------------

    async def status(self, ctx: PositionContext) -> PositionStatus:
        creditor = ctx.creditor
        with self._recording("status", creditor, self.timeout) as record:
            _, _, pendenza = await self._pendenza_of(record, ctx)
            return answers.position_status(pendenza, record, "GovPay getPendenza")

    # -- receipt ----------------------------------------------------------------------

    async def receipt(self, ctx: PositionContext) -> Receipt:
        creditor = ctx.creditor
        with self._recording("receipt", creditor, self.receipt_timeout) as record:
            _, _, pendenza = await self._pendenza_of(record, ctx)
            paid = answers.paid_receipt(pendenza, record, "GovPay getPendenza")
            fmt = choice(creditor, F_RECEIPT_FORMAT)
            dominio = ctx.position.creditor_fiscal_code
            if choice(creditor, F_RECEIPT_SOURCE) == "ragioneria":
                content = await self._ragioneria_receipt(record, creditor, dominio, paid, fmt)
            else:
                base = _config.required(creditor, F_BASE_URL).rstrip("/")
                response = await self._govpay(
                    record,
                    creditor,
                    "getRt",
                    "GET",
                    f"{base}/rpp/{dominio}/{paid.iuv}/{paid.receipt_id}/rt",
                    accept=MEDIA[fmt],
                )
                content = response.content
            if fmt == "xml":
                return gpd_answers.receipt_of(ctx, content, record, "GovPay receipt")
            return self._receipt(ctx, paid, content, fmt, record)

    async def _ragioneria_receipt(
        self,
        record: CallRecord,
        creditor: CreditorConfig,
        dominio: str,
        paid: answers.PaidReceipt,
        fmt: str,
    ) -> bytes:
        """API Ragioneria v3 ``getRicevuta``: PDF or JSON; the XML is inside the JSON."""
        base = _config.required(creditor, F_RAGIONERIA_URL).rstrip("/")
        response = await self._govpay(
            record,
            creditor,
            "getRicevuta",
            "GET",
            f"{base}/ricevute/{dominio}/{paid.iuv}/{paid.receipt_id}",
            accept="application/pdf" if fmt == "pdf" else "application/json",
        )
        if fmt != "xml":
            return response.content
        ricevuta = answers.json_object(response, record, "GovPay getRicevuta")
        rt = ricevuta.get("rt")
        encoded = rt.get("xml") if isinstance(rt, dict) else None
        try:
            return base64.b64decode(str(encoded or ""), validate=True) or b"-"
        except (binascii.Error, ValueError) as exc:
            raise answers.malformed(
                record, "GovPay getRicevuta", f"rt.xml is not base64 ({exc})"
            ) from exc

    @staticmethod
    def _receipt(
        ctx: PositionContext,
        paid: answers.PaidReceipt,
        content: bytes,
        fmt: str,
        record: CallRecord,
    ) -> Receipt:
        if fmt == "pdf" and not content.startswith(b"%PDF"):
            raise answers.malformed(record, "GovPay receipt", "asked for a PDF, got something else")
        rt = paid.rt
        payer = rt.get("payer") or rt.get("debtor") or {}
        unique = payer.get("uniqueIdentifier") if isinstance(payer, dict) else None
        payer_code = unique.get("entityUniqueIdentifierValue") if isinstance(unique, dict) else None
        return Receipt(
            content=content,
            media_type=MEDIA[fmt],
            filename=f"ricevuta-{paid.iuv}-{paid.receipt_id}.{fmt}",
            iuv=paid.iuv,
            amount=answers.decimal_of(rt.get("paymentAmount")) or ctx.position.amount,
            payer_fiscal_code=str(payer_code) if payer_code else ctx.debtor.fiscal_code,
            paid_at=answers.moment_of(rt.get("paymentDateTime")),
            receipt_id=paid.receipt_id,
        )

    # -- cancel -----------------------------------------------------------------------

    async def cancel_position(self, ctx: PositionContext, reason: str) -> None:
        """Cancel the pendenza (``PATCH`` ``/stato`` ANNULLATA); repeating it is harmless."""
        creditor = ctx.creditor
        with self._recording("cancel", creditor, self.timeout) as record:
            owner, id_pendenza = id_a2a(creditor), ctx.position.handle.get("idPendenza")
            if not id_pendenza:  # imported or adopted: GovPay knows it by numero avviso
                owner, id_pendenza, _ = await self._pendenza_of(record, ctx)
            base = _config.required(creditor, F_BASE_URL).rstrip("/")
            response = await self._govpay(
                record,
                creditor,
                "updatePendenza",
                "PATCH",
                f"{base}/pendenze/{owner}/{id_pendenza}",
                body=payloads.cancellation(reason),
                ok=(200, 204),
            )
            if response.status_code == 200 and response.content:
                fault = read_fault(response)
                if fault is not None:
                    raise IntermediaryFault(
                        f"GovPay updatePendenza: HTTP 200 with an error body ({fault.summary})",
                        exchanges=record.exchanges,
                        code="MALFORMED_ANSWER",
                    )


def spec() -> DriverSpec:
    """The GovPay driver and its configuration fields."""
    return DriverSpec(
        name="govpay",
        title=N_("GovPay (Link.it) — API Pendenze v2, Checkout, API Ente v2 notifications"),
        fields=FIELDS,
        factory=GovPayDriver,
        extra={
            "operations": ["addPendenza", "getPendenza", "getAvviso", "getRt", "updatePendenza"],
            # Where the proxy serves GovPay's API Ente v2 (adapters.api.govpay_ente.BASE).
            "api_ente": "/govpay/ente/v2",
        },
    )
