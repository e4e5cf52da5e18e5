"""What MyPay says about a payment: ``paaSILChiediPagatiConRicevuta`` by IUD (or
``paaSILChiediPagati`` by session), the ``Pagati`` document and the RT, read into a
:class:`PositionStatus` or a :class:`Receipt`."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.core.intermediary import (
    IntermediaryFault,
    NotPaidYet,
    PositionContext,
    PositionState,
    PositionStatus,
    Receipt,
)
from adapters.drivers import _config
from adapters.drivers._http import CallRecord
from adapters.drivers._receipt import ReceiptFacts, decode_base64_xml, read_receipt
from adapters.drivers._xml import UnsafeXML
from adapters.drivers.mypay.client import MyPayClient
from adapters.drivers.mypay.config import F_IPA, credential_hint, password
from adapters.drivers.mypay.faults import (
    CANCELED_FAULTS,
    EXPIRED_FAULTS,
    NOT_FOUND_FAULTS,
    STATE_OF_ESITO,
    SYSTEM_FAULTS,
    UNPAID_FAULTS,
    MyPayFault,
    state_of_fault,
    translate_fault,
)


def facts_of(data: bytes, record: CallRecord, what: str) -> ReceiptFacts:
    """The facts of a Pagati document or an RT; unsafe XML is a retriable fault."""
    try:
        return read_receipt(data, what=what)
    except UnsafeXML as exc:
        raise IntermediaryFault(
            f"MyPay: {exc}; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        ) from exc


async def pagati(
    client: MyPayClient, record: CallRecord, ctx: PositionContext, environ: Mapping[str, str]
) -> tuple[bytes | None, bytes | None, MyPayFault | None]:
    """(pagati XML, rt, fault bean) for the position, by IUD (or by session); the password
    comes from ``environ``."""
    creditor = ctx.creditor
    tolerated = UNPAID_FAULTS | EXPIRED_FAULTS | CANCELED_FAULTS | SYSTEM_FAULTS
    common = {
        "codIpaEnte": _config.required(creditor, F_IPA),
        "password": password(creditor, environ),
    }
    session = ctx.position.handle.get("id_session")
    answer, fault = await client.call(
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
        answer, fault = await client.call(
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
            raise translate_fault(fault, record, "MyPay", credential_hint(creditor), not_found=True)
        return None, None, fault
    document = getattr(answer, "pagati", None)
    if not document:
        raise IntermediaryFault(
            f"MyPay {record.operation}: neither a fault nor the pagati document in the "
            "answer; it will be retried",
            exchanges=record.exchanges,
            code="MALFORMED_ANSWER",
        )
    rt = getattr(answer, "rt", None)
    return decode_base64_xml(document), (decode_base64_xml(rt) if rt else None), None


def position_status(
    document: bytes | None, fault: MyPayFault | None, record: CallRecord
) -> PositionStatus:
    """The position's state from what :func:`pagati` returned."""
    if fault is not None:
        return PositionStatus(state_of_fault(fault))
    assert document is not None
    facts = facts_of(document, record, "the Pagati document")
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


def receipt_of(
    ctx: PositionContext,
    document: bytes | None,
    rt: bytes | None,
    fault: MyPayFault | None,
    record: CallRecord,
) -> Receipt:
    """The receipt (the RT, else the Pagati document) from what :func:`pagati` returned;
    :class:`NotPaidYet` unless the position is paid."""
    if fault is not None:
        raise NotPaidYet(
            f"MyPay: no receipt for IUV {ctx.position.iuv}: {fault.text}",
            exchanges=record.exchanges,
            code=fault.code,
        )
    assert document is not None
    facts = facts_of(document, record, "the Pagati document")
    if STATE_OF_ESITO.get(facts.outcome or "") is not PositionState.PAID:
        raise NotPaidYet(
            f"MyPay: IUV {ctx.position.iuv} is not paid (codiceEsitoPagamento {facts.outcome})",
            exchanges=record.exchanges,
            code=facts.outcome,
        )
    content = rt or document
    rt_facts = facts_of(rt, record, "the RT") if rt else facts
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
