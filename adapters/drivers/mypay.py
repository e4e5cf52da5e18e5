"""MyPay (Regione del Veneto, "pa-per-ente" SOAP API) as an :class:`Intermediary`.

Verb → operation:

- create: ``paaSILImportaDovuto`` (``Versamento``, ``azione`` I, MyPay generates the IUV). The
  IUD comes from the payment id, so a retry after a timeout meets ``PAA_IUD_DUPLICATO`` and
  finds the existing dovuto with ``azione`` S (print), instead of creating a second one.
  A digital stamp cannot travel in a ``Versamento`` (the XSD has no place for it): it goes
  through ``paaSILInviaDovuti`` with ``datiMarcaBolloDigitale`` and an IUV the driver derives
  from the payment id and the segregation code.
- checkout URL: ``paaSILVerificaAvviso`` (pay the existing notice online).
- notice: the PDF at ``urlFileAvviso``, else ``paaSILImportaDovuto`` with ``azione`` S, whose
  ``urlFileAvviso`` or ``base64ZipAvviso`` carries it.
- status: ``paaSILChiediPagatiConRicevuta`` by IUD (``paaSILChiediPagati`` by session for
  immediate payments MyPay does not know by IUD).
- receipt: ``paaSILChiediPagatiConRicevuta``: the RT (``rt``), else the ``Pagati`` document.

Fault beans (``risposta.fault``) and SOAP faults are translated: ``PAA_SYSTEM_ERROR``, HTTP 5xx,
timeouts and refused connections are retriable; ``PAA_SEMANTICA`` and the other semantic
codes are permanent.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx
import zeep.exceptions
from lxml import etree

from adapters.core.config import ConfigField, DriverSpec
from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryError,
    IntermediaryFault,
    NotPaidYet,
    PositionContext,
    PositionNotFound,
    PositionState,
    PositionStatus,
    Receipt,
    RequestRejected,
    ReturnUrls,
)
from adapters.drivers import _config, _soap
from adapters.drivers._http import (
    OPERATION_TIMEOUT,
    RECEIPT_TIMEOUT,
    CallRecord,
    RecordingTransport,
    recording,
    status_error,
    transport_error,
)
from adapters.drivers._receipt import ReceiptFacts, decode_base64_xml, read_receipt
from adapters.drivers._xml import UnsafeXML
from adapters.drivers.mypay_faults import (
    CANCELED_FAULTS,
    DUPLICATE_FAULTS,
    EXPIRED_FAULTS,
    NOT_FOUND_FAULTS,
    STATE_OF_ESITO,
    SYSTEM_FAULTS,
    UNPAID_FAULTS,
    MyPayFault,
    fault_of,
    pdf_from_archive,
    state_of_fault,
    translate_fault,
    translate_soap_fault,
)
from adapters.drivers.mypay_xml import Azione, dovuti, mypay_iud, versamento
from adapters.pagopa import InvalidNoticeNumber, NoticeNumber, generate_notice, iuv_base_from_key

F_WSDL = ConfigField(
    "mypay_wsdl_url",
    "MyPay WSDL URL",
    "tenant",
    description="URL (or file path) of the pa-per-ente WSDL, e.g. https://host/ws/pa?wsdl",
)
F_ENDPOINT = ConfigField(
    "mypay_endpoint_url",
    "MyPay SOAP endpoint URL",
    "tenant",
    required=False,
    description="Only when it differs from the WSDL URL without '?wsdl'",
)
F_IPA = ConfigField(
    "mypay_codice_ipa", "Codice IPA dell'ente", "tenant", pattern=r"[A-Za-z0-9_.-]{1,35}"
)
F_PASSWORD = ConfigField(
    "mypay_password_env",
    "MyPay password",
    "tenant",
    kind="env",
    default="MYPAY_PASSWORD",
    pattern=r"[A-Za-z_][A-Za-z0-9_]*",
    description="Name of the environment variable holding the password",
)
F_SEGREGATION = ConfigField(
    "mypay_segregation_code",
    "Codice di segregazione",
    "tenant",
    pattern=r"\d{2}",
    description="Two digits (aux digit 3 notice numbers)",
)
F_APPLICATION = ConfigField(
    "mypay_application_code",
    "Codice applicazione (avvisi con aux digit 0)",
    "tenant",
    required=False,
    pattern=r"\d{2}",
)
F_TIPO_DOVUTO = ConfigField(
    "mypay_codice_tipo_dovuto",
    "Codice tipo dovuto",
    "service",
    pattern=r"\S.{0,63}",
    description="The ente's classification in MyPay, e.g. DIRITTI_SEGRETERIA",
)
FIELDS = (F_WSDL, F_ENDPOINT, F_IPA, F_PASSWORD, F_SEGREGATION, F_APPLICATION, F_TIPO_DOVUTO)


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
        # One recording wrapper per direction; the inner transports are real unless given.
        self._transport = RecordingTransport(transport)
        self._wsdl_transport = RecordingTransport(
            wsdl_transport
            if wsdl_transport is not None
            else (transport if isinstance(transport, httpx.BaseTransport) else None)
        )
        self._http = httpx.AsyncClient(transport=self._transport, follow_redirects=True)
        self._environ = environ if environ is not None else os.environ
        self.timeout = timeout
        self.receipt_timeout = receipt_timeout
        self._services: dict[tuple[str, str | None], _soap.SoapService] = {}
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        for service in self._services.values():
            await service.aclose()
        await self._http.aclose()

    async def preload(self, creditor: CreditorConfig) -> None:
        """Load the WSDL now (e.g. at start-up) so a bad URL shows at once, not at the first
        payment; raises what a verb would."""
        await self._service(creditor)

    # -- plumbing ---------------------------------------------------------------------

    def _password(self, creditor: CreditorConfig) -> str:
        value = _config.secret(creditor, F_PASSWORD, self._environ)
        assert value is not None  # secret() raises unless optional
        return value

    def _secrets(self, creditor: CreditorConfig) -> list[str]:
        name = creditor.settings.get(F_PASSWORD.key) or F_PASSWORD.default or ""
        value = self._environ.get(str(name))
        return [value] if value else []

    async def _service(self, creditor: CreditorConfig) -> _soap.SoapService:
        wsdl = _config.required(creditor, F_WSDL)
        endpoint = _config.field_value(creditor, F_ENDPOINT)
        key = (wsdl, endpoint)
        if key in self._services:
            return self._services[key]
        with recording("wsdl", timeout=_soap.WSDL_TIMEOUT) as record:
            try:
                return await _soap.load_once(
                    self._lock,
                    self._services,
                    key,
                    transport=self._transport,
                    wsdl_transport=self._wsdl_transport,
                )
            except IntermediaryError:
                raise
            except Exception as exc:
                raise _soap.wsdl_error(exc, record, wsdl) from exc

    async def _call(
        self,
        record: CallRecord,
        creditor: CreditorConfig,
        operation: str,
        *,
        header: bool,
        not_found: bool = False,
        tolerate: frozenset[str] = frozenset(),
        **fields: Any,
    ) -> tuple[Any, MyPayFault | None]:
        """Call ``operation``; a fault bean in ``tolerate`` is returned, any other raised."""
        soap = await self._service(creditor)
        record.operation = operation
        what = f"MyPay {operation}"
        if header:
            fields["_soapheaders"] = {"header": {"codIpaEnte": _config.required(creditor, F_IPA)}}
        try:
            answer = await getattr(soap.service, operation)(**fields)
        except httpx.HTTPError as exc:
            raise transport_error(exc, record, what, soap.endpoint) from exc
        except zeep.exceptions.Fault as exc:
            raise translate_soap_fault(exc, record, what, not_found) from exc
        except zeep.exceptions.TransportError as exc:
            raise _soap.http_status_error(
                exc.status_code,
                record,
                what,
                soap.endpoint,
                credential=self._credential_hint(creditor),
            ) from exc
        except (zeep.exceptions.Error, etree.LxmlError, ValueError) as exc:
            if not record.exchanges:  # zeep refused to build the request
                raise RequestRejected(
                    f"{what}: the request does not fit the WSDL ({exc})", code="INVALID_REQUEST"
                ) from exc
            raise IntermediaryFault(
                f"{what}: unreadable answer ({type(exc).__name__}: {exc}); it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            ) from exc
        if answer is None:
            raise IntermediaryFault(
                f"{what}: the answer has no {operation}Risposta element (wrong namespace?)",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )
        fault = fault_of(answer)
        if fault is not None and fault.code not in tolerate:
            raise translate_fault(
                fault, record, what, self._credential_hint(creditor), not_found=not_found
            )
        return answer, fault

    def _credential_hint(self, creditor: CreditorConfig) -> str:
        env = creditor.settings.get(F_PASSWORD.key) or F_PASSWORD.default
        ipa = creditor.settings.get(F_IPA.key)
        return f"the codice IPA ({ipa}) and the password in environment variable {env}"

    # -- identifiers ------------------------------------------------------------------

    def _notice_for(self, creditor: CreditorConfig, iuv: str, record: CallRecord) -> str:
        """The notice number of a MyPay IUV: aux 3 (segregation code) for 17 digits, aux 0
        (application code) for 15, checking the mod-93 digits where they can be checked."""
        if not iuv.isdigit() or len(iuv) not in (15, 17):
            raise IntermediaryFault(
                f"MyPay returned the IUV {iuv!r}: expected 15 or 17 digits",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )
        if len(iuv) == 15:
            app = _config.required(creditor, F_APPLICATION)
            return str(NoticeNumber.parse(f"0{app}{iuv}", validate_check_digit=False))
        segregation = _config.required(creditor, F_SEGREGATION)
        candidates = ["3" + iuv, "2" + iuv] if iuv.startswith(segregation) else ["2" + iuv]
        for candidate in candidates:
            try:
                return str(NoticeNumber.parse(candidate))
            except InvalidNoticeNumber:
                continue
        # Test environments hand out IUVs with wrong check digits (reference §1.2).
        return candidates[0]

    def _iuv(self, answer: Any, record: CallRecord, operation: str) -> str:
        iuv = str(getattr(answer, "identificativoUnivocoVersamento", None) or "").strip()
        esito = str(getattr(answer, "esito", None) or "").strip().upper()
        if esito == "KO" or not iuv:
            raise IntermediaryFault(
                f"MyPay {operation}: answer without an IUV (esito {esito or 'missing'}); "
                "it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )
        return iuv

    @staticmethod
    def _taxonomy(creditor: CreditorConfig, explicit: str | None = None) -> str | None:
        value = explicit or creditor.settings.get("taxonomy")
        return str(value) if value else None

    def _versamento(
        self, ctx: PositionContext | DebtPositionRequest, iud: str, amount: Decimal, azione: str
    ) -> bytes:
        creditor = ctx.creditor
        try:
            return versamento(
                iud=iud,
                amount=amount,
                tipo_dovuto=_config.required(creditor, F_TIPO_DOVUTO),
                reason=ctx.reason,
                taxonomy=self._taxonomy(
                    creditor, ctx.taxonomy if isinstance(ctx, DebtPositionRequest) else None
                ),
                debtor=ctx.debtor,
                due=ctx.expire_at,
                azione=azione,
                transfers=ctx.transfers if isinstance(ctx, DebtPositionRequest) else (),
                iuv=ctx.position.iuv if isinstance(ctx, PositionContext) else None,
            )
        except ValueError as exc:
            raise RequestRejected(f"MyPay Versamento: {exc}", code="INVALID_REQUEST") from exc

    @staticmethod
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

    # -- the five verbs ---------------------------------------------------------------

    async def create_debt_position(self, request: DebtPositionRequest) -> DebtPosition:
        creditor = request.creditor
        with recording("create", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            password = self._password(creditor)
            iud = mypay_iud(request.iud)
            if request.stamp is not None:
                return await self._create_stamp(record, request, iud, password)
            doc = self._versamento(request, iud, request.amount, Azione.INSERT)
            answer, fault = await self._call(
                record,
                creditor,
                "paaSILImportaDovuto",
                header=True,
                tolerate=DUPLICATE_FAULTS,
                password=password,
                dovuto=doc,
                flagGeneraIuv=True,
            )
            if fault is not None:
                # A retry after a lost answer: the dovuto exists; find it, do not add one.
                iuv = await self._existing_iuv(record, request, iud, password)
                url_file_avviso = ""
            else:
                iuv = self._iuv(answer, record, "paaSILImportaDovuto")
                url_file_avviso = str(getattr(answer, "urlFileAvviso", None) or "")
            return DebtPosition(
                iud=iud,
                iuv=iuv,
                notice_number=self._notice_for(creditor, iuv, record),
                creditor_fiscal_code=creditor.creditor_fiscal_code,
                amount=request.amount,
                handle={"kind": "dovuto", "url_file_avviso": url_file_avviso},
            )

    async def _existing_iuv(
        self, record: CallRecord, request: DebtPositionRequest, iud: str, password: str
    ) -> str:
        """The IUV of the dovuto MyPay already holds for ``iud``: among the debtor's open
        positions (``paaSILChiediPosizioniAperte``), else among the paid ones."""
        creditor = request.creditor
        ipa = _config.required(creditor, F_IPA)
        answer, _ = await self._call(
            record,
            creditor,
            "paaSILChiediPosizioniAperte",
            header=False,
            password=password,
            codIpaEnte=ipa,
            identificativoUnivocoPersonaFG={
                "tipoIdentificativoUnivoco": "G" if request.debtor.type == "legal" else "F",
                "codiceIdentificativoUnivoco": request.debtor.fiscal_code.upper(),
            },
        )
        for entry in getattr(answer, "paaSILPosizioniAperte", None) or []:
            document = getattr(entry, "dovuti", None)
            if not document:
                continue
            facts = self._facts(decode_base64_xml(document), record, "an open Dovuti document")
            if iud in facts.iuds and facts.iuv:
                return facts.iuv
        pagati_answer, fault = await self._call(
            record,
            creditor,
            "paaSILChiediPagatiConRicevuta",
            header=False,
            tolerate=UNPAID_FAULTS | EXPIRED_FAULTS | CANCELED_FAULTS | NOT_FOUND_FAULTS,
            codIpaEnte=ipa,
            password=password,
            identificativoUnivocoDovuto=iud,
        )
        pagati = getattr(pagati_answer, "pagati", None) if fault is None else None
        if pagati:
            facts = self._facts(decode_base64_xml(pagati), record, "the Pagati document")
            if facts.iuv:
                return facts.iuv
        raise IntermediaryFault(
            f"MyPay: IUD {iud} is reported as already sent, but neither the debtor's open "
            "positions nor the payments show it; it will be retried",
            exchanges=record.exchanges,
            code="PAA_IUD_DUPLICATO",
        )

    async def _create_stamp(
        self, record: CallRecord, request: DebtPositionRequest, iud: str, password: str
    ) -> DebtPosition:
        stamp = request.stamp
        assert stamp is not None
        creditor = request.creditor
        if request.amount != stamp.amount:
            raise RequestRejected(
                f"MyPay: a marca da bollo digitale is a payment of its own; the amount "
                f"{request.amount} differs from the stamp's {stamp.amount}",
                code="INVALID_REQUEST",
            )
        segregation = _config.required(creditor, F_SEGREGATION)
        iuv = generate_notice(
            3, iuv_base_from_key(str(request.payment_id)), segregation_code=segregation
        ).iuv
        try:
            doc = dovuti(
                iud=iud,
                iuv=iuv,
                amount=request.amount,
                tipo_dovuto=_config.required(creditor, F_TIPO_DOVUTO),
                reason=request.reason,
                taxonomy=self._taxonomy(creditor, request.taxonomy),
                debtor=request.debtor,
                stamp=stamp,
            )
        except ValueError as exc:
            raise RequestRejected(f"MyPay Dovuti: {exc}", code="INVALID_REQUEST") from exc
        answer, fault = await self._call(
            record,
            creditor,
            "paaSILInviaDovuti",
            header=True,
            tolerate=DUPLICATE_FAULTS,
            password=password,
            dovuti=doc,
        )
        handle = {"kind": "immediate"}
        if fault is None:
            handle["id_session"] = str(getattr(answer, "idSession", None) or "")
            handle["url"] = str(getattr(answer, "url", None) or "")
        return DebtPosition(
            iud=iud,
            iuv=iuv,
            notice_number="3" + iuv,
            creditor_fiscal_code=creditor.creditor_fiscal_code,
            amount=request.amount,
            handle=handle,
        )

    async def checkout_url(self, ctx: PositionContext, return_urls: ReturnUrls) -> str:
        creditor = ctx.creditor
        with recording("checkout", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            try:
                answer, _ = await self._call(
                    record,
                    creditor,
                    "paaSILVerificaAvviso",
                    header=True,
                    not_found=True,
                    password=self._password(creditor),
                    identificativoUnivocoVersamento=ctx.position.iuv,
                    enteSILInviaRispostaPagamentoUrl=return_urls.ok,
                )
            except (RequestRejected, PositionNotFound):
                # An immediate payment (stamp) may be unknown by IUV: its session URL stands.
                fallback = ctx.position.handle.get("url")
                if fallback:
                    return self._checked_url(fallback, record, "paaSILInviaDovuti")
                raise
            esito = str(getattr(answer, "esito", None) or "").upper()
            if esito == "KO":
                raise IntermediaryFault(
                    "MyPay paaSILVerificaAvviso: esito KO without a fault; it will be retried",
                    exchanges=record.exchanges,
                    code="MALFORMED_ANSWER",
                )
            url = str(getattr(answer, "url", None) or "")
            return self._checked_url(url, record, "paaSILVerificaAvviso")

    async def notice_pdf(self, ctx: PositionContext) -> bytes:
        if ctx.position.handle.get("kind") == "immediate":
            raise RequestRejected(
                "a marca da bollo digitale is paid online only (pagoPA @e.bollo): MyPay issues "
                "no paper notice for it; send the citizen to the checkout URL",
                code="NO_NOTICE",
            )
        creditor = ctx.creditor
        with recording("notice", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            url = ctx.position.handle.get("url_file_avviso")
            if url:
                try:
                    return await self._download_pdf(url, record)
                except IntermediaryError:
                    pass  # the link may have expired: ask MyPay for the notice again
            answer, _ = await self._call(
                record,
                creditor,
                "paaSILImportaDovuto",
                header=True,
                not_found=True,
                password=self._password(creditor),
                dovuto=self._versamento(ctx, ctx.position.iud, ctx.position.amount, Azione.PRINT),
            )
            archive = getattr(answer, "base64ZipAvviso", None)
            if archive:
                return pdf_from_archive(decode_base64_xml(archive, rounds=1), record)
            link = str(getattr(answer, "urlFileAvviso", None) or "")
            if link:
                return await self._download_pdf(link, record)
            raise IntermediaryFault(
                "MyPay paaSILImportaDovuto (azione S): neither urlFileAvviso nor "
                "base64ZipAvviso in the answer; it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )

    async def _download_pdf(self, url: str, record: CallRecord) -> bytes:
        record.operation = "urlFileAvviso"
        what = "downloading the MyPay notice"
        try:
            response = await self._http.get(url)
        except httpx.HTTPError as exc:
            raise transport_error(exc, record, what, url) from exc
        if response.status_code >= 400:
            raise status_error(response, record, what, credential="the notice URL")
        return pdf_from_archive(response.content, record)

    async def _pagati(
        self, record: CallRecord, ctx: PositionContext
    ) -> tuple[bytes | None, bytes | None, MyPayFault | None]:
        """(pagati XML, rt, fault bean) for the position, by IUD (or by session)."""
        creditor = ctx.creditor
        tolerated = UNPAID_FAULTS | EXPIRED_FAULTS | CANCELED_FAULTS | SYSTEM_FAULTS
        common = {
            "codIpaEnte": _config.required(creditor, F_IPA),
            "password": self._password(creditor),
        }
        session = ctx.position.handle.get("id_session")
        answer, fault = await self._call(
            record,
            creditor,
            "paaSILChiediPagatiConRicevuta",
            header=False,
            not_found=True,
            tolerate=tolerated | (NOT_FOUND_FAULTS if session else frozenset()),
            identificativoUnivocoDovuto=ctx.position.iud,
            **common,
        )
        if fault is not None and fault.code in NOT_FOUND_FAULTS and session:
            answer, fault = await self._call(
                record,
                creditor,
                "paaSILChiediPagati",
                header=False,
                not_found=True,
                tolerate=tolerated,
                idSession=session,
                **common,
            )
        if fault is not None:
            if fault.code in SYSTEM_FAULTS and "scadut" not in fault.text.lower():
                raise translate_fault(
                    fault, record, "MyPay", self._credential_hint(creditor), not_found=True
                )
            return None, None, fault
        pagati = getattr(answer, "pagati", None)
        if not pagati:
            raise IntermediaryFault(
                f"MyPay {record.operation}: neither a fault nor the pagati document in the "
                "answer; it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )
        rt = getattr(answer, "rt", None)
        return decode_base64_xml(pagati), (decode_base64_xml(rt) if rt else None), None

    @staticmethod
    def _facts(data: bytes, record: CallRecord, what: str) -> ReceiptFacts:
        try:
            return read_receipt(data, what=what)
        except UnsafeXML as exc:
            raise IntermediaryFault(
                f"MyPay: {exc}; it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            ) from exc

    async def status(self, ctx: PositionContext) -> PositionStatus:
        creditor = ctx.creditor
        with recording("status", timeout=self.timeout, secrets=self._secrets(creditor)) as record:
            pagati, _, fault = await self._pagati(record, ctx)
            if fault is not None:
                return PositionStatus(state_of_fault(fault))
            assert pagati is not None
            facts = self._facts(pagati, record, "the Pagati document")
            state = STATE_OF_ESITO.get(facts.outcome or "")
            if state is None:
                raise IntermediaryFault(
                    f"MyPay: codiceEsitoPagamento {facts.outcome!r} is not one of 0-4",
                    exchanges=record.exchanges,
                    code="MALFORMED_ANSWER",
                )
            if state is not PositionState.PAID:
                return PositionStatus(state)
            return PositionStatus(
                PositionState.PAID,
                paid_at=facts.paid_at,
                amount_paid=facts.amount,
                transaction_id=facts.receipt_id,
                psp=facts.psp,
            )

    async def receipt(self, ctx: PositionContext) -> Receipt:
        creditor = ctx.creditor
        with recording(
            "receipt", timeout=self.receipt_timeout, secrets=self._secrets(creditor)
        ) as record:
            pagati, rt, fault = await self._pagati(record, ctx)
            if fault is not None:
                raise NotPaidYet(
                    f"MyPay: no receipt for IUV {ctx.position.iuv}: {fault.text}",
                    exchanges=record.exchanges,
                    code=fault.code,
                )
            assert pagati is not None
            facts = self._facts(pagati, record, "the Pagati document")
            if STATE_OF_ESITO.get(facts.outcome or "") is not PositionState.PAID:
                raise NotPaidYet(
                    f"MyPay: IUV {ctx.position.iuv} is not paid "
                    f"(codiceEsitoPagamento {facts.outcome})",
                    exchanges=record.exchanges,
                    code=facts.outcome,
                )
            content = rt or pagati
            rt_facts = self._facts(rt, record, "the RT") if rt else facts
            iuv = facts.iuv or rt_facts.iuv or ctx.position.iuv
            return Receipt(
                content=content,
                media_type="application/xml",
                filename=f"ricevuta-{iuv}.xml",
                iuv=iuv,
                amount=facts.amount if facts.amount is not None else ctx.position.amount,
                payer_fiscal_code=rt_facts.payer_fiscal_code or facts.payer_fiscal_code,
                paid_at=facts.paid_at or rt_facts.paid_at,
                receipt_id=rt_facts.receipt_id or facts.receipt_id,
            )


def spec() -> DriverSpec:
    """The MyPay driver and its configuration fields."""
    return DriverSpec(
        name="mypay",
        title="MyPay (Regione del Veneto) — SOAP pa-per-ente",
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


__all__ = ["FIELDS", "MyPayDriver", "MyPayFault", "spec"]
