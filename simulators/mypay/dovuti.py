"""The operations that keep dovuti: ``paaSILImportaDovuto`` (a position with its notice)
and ``paaSILInviaDovuti`` (a cart to pay now)."""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from simulators.mypay import documents, notice
from simulators.mypay.avvisi import notice_answer, notice_pdf, session_answer
from simulators.mypay.checks import check_debtor, check_item, check_iuv
from simulators.mypay.context import Context, MyPayFault, check_ente, system_fault
from simulators.mypay.documents import DocumentError
from simulators.mypay.model import Position
from simulators.mypay.soap import SoapRequest, child, response_element
from simulators.mypay.store import DuplicateIud, now


def _decode(req: SoapRequest, name: str) -> bytes:
    raw = req.text(name) or ""
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MyPayFault(
            "PAA_XML_NON_VALIDO", "XML dei dovuti non valido", f"{name} is not valid base64: {exc}"
        ) from exc


def importa_dovuto(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILImportaDovuto``: azione I (insert), M (modify), A (cancel), S (print only)."""
    data = _decode(req, "dovuto")
    try:
        versamento = documents.read_versamento(data, ctx.settings.validate)
    except DocumentError as exc:
        raise MyPayFault(exc.fault_code, exc.fault_string, exc.description) from exc
    creditor = check_ente(ctx, req.cod_ipa_header, req.text("password"))
    if req.has("listaDovutiEntiSecondari"):
        raise MyPayFault(
            "PAA_SERVIZIO_NON_IMPLEMENTATO",
            "listaDovutiEntiSecondari (multibeneficiario) non supportato dal simulatore",
        )
    azione = versamento.azione
    if azione not in ("I", "M", "A", "S"):
        raise MyPayFault("PAA_AZIONE_NON_VALIDO", f"azione non valida [{azione}]")
    genera_iuv = (req.text("flagGeneraIuv") or "false") in ("true", "1")
    if versamento.iuv:
        check_iuv(creditor, versamento.iuv)
    debtor = check_debtor(versamento.debtor)
    item = versamento.item
    check_item(creditor, item, importing=True)
    resp = response_element(req.operation, ctx.ns)

    if azione == "I":
        if not versamento.iuv and not genera_iuv:
            raise MyPayFault(
                "PAA_IUV_NON_VALIDO",
                "IdentificativoUnivocoVersamento non valido [null]",
                "send flagGeneraIuv=true or an IUV: the simulator only keeps dovuti with a notice",
            )
        fault = ctx.faults.check("create")
        if fault is not None:
            raise system_fault(fault, "dovuto non creato")
        try:
            position = ctx.store.create(
                creditor, debtor, [item], versamento.due_date, req.operation, versamento.iuv
            )
        except DuplicateIud as dup:
            ctx.touched.append(dup.position)
            if ctx.settings.duplicate_iud == "fault":
                raise MyPayFault(
                    "PAA_IUD_DUPLICATO",
                    f"IUD [{item.iud}] gia' inviato",
                    f"IUD duplicato: {item.iud}",
                ) from dup
            position = dup.position
        except ValueError as exc:
            raise MyPayFault("PAA_IUV_DUPLICATO", str(exc)) from exc
        ctx.touched.append(position)
        child(resp, "esito", "OK")
        notice_answer(ctx, resp, position)
        return resp

    existing = ctx.store.by_iud(creditor.cod_ipa, item.iud)
    if azione == "S":
        if genera_iuv or not versamento.iuv:
            raise MyPayFault(
                "PAA_SYSTEM_ERROR",
                "Errore richiesta azione 'S' prevede presenza di 'IUV' e assenza 'flag_genera_iuv'",
            )
        stored = ctx.store.by_iuv(creditor.cod_ipa, versamento.iuv)
        if stored is None:
            at = now()
            target = Position(
                creditor, versamento.iuv, debtor, [item], versamento.due_date, "print-only", at, at
            )
        else:
            ctx.touched.append(stored)
            target = stored
        child(resp, "esito", "OK")
        if ctx.faults.check("notice") is None:
            # A stored position's notice is rendered once and kept until the position changes.
            pdf = notice.render_pdf(target) if stored is None else notice_pdf(target)
            archive = notice.zip_pdf(target, pdf)
            child(resp, "base64ZipAvviso", base64.b64encode(archive).decode())
        return resp
    if existing is None:
        raise MyPayFault(
            "PAA_IUD_NON_VALIDO",
            f"IdentificativoUnivocoDovuto non valido [{item.iud}]",
            f"no dovuto with IUD {item.iud} for ente {creditor.cod_ipa}",
        )
    ctx.touched.append(existing)
    if existing.state in ("PAGATO", "IN_CORSO"):
        raise MyPayFault(
            "PAA_PAGAMENTO_DUPLICATO" if existing.state == "PAGATO" else "PAA_PAGAMENTO_IN_CORSO",
            f"dovuto con IUD [{item.iud}] in stato {existing.state}: azione "
            f"{azione} non consentita",
        )
    if azione == "A":
        existing.state = "ANNULLATO"
        existing.touch(existing.updated_at)
        child(resp, "esito", "OK")
        child(resp, "identificativoUnivocoVersamento", existing.iuv)
        return resp
    # azione M
    fault = ctx.faults.check("create")
    if fault is not None:
        raise system_fault(fault, "dovuto non modificato")
    ctx.store.replace_items(existing, [item], debtor, versamento.due_date)
    existing.state = "DA_PAGARE"
    child(resp, "esito", "OK")
    notice_answer(ctx, resp, existing)
    return resp


def invia_dovuti(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILInviaDovuti``: dovuti to pay now; answers ``idSession`` and the payment ``url``."""
    creditor = check_ente(ctx, req.cod_ipa_header, req.text("password"))
    try:
        dovuti = documents.read_dovuti(_decode(req, "dovuti"), ctx.settings.validate)
    except DocumentError as exc:
        raise MyPayFault(exc.fault_code, exc.fault_string, exc.description) from exc
    if dovuti.iuv:
        check_iuv(creditor, dovuti.iuv)
        if len(dovuti.items) > 1:
            raise MyPayFault(
                "PAA_NUMERO_DOVUTI_PER_IUV_NON_VALIDO",
                f"Numero dovuti [{len(dovuti.items)}] per lo stesso IUV [{dovuti.iuv}] non valido",
            )
    debtor = check_debtor(dovuti.debtor)
    seen: set[str] = set()
    for item in dovuti.items:
        check_item(creditor, item, importing=False)
        if item.iud in seen:
            raise MyPayFault("PAA_IUD_DUPLICATO", f"IUD [{item.iud}] duplicato in input per ente")
        seen.add(item.iud)
    fault = ctx.faults.check("create")
    if fault is not None:
        raise system_fault(fault, "carrello non creato")
    try:
        position = ctx.store.create(creditor, debtor, dovuti.items, None, req.operation, dovuti.iuv)
    except DuplicateIud as dup:
        ctx.touched.append(dup.position)
        if ctx.settings.duplicate_iud == "fault" or dup.position.state not in (
            "DA_PAGARE",
            "NON_PAGATO",
        ):
            raise MyPayFault("PAA_IUD_DUPLICATO", f"IUD [{dup.iud}] già inviato") from dup
        position = dup.position
    except ValueError as exc:
        raise MyPayFault("PAA_IUV_DUPLICATO", str(exc)) from exc
    ctx.touched.append(position)
    return session_answer(ctx, req, position)
