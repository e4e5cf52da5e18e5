"""The ``paaSILChiedi*`` queries: the ``Pagati`` of a closed payment (with or without its
receipt) and a debtor's open positions."""

from __future__ import annotations

import base64

from lxml import etree

from simulators.mypay import documents
from simulators.mypay.avvisi import pay_url
from simulators.mypay.context import Context, MyPayFault, check_ente, system_fault
from simulators.mypay.contracts import PAY_I
from simulators.mypay.model import Position
from simulators.mypay.soap import SoapRequest, child, response_element


def _paid_position(position: Position, cod_ipa: str, key: str) -> Position:
    """``position`` if a receipt closed it; else MyPay's fault for its state."""
    state = position.state
    if state in ("PAGATO", "NON_PAGATO") and position.paid is not None:
        return position
    if state == "IN_CORSO":
        raise MyPayFault("PAA_PAGAMENTO_IN_CORSO", f"Pagamento in corso per {key}")
    if state == "ANNULLATO":
        raise MyPayFault("PAA_PAGAMENTO_ANNULLATO", f"Pagamento annullato per {key}")
    raise MyPayFault("PAA_PAGAMENTO_NON_INIZIATO", f"Pagamento non iniziato per {key}")


def _pagati(ctx: Context, position: Position, with_receipt: bool) -> str:
    key = "pagati+rt" if with_receipt else "pagati"
    encoded = position.cache.get(key)
    if encoded is None:
        document = documents.build_pagati(position, with_receipt)
        encoded = base64.b64encode(document)
        if ctx.settings.pagati_double_base64:
            encoded = base64.b64encode(encoded)
        position.cache[key] = encoded
    return encoded.decode()


def chiedi_pagati(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILChiediPagati``: the ``Pagati`` of the payment opened as ``idSession``."""
    cod_ipa = req.text("codIpaEnte")
    check_ente(ctx, cod_ipa, req.text("password"))
    fault = ctx.faults.check("status")
    if fault is not None:
        raise system_fault(fault, "stato del pagamento non disponibile")
    id_session = req.text("idSession") or ""
    session = ctx.store.session(id_session)
    position = ctx.store.by_iuv(session.cod_ipa, session.iuv) if session else None
    if session is None or position is None or session.cod_ipa != cod_ipa:
        raise MyPayFault(
            "PAA_ID_SESSION_NON_VALIDO",
            f"idSession [{id_session}] non valido per l Ente specificato",
        )
    ctx.touched.append(position)
    _paid_position(position, session.cod_ipa, f"idSession specificato [{id_session}]")
    resp = response_element(req.operation, ctx.ns)
    child(resp, "pagati", _pagati(ctx, position, with_receipt=False))
    return resp


def chiedi_pagati_con_ricevuta(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILChiediPagatiConRicevuta``: ``PagatiConRicevuta`` and the receipt (``rt``),
    by exactly one of ``idSession``, IUV, IUD."""
    cod_ipa = req.text("codIpaEnte") or ""
    creditor = check_ente(ctx, cod_ipa, req.text("password"))
    keys = {
        name: req.text(name)
        for name in ("idSession", "identificativoUnivocoVersamento", "identificativoUnivocoDovuto")
    }
    given = {k: v for k, v in keys.items() if v}
    if len(given) != 1:
        raise MyPayFault(
            "PAA_SYSTEM_ERROR",
            "PAA SYSTEM ERROR",
            "Errore, specificare uno e un solo parametro tra idSession, "
            "identificativoUnivocoVersamento e identificativoUnivocoDovuto.",
        )
    fault = ctx.faults.check("status", "receipt")
    if fault is not None and fault.params.get("as") != "empty":
        raise system_fault(fault, "ricevuta (RT) non disponibile")
    name, value = next(iter(given.items()))
    position: Position | None
    if name == "idSession":
        session = ctx.store.session(value)
        position = ctx.store.by_iuv(session.cod_ipa, session.iuv) if session else None
        if session is None or session.cod_ipa != cod_ipa:
            position = None
        code = "PAA_ID_SESSION_NON_VALIDO"
    elif name == "identificativoUnivocoVersamento":
        position, code = ctx.store.by_iuv(creditor.cod_ipa, value), "PAA_IUV_NON_VALIDO"
    else:
        position, code = ctx.store.by_iud(creditor.cod_ipa, value), "PAA_IUD_NON_VALIDO"
    if position is None:
        raise MyPayFault(code, f"{name} [{value}] non valido per l Ente specificato")
    ctx.touched.append(position)
    _paid_position(position, cod_ipa, f"{name} specificato [{value}]")
    assert position.paid is not None
    resp = response_element(req.operation, ctx.ns)
    child(resp, "pagati", _pagati(ctx, position, with_receipt=True))
    if fault is None:  # receipt-download-failure with as=empty: the RT is missing
        child(resp, "rt", base64.b64encode(position.paid.raw_xml).decode())
    return resp


def chiedi_posizioni_aperte(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILChiediPosizioniAperte``: the open positions of a debtor, one ``Dovuti`` each."""
    cod_ipa = req.text("codIpaEnte")
    password = req.text("password")
    if cod_ipa:
        creditors = [check_ente(ctx, cod_ipa, password)]
    else:  # no ente given: every ente whose SIL password this is
        if ctx.credentials_expired:
            raise MyPayFault(
                "PAA_ENTE_NON_VALIDO",
                "Password non valida",
                "credenziali scadute: rinnovare la password del SIL",
            )
        creditors = [c for c in ctx.store.creditors.values() if c.password == password]
        if not creditors:
            raise MyPayFault("PAA_ENTE_NON_VALIDO", "Password non valida")
    fault = ctx.faults.check("status")
    if fault is not None:
        raise system_fault(fault, "posizioni aperte non disponibili")
    # ctIdentificativoUnivocoPersonaFG comes from PagInf_Dovuti_Pagati (qualified children)
    # although the element holding it, like every child of the ppt wrapper, is unqualified.
    person = req.body.find("identificativoUnivocoPersonaFG")
    code = (
        person.findtext(f"{{{PAY_I}}}codiceIdentificativoUnivoco") if person is not None else None
    )
    fiscal_code = (code or "").strip()
    resp = response_element(req.operation, ctx.ns)
    for creditor in creditors:
        for position in ctx.store.open_positions(creditor.cod_ipa, fiscal_code):
            ctx.touched.append(position)
            entry = child(resp, "paaSILPosizioniAperte")
            child(entry, "codIpaEnte", creditor.cod_ipa)
            child(entry, "deNomeEnte", creditor.name[:35])
            session_id = position.sessions[-1] if position.sessions else position.iuv
            child(entry, "urlPagamento", pay_url(ctx, position, session_id, None))
            child(entry, "dovuti", base64.b64encode(documents.build_dovuti(position)).decode())
    return resp
