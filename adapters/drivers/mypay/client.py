"""The zeep/httpx side of the MyPay driver: one SOAP service per WSDL, calls whose faults
come back as the core's errors, and the notice download.

Every exception zeep, lxml or httpx raise is translated here, once, to an
:class:`IntermediaryError`; the verbs above only meet fault beans they chose to tolerate.
"""

from __future__ import annotations

from typing import Any

import httpx
import zeep.exceptions
from lxml import etree

from adapters.core.intermediary import (
    CreditorConfig,
    IntermediaryFault,
    RequestRejected,
)
from adapters.drivers import _config, _soap
from adapters.drivers._http import (
    CallRecord,
    status_error,
    transport_error,
)
from adapters.drivers.mypay.config import F_ENDPOINT, F_IPA, F_WSDL, credential_hint
from adapters.drivers.mypay.faults import (
    MyPayFault,
    fault_of,
    pdf_from_archive,
    translate_fault,
    translate_soap_fault,
)


class MyPayClient(_soap.WsdlServices):
    """The transports, the loaded WSDLs (one per WSDL URL and endpoint) and the calls."""

    async def service(self, creditor: CreditorConfig) -> _soap.SoapService:
        """The SOAP service of the creditor's WSDL, loaded on first use."""
        wsdl = _config.required(creditor, F_WSDL)
        endpoint = _config.field_value(creditor, F_ENDPOINT)
        return await self.load(wsdl, endpoint, label="the MyPay WSDL")

    async def call(
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
        soap = await self.service(creditor)
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
                credential=credential_hint(creditor),
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
                fault, record, what, credential_hint(creditor), not_found=not_found
            )
        return answer, fault

    async def download_pdf(self, url: str, record: CallRecord) -> bytes:
        """The notice PDF at ``urlFileAvviso`` (a PDF, or a ZIP holding one)."""
        record.operation = "urlFileAvviso"
        what = "downloading the MyPay notice"
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise IntermediaryFault(
                f"{what}: urlFileAvviso is not an absolute http(s) URL ({url[:200]!r}); "
                "it will be retried",
                exchanges=record.exchanges,
                code="MALFORMED_ANSWER",
            )
        try:
            response = await self._http.get(parsed)
        except httpx.HTTPError as exc:
            raise transport_error(exc, record, what, url) from exc
        if response.status_code >= 400:
            raise status_error(response, record, what, credential="the notice URL")
        return pdf_from_archive(response.content, record)
