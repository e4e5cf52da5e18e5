"""MyPay's fault beans and SOAP faults, what they mean, and the notice archive.

``PAA_SYSTEM_ERROR`` is retriable; access codes are :class:`AccessDenied`; "no such
position" codes are :class:`PositionNotFound` where a position is addressed; every other
``PAA_*`` code (``PAA_SEMANTICA``, ...) is a permanent :class:`RequestRejected`. Payment
state codes of ``paaSILChiediPagati*`` become a :class:`PositionState`.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import zeep.exceptions

from adapters.core.intermediary import (
    AccessDenied,
    IntermediaryError,
    IntermediaryFault,
    PositionNotFound,
    PositionState,
    RequestRejected,
)
from adapters.drivers import _soap
from adapters.drivers._http import CallRecord

#: Fault codes: what they mean for the driver.
SYSTEM_FAULTS = frozenset({"PAA_SYSTEM_ERROR"})
ACCESS_FAULTS = frozenset({"PAA_ENTE_NON_VALIDO", "PAA_PASSWORD_NON_VALIDA"})
DUPLICATE_FAULTS = frozenset({"PAA_IUD_DUPLICATO", "PAA_DOVUTO_DUPLICATO"})
NOT_FOUND_FAULTS = frozenset(
    {"PAA_IUD_NON_VALIDO", "PAA_IUV_NON_VALIDO", "PAA_ID_SESSION_NON_VALIDO"}
    | {"PAA_IMPORT_DOVUTO_NON_PRESENTE"}
)
UNPAID_FAULTS = frozenset({"PAA_PAGAMENTO_NON_INIZIATO", "PAA_PAGAMENTO_IN_CORSO"})
EXPIRED_FAULTS = frozenset({"PAA_PAGAMENTO_SCADUTO"})
CANCELED_FAULTS = frozenset({"PAA_PAGAMENTO_ANNULLATO", "PAA_DOVUTO_NON_PAGABILE"})
_MAX_PDF = 20 * 1024 * 1024


class MyPayFault(Exception):
    """A ``faultBean`` in a MyPay answer, before translation."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


def fault_of(answer: Any) -> MyPayFault | None:
    """The fault bean of a zeep answer object, if any."""
    fault = getattr(answer, "fault", None)
    if fault is None:
        return None
    code = str(getattr(fault, "faultCode", None) or "PAA_SYSTEM_ERROR")
    parts = [getattr(fault, k, None) for k in ("faultString", "description")]
    return MyPayFault(code, " — ".join(str(p) for p in parts if p) or code)


def translate_fault(
    fault: MyPayFault,
    record: CallRecord,
    what: str,
    credential: str,
    *,
    not_found: bool,
) -> IntermediaryError:
    """A fault bean (``risposta.fault``) as the driver's error; ``credential`` says what to
    check when access is refused."""
    message = f"{what}: {fault.text}"
    exchanges = record.exchanges
    if fault.code in SYSTEM_FAULTS:
        return IntermediaryFault(
            f"{message}; it will be retried", exchanges=exchanges, code=fault.code
        )
    if fault.code in ACCESS_FAULTS:
        return AccessDenied(
            f"{message}; check {credential}",
            exchanges=exchanges,
            code=fault.code,
        )
    if not_found and fault.code in NOT_FOUND_FAULTS:
        return PositionNotFound(message, exchanges=exchanges, code=fault.code)
    return RequestRejected(message, exchanges=exchanges, code=fault.code)


def translate_soap_fault(
    exc: zeep.exceptions.Fault, record: CallRecord, what: str, not_found: bool
) -> IntermediaryError:
    """A ``soap:Fault``: by the ``PAA_*`` code it carries, else Client → permanent,
    Server → retriable."""
    code = _soap.soap_fault_code(exc)
    text = f"{what}: SOAP fault {exc.code or ''} {exc.message}".strip()
    if code is None:
        if _soap.is_client_fault(exc):
            return RequestRejected(text, exchanges=record.exchanges, code="SOAP_CLIENT")
        return IntermediaryFault(
            f"{text}; it will be retried", exchanges=record.exchanges, code="SOAP_SERVER"
        )
    if code in SYSTEM_FAULTS:
        return IntermediaryFault(
            f"{text}; it will be retried", exchanges=record.exchanges, code=code
        )
    if code in ACCESS_FAULTS:
        return AccessDenied(text, exchanges=record.exchanges, code=code)
    if not_found and code in NOT_FOUND_FAULTS:
        return PositionNotFound(text, exchanges=record.exchanges, code=code)
    return RequestRejected(text, exchanges=record.exchanges, code=code)


STATE_OF_ESITO = {
    "0": PositionState.PAID,
    "1": PositionState.UNPAID,  # not executed: the citizen may try again
    "2": PositionState.PAID,  # partially executed
    "3": PositionState.EXPIRED,
    "4": PositionState.EXPIRED,
}


def state_of_fault(fault: MyPayFault) -> PositionState:
    if fault.code in EXPIRED_FAULTS or fault.code in SYSTEM_FAULTS:  # "dovuto scaduto"
        return PositionState.EXPIRED
    if fault.code in CANCELED_FAULTS:
        return PositionState.CANCELED
    return PositionState.UNPAID


def pdf_from_archive(data: bytes, record: CallRecord) -> bytes:
    """The notice PDF, given as is or as the first PDF of a ZIP (``base64ZipAvviso``)."""
    if data.startswith(b"%PDF"):
        return data
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.filename.lower().endswith(".pdf") and info.file_size <= _MAX_PDF:
                        pdf = archive.read(info)
                        if pdf.startswith(b"%PDF"):
                            return pdf
        except zipfile.BadZipFile:
            pass
    raise IntermediaryFault(
        f"MyPay: the notice is neither a PDF nor a ZIP holding one (starts with {data[:8]!r})",
        exchanges=record.exchanges,
        code="MALFORMED_ANSWER",
    )
