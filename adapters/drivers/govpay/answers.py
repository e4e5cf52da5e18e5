"""Reading what GovPay answers: the created pendenza, its ``stato`` and ``rpp[]``, the
payment redirect and the receipt. Anything unreadable is a retriable ``MALFORMED_ANSWER``
fault carrying the exchanges.

``stato`` → proxy state: NON_ESEGUITA → unpaid; SCADUTA → expired; ESEGUITA, INCASSATA →
paid; ANNULLATA → cancelled; ANOMALA and ESEGUITA_PARZIALE → :class:`GovPayAnomaly` (an
error an operator sees, never paid).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from adapters.core.intermediary import (
    DebtPosition,
    DebtPositionRequest,
    IntermediaryFault,
    NotPaidYet,
    PositionState,
    PositionStatus,
)
from adapters.drivers._http import CallRecord
from adapters.drivers.govpay.faults import GovPayAnomaly
from adapters.pagopa import InvalidNoticeNumber, NoticeNumber

PAID = frozenset({"ESEGUITA", "INCASSATA"})
STATES = {
    "NON_ESEGUITA": PositionState.UNPAID,
    "SCADUTA": PositionState.EXPIRED,
    "ANNULLATA": PositionState.CANCELED,
}
ANOMALOUS = {
    "ANOMALA": "GovPay reports the pendenza ANOMALA (paid twice, a wrong amount, or a receipt "
    "it could not match): it is not treated as paid",
    "ESEGUITA_PARZIALE": "GovPay reports the pendenza ESEGUITA_PARZIALE (only some voci "
    "paid): it is not treated as paid",
}
RECEIPT_ACCEPTED = "RT_ACCETTATA_PA"


def malformed(record: CallRecord, what: str, problem: str) -> IntermediaryFault:
    return IntermediaryFault(
        f"{what}: {problem}; it will be retried",
        exchanges=record.exchanges,
        code="MALFORMED_ANSWER",
    )


def json_object(response: httpx.Response, record: CallRecord, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise malformed(record, what, f"the answer is not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise malformed(record, what, "the answer is not a JSON object")
    return body


def iuv_of(numero_avviso: str) -> str:
    """The IUV inside a numero avviso (aux 0: minus 3 digits; otherwise minus 1)."""
    return numero_avviso[3:] if numero_avviso.startswith("0") else numero_avviso[1:]


def position_of(
    request: DebtPositionRequest, id_pendenza: str, body: dict[str, Any], record: CallRecord
) -> DebtPosition:
    """The pendenza as ``PendenzaCreata`` describes it."""
    what = "GovPay addPendenza"
    numero = str(body.get("numeroAvviso") or "")
    if len(numero) != 18 or not numero.isdigit():
        raise malformed(record, what, f"no 18-digit numeroAvviso in the answer ({numero!r})")
    try:
        iuv = NoticeNumber.parse(numero, validate_check_digit=False).iuv
    except InvalidNoticeNumber:
        iuv = iuv_of(numero)
    dominio = str(body.get("idDominio") or request.creditor.creditor_fiscal_code)
    return DebtPosition(
        iud=request.iud,
        iuv=iuv,
        notice_number=numero,
        creditor_fiscal_code=dominio,
        amount=request.amount,
        handle={"idPendenza": id_pendenza},
    )


def moment_of(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value[:10]), time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def decimal_of(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class PaidReceipt:
    """The accepted receipt of a pendenza, as its ``rpp[]`` entry tells it."""

    iuv: str
    receipt_id: str
    rt: dict[str, Any]


def accepted_receipt(pendenza: dict[str, Any]) -> PaidReceipt | None:
    """The newest ``rpp[]`` entry whose receipt GovPay accepted (``RT_ACCETTATA_PA``)."""
    rpp = pendenza.get("rpp")
    if not isinstance(rpp, list):
        return None
    for entry in reversed(rpp):
        if not isinstance(entry, dict) or entry.get("stato") != RECEIPT_ACCEPTED:
            continue
        rt = entry.get("rt")
        if not isinstance(rt, dict):
            continue
        # Current model: ctReceipt (receiptId, creditorReferenceId); old model: RT 6.2.0.
        receipt_id = rt.get("receiptId") or rt.get("codiceContestoPagamento")
        dati = rt.get("datiPagamento")
        dati = dati if isinstance(dati, dict) else {}
        iuv = (
            rt.get("creditorReferenceId")
            or dati.get("identificativoUnivocoVersamento")
            or pendenza.get("iuvPagamento")
        )
        if receipt_id and iuv:
            return PaidReceipt(str(iuv), str(receipt_id), rt)
    return None


def position_status(pendenza: dict[str, Any], record: CallRecord, what: str) -> PositionStatus:
    """The proxy's reading of a ``Pendenza``; see the module docstring."""
    stato = pendenza.get("stato")
    if not isinstance(stato, str):
        raise malformed(record, what, "the pendenza has no stato")
    if stato in PAID:
        receipt = accepted_receipt(pendenza)
        rt = receipt.rt if receipt else {}
        return PositionStatus(
            PositionState.PAID,
            paid_at=moment_of(rt.get("paymentDateTime"))
            or moment_of(pendenza.get("dataPagamento")),
            amount_paid=decimal_of(rt.get("paymentAmount")) or decimal_of(pendenza.get("importo")),
            transaction_id=receipt.receipt_id if receipt else None,
            psp=str(rt.get("PSPCompanyName") or rt.get("idPSP") or "") or None,
        )
    if stato in ANOMALOUS:
        detail = pendenza.get("descrizioneStato")
        suffix = f" ({detail})" if detail else ""
        raise GovPayAnomaly(
            f"{what}: {ANOMALOUS[stato]}{suffix}",
            exchanges=record.exchanges,
            diagnosis="check the pendenza in the GovPay console and settle it there (refund, "
            "or mark it paid); the proxy keeps checking and follows GovPay's decision",
            code=stato,
        )
    if stato in STATES:
        return PositionStatus(STATES[stato])
    raise malformed(record, what, f"unknown stato {stato!r}")


def paid_receipt(pendenza: dict[str, Any], record: CallRecord, what: str) -> PaidReceipt:
    """The receipt to fetch; :class:`NotPaidYet` when GovPay has none (or the pendenza is
    ANOMALA/partial: a receipt exists then, but the payment is not complete)."""
    status = position_status(pendenza, record, what)
    if status.state is not PositionState.PAID:
        raise NotPaidYet(
            f"{what}: the pendenza is {pendenza.get('stato')}: no receipt",
            exchanges=record.exchanges,
        )
    receipt = accepted_receipt(pendenza)
    if receipt is None:
        raise malformed(
            record,
            what,
            f"the pendenza is {pendenza.get('stato')} but no rpp[] entry is "
            f"{RECEIPT_ACCEPTED} with a receipt id",
        )
    return receipt


def redirect_of(response: httpx.Response, record: CallRecord, what: str) -> str:
    """API Pagamento v2's answer: 201 ``{redirect}`` or a 30x ``Location``."""
    if response.status_code in (301, 302, 303, 307):
        location = str(response.headers.get("location", ""))
    elif response.status_code in (200, 201):
        location = str(json_object(response, record, what).get("redirect") or "")
    else:
        location = ""
    target = httpx.URL(location) if location else None
    if target is None or not (target.scheme in ("http", "https") and target.host):
        raise IntermediaryFault(
            f"{what}: no usable checkout URL (HTTP {response.status_code}, {location!r}); "
            "it will be retried",
            exchanges=record.exchanges,
            code="BROKEN_REDIRECT",
        )
    return location
