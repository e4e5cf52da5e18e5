"""The MyPay driver's five verbs; the SOAP calls, documents and answers live beside it."""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from adapters.core.config import DriverSpec
from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryError,
    IntermediaryFault,
    PositionContext,
    PositionNotFound,
    PositionStatus,
    Receipt,
    RequestRejected,
    ReturnUrls,
)
from adapters.drivers._http import OPERATION_TIMEOUT, RECEIPT_TIMEOUT, CallRecord, recording
from adapters.drivers._receipt import decode_base64_xml
from adapters.drivers.mypay import create, payments
from adapters.drivers.mypay.client import MyPayClient
from adapters.drivers.mypay.config import FIELDS, password, secrets
from adapters.drivers.mypay.documents import Azione
from adapters.drivers.mypay.faults import CANCELED_FAULTS, pdf_from_archive
from adapters.i18n import N_


class MyPayDriver:
    """The MyPay driver. Configuration comes with each call (``CreditorConfig.settings``);
    the WSDL is loaded once per WSDL URL."""

    name = "mypay"

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        wsdl_transport: httpx.BaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
        timeout: float = OPERATION_TIMEOUT,
        receipt_timeout: float = RECEIPT_TIMEOUT,
    ) -> None:
        self._client = MyPayClient(transport=transport, wsdl_transport=wsdl_transport)
        self._environ = environ if environ is not None else os.environ
        self.timeout = timeout
        self.receipt_timeout = receipt_timeout

    async def aclose(self) -> None:
        await self._client.aclose()

    async def preload(self, creditor: CreditorConfig) -> None:
        """Load the WSDL now (e.g. at start-up) so a bad URL shows at once, not at the first
        payment; raises what a verb would."""
        await self._client.service(creditor)

    # -- the five verbs ---------------------------------------------------------------

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        creditor = request.creditor
        with recording(
            "create", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            return await create.create(self._client, record, request, self._environ)

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        creditor = ctx.creditor
        with recording(
            "checkout", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            try:
                answer, _ = await self._client.call(
                    record,
                    creditor,
                    "paaSILVerificaAvviso",
                    header=True,
                    not_found=True,
                    password=password(creditor, self._environ),
                    identificativoUnivocoVersamento=ctx.position.iuv,
                    enteSILInviaRispostaPagamentoUrl=return_urls.ok,
                )
            except (RequestRejected, PositionNotFound):
                # An immediate payment (stamp) may be unknown by IUV: its session URL stands.
                fallback = ctx.position.handle.get("url")
                if fallback:
                    return _checked_url(fallback, record, "paaSILInviaDovuti")
                raise
            esito = str(getattr(answer, "esito", None) or "").upper()
            if esito == "KO":
                raise IntermediaryFault(
                    "MyPay paaSILVerificaAvviso: esito KO without a fault; it will be retried",
                    exchanges=record.exchanges,
                    code="MALFORMED_ANSWER",
                )
            url = str(getattr(answer, "url", None) or "")
            return _checked_url(url, record, "paaSILVerificaAvviso")

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        if ctx.position.handle.get("kind") == "immediate":
            raise RequestRejected(
                "a marca da bollo digitale is paid online only (pagoPA @e.bollo): MyPay issues "
                "no paper notice for it; send the citizen to the checkout URL",
                code="NO_NOTICE",
            )
        creditor = ctx.creditor
        with recording(
            "notice", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            url = ctx.position.handle.get("url_file_avviso")
            if url:
                try:
                    return await self._client.download_pdf(url, record)
                except IntermediaryError:
                    pass  # the link may have expired: ask MyPay for the notice again
            answer, _ = await self._client.call(
                record,
                creditor,
                "paaSILImportaDovuto",
                header=True,
                not_found=True,
                password=password(creditor, self._environ),
                dovuto=create.versamento_for(
                    ctx, ctx.position.iud, ctx.position.amount, Azione.PRINT
                ),
            )
            archive = getattr(answer, "base64ZipAvviso", None)
            if archive:
                return pdf_from_archive(decode_base64_xml(archive, rounds=1), record)
            link = str(getattr(answer, "urlFileAvviso", None) or "")
            if link:
                return await self._client.download_pdf(link, record)
            raise IntermediaryFault(
                "MyPay paaSILImportaDovuto (azione S): neither urlFileAvviso nor "
                "base64ZipAvviso in the answer; it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )

    async def status(self, ctx: PositionContext) -> PositionStatus:
        creditor = ctx.creditor
        with recording(
            "status", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            document, _, fault = await payments.pagati(self._client, record, ctx, self._environ)
            return payments.position_status(document, fault, record)

    async def cancel_position(self, ctx: PositionContext, reason: str) -> None:
        """``paaSILImportaDovuto`` with ``azione`` A; a dovuto already cancelled is fine.
        MyPay has no field for the reason: it stays in the proxy's event."""
        if ctx.position.handle.get("kind") == "immediate":
            raise RequestRejected(
                "an immediate MyPay payment (marca da bollo) has no dovuto to cancel: it "
                "lapses when not paid",
                code="NO_CANCEL",
            )
        creditor = ctx.creditor
        with recording(
            "cancel", timeout=self.timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            await self._client.call(
                record,
                creditor,
                "paaSILImportaDovuto",
                header=True,
                not_found=True,
                tolerate=CANCELED_FAULTS,
                password=password(creditor, self._environ),
                dovuto=create.versamento_for(
                    ctx, ctx.position.iud, ctx.position.amount, Azione.CANCEL
                ),
            )

    async def receipt(self, ctx: PositionContext) -> Receipt:
        creditor = ctx.creditor
        with recording(
            "receipt", timeout=self.receipt_timeout, secrets=secrets(creditor, self._environ)
        ) as record:
            document, rt, fault = await payments.pagati(self._client, record, ctx, self._environ)
            return payments.receipt_of(ctx, document, rt, fault, record)


def _checked_url(url: str, record: CallRecord, operation: str) -> str:
    parsed = httpx.URL(url) if url else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise IntermediaryFault(
            f"MyPay {operation}: no usable checkout URL in the answer ({url!r}); "
            "it will be retried",
            exchanges=record.exchanges,
            code="BROKEN_REDIRECT",
        )
    return url


def spec() -> DriverSpec:
    """The MyPay driver and its configuration fields."""
    return DriverSpec(
        name="mypay",
        title=N_("MyPay (Regione del Veneto) — SOAP pa-per-ente"),
        fields=FIELDS,
        factory=MyPayDriver,
        extra={
            "operations": [
                "paaSILImportaDovuto",
                "paaSILInviaDovuti",
                "paaSILVerificaAvviso",
                "paaSILChiediPagati",
                "paaSILChiediPagatiConRicevuta",
            ]
        },
    )
