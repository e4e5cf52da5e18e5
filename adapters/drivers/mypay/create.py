"""Creating a dovuto in MyPay, and the identifiers that come back.

``paaSILImportaDovuto`` (``azione`` I, MyPay generates the IUV) for an ordinary payment; a
retry that meets ``PAA_IUD_DUPLICATO`` finds the existing dovuto instead of adding one. A
digital stamp goes through ``paaSILInviaDovuti`` with an IUV derived from the payment id.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.core.intermediary import (
    CreditorConfig,
    DebtPosition,
    DebtPositionRequest,
    IntermediaryFault,
    PositionContext,
    RequestRejected,
)
from adapters.drivers import _config
from adapters.drivers._http import CallRecord
from adapters.drivers._receipt import decode_base64_xml
from adapters.drivers.mypay.client import MyPayClient
from adapters.drivers.mypay.config import (
    F_APPLICATION,
    F_IPA,
    F_SEGREGATION,
    F_TIPO_DOVUTO,
    password,
    taxonomy,
)
from adapters.drivers.mypay.documents import Azione, dovuti, mypay_iud, versamento
from adapters.drivers.mypay.faults import (
    CANCELED_FAULTS,
    DUPLICATE_FAULTS,
    EXPIRED_FAULTS,
    NOT_FOUND_FAULTS,
    UNPAID_FAULTS,
)
from adapters.drivers.mypay.payments import facts_of
from adapters.pagopa import InvalidNoticeNumber, NoticeNumber, generate_notice, iuv_base_from_key


def versamento_for(
    ctx: PositionContext | DebtPositionRequest, iud: str, amount: Decimal, azione: str
) -> bytes:
    """The ``Versamento`` for a new payment (``azione`` I) or a known position (e.g. S)."""
    creditor = ctx.creditor
    try:
        return versamento(
            iud=iud,
            amount=amount,
            tipo_dovuto=_config.required(creditor, F_TIPO_DOVUTO),
            reason=ctx.reason,
            taxonomy=taxonomy(
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


def notice_for(creditor: CreditorConfig, iuv: str, record: CallRecord) -> str:
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


def iuv_of(answer: Any, record: CallRecord, operation: str) -> str:
    """The IUV MyPay generated, or a retriable fault when the answer has none."""
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


async def create(
    client: MyPayClient,
    record: CallRecord,
    request: DebtPositionRequest,
    environ: Mapping[str, str],
) -> DebtPosition:
    """The dovuto for ``request``, created (or found, on a retry) in MyPay."""
    creditor = request.creditor
    secret = password(creditor, environ)
    iud = mypay_iud(request.iud)
    if request.stamp is not None:
        return await _create_stamp(client, record, request, iud, secret)
    doc = versamento_for(request, iud, request.amount, Azione.INSERT)
    answer, fault = await client.call(
        record,
        creditor,
        "paaSILImportaDovuto",
        header=True,
        tolerate=DUPLICATE_FAULTS,
        password=secret,
        dovuto=doc,
        flagGeneraIuv=True,
    )
    if fault is not None:
        # A retry after a lost answer: the dovuto exists; find it, do not add one.
        iuv = await _existing_iuv(client, record, request, iud, secret)
        url_file_avviso = ""
    else:
        iuv = iuv_of(answer, record, "paaSILImportaDovuto")
        url_file_avviso = str(getattr(answer, "urlFileAvviso", None) or "")
    return DebtPosition(
        iud=iud,
        iuv=iuv,
        notice_number=notice_for(creditor, iuv, record),
        creditor_fiscal_code=creditor.creditor_fiscal_code,
        amount=request.amount,
        handle={"kind": "dovuto", "url_file_avviso": url_file_avviso},
    )


async def _existing_iuv(
    client: MyPayClient, record: CallRecord, request: DebtPositionRequest, iud: str, secret: str
) -> str:
    """The IUV of the dovuto MyPay already holds for ``iud``: among the debtor's open
    positions (``paaSILChiediPosizioniAperte``), else among the paid ones."""
    creditor = request.creditor
    ipa = _config.required(creditor, F_IPA)
    answer, _ = await client.call(
        record,
        creditor,
        "paaSILChiediPosizioniAperte",
        header=False,
        password=secret,
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
        facts = facts_of(decode_base64_xml(document), record, "an open Dovuti document")
        if iud in facts.iuds and facts.iuv:
            return facts.iuv
    pagati_answer, fault = await client.call(
        record,
        creditor,
        "paaSILChiediPagatiConRicevuta",
        header=False,
        tolerate=UNPAID_FAULTS | EXPIRED_FAULTS | CANCELED_FAULTS | NOT_FOUND_FAULTS,
        codIpaEnte=ipa,
        password=secret,
        identificativoUnivocoDovuto=iud,
    )
    pagati = getattr(pagati_answer, "pagati", None) if fault is None else None
    if pagati:
        facts = facts_of(decode_base64_xml(pagati), record, "the Pagati document")
        if facts.iuv:
            return facts.iuv
    raise IntermediaryFault(
        f"MyPay: IUD {iud} is reported as already sent, but neither the debtor's open "
        "positions nor the payments show it; it will be retried",
        exchanges=record.exchanges,
        code="PAA_IUD_DUPLICATO",
    )


async def _create_stamp(
    client: MyPayClient, record: CallRecord, request: DebtPositionRequest, iud: str, secret: str
) -> DebtPosition:
    """A marca da bollo digitale: ``paaSILInviaDovuti`` with a derived IUV (an immediate
    payment, paid online through the session URL MyPay answers)."""
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
            taxonomy=taxonomy(creditor, request.taxonomy),
            debtor=request.debtor,
            stamp=stamp,
        )
    except ValueError as exc:
        raise RequestRejected(f"MyPay Dovuti: {exc}", code="INVALID_REQUEST") from exc
    answer, fault = await client.call(
        record,
        creditor,
        "paaSILInviaDovuti",
        header=True,
        tolerate=DUPLICATE_FAULTS,
        password=secret,
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
