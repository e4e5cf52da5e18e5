"""The ``paaSIL*`` operations: each reads a parsed request and builds the answer element.

Business refusals are answered as MyPay does, with a ``faultBean`` inside the normal
``...Risposta`` (and ``esito`` KO where the operation has one); fault codes and strings
follow MyPay 4's ``PagamentiTelematiciDovutiPagatiImpl``/``DovutoService``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from lxml import etree

from simulators.common.faults import Fault, FaultState
from simulators.mypay import documents, notice
from simulators.mypay.contracts import PAY_I
from simulators.mypay.documents import DocumentError
from simulators.mypay.iuv import iuv_problem
from simulators.mypay.model import TIPO_MARCA_BOLLO, Creditor, Debtor, Item, Position
from simulators.mypay.settings import Settings
from simulators.mypay.soap import OPERATIONS, SoapFault, SoapRequest, child, response_element
from simulators.mypay.store import DuplicateIud, Store

_FISCAL_CODE_F = re.compile(r"[A-Z0-9]{16}|[0-9]{11}")
_FISCAL_CODE_G = re.compile(r"[0-9]{11}")


class MyPayFault(Exception):
    """A refusal answered inside the response's ``faultBean``."""

    def __init__(self, code: str, string: str, description: str | None = None) -> None:
        super().__init__(f"{code}: {string}")
        self.code = code
        self.string = string
        self.description = description


@dataclass
class Context:
    """What one request's handler may use and what it touched."""

    settings: Settings
    store: Store
    faults: FaultState
    base_url: str
    ns: str
    credentials_expired: bool = False
    touched: list[Position] = field(default_factory=list)


Handler = Callable[[Context, SoapRequest], etree._Element]


# --- shared checks ----------------------------------------------------------------------------


def check_ente(ctx: Context, cod_ipa: str | None, password: str | None) -> Creditor:
    """MyPay's ``verificaEnte``: the ente exists and the password is its own."""
    creditor = ctx.store.creditors.get(cod_ipa or "")
    if creditor is None:
        raise MyPayFault("PAA_ENTE_NON_VALIDO", f"codice IPA Ente [{cod_ipa}] non valido")
    if ctx.credentials_expired:
        raise MyPayFault(
            "PAA_ENTE_NON_VALIDO",
            f"Password non valida per ente [{cod_ipa}]",
            "credenziali scadute: rinnovare la password del SIL",
        )
    if password != creditor.password:
        raise MyPayFault("PAA_ENTE_NON_VALIDO", f"Password non valida per ente [{cod_ipa}]")
    return creditor


def system_fault(fault: Fault, what: str) -> Exception:
    """How a ``creation-error``/``status-error``/``receipt-download-failure`` strikes.

    Param ``as``: ``soap`` (default: SOAP Fault, HTTP 500) or ``bean`` (faultBean
    PAA_SYSTEM_ERROR inside a normal answer).
    """
    description = f"{what} (fault profile {fault.name})"
    if fault.params.get("as", "soap") == "bean":
        return MyPayFault("PAA_SYSTEM_ERROR", "PAA SYSTEM ERROR", description)
    return SoapFault("soap:Server", "PAA_SYSTEM_ERROR: PAA SYSTEM ERROR", description)


def _decode(req: SoapRequest, name: str) -> bytes:
    raw = req.text(name) or ""
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MyPayFault(
            "PAA_XML_NON_VALIDO", "XML dei dovuti non valido", f"{name} is not valid base64: {exc}"
        ) from exc


def _check_debtor(debtor: Debtor | None) -> Debtor:
    if debtor is None:
        raise MyPayFault("PAA_SOGG_PAG_NON_VALORIZZATO", "soggettoPagatore non valorizzato")
    pattern = _FISCAL_CODE_F if debtor.kind == "F" else _FISCAL_CODE_G
    if not pattern.fullmatch(debtor.fiscal_code):
        code = "PAA_CODICE_FISCALE_NON_VALIDO" if debtor.kind == "F" else "PAA_P_IVA_NON_VALIDO"
        label = "Codice fiscale non valido" if debtor.kind == "F" else "P.IVA non valida"
        raise MyPayFault(code, f"{label} [{debtor.fiscal_code}]")
    return debtor


def _check_item(creditor: Creditor, item: Item, importing: bool) -> None:
    if not item.iud or item.iud.startswith("000"):
        raise MyPayFault(
            "PAA_IUD_NON_VALIDO", f"IdentificativoUnivocoDovuto non valido [{item.iud}]"
        )
    if item.tipo_dovuto not in creditor.tipi_dovuto:
        raise MyPayFault(
            "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO",
            f"Error tipo dovuto [{item.tipo_dovuto}] non censito per ente [{creditor.cod_ipa}]",
            f"tipi dovuto of {creditor.cod_ipa}: {', '.join(creditor.tipi_dovuto)}",
        )
    if item.tipo_dovuto == TIPO_MARCA_BOLLO:
        if importing:
            raise MyPayFault(
                "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO",
                f"Error tipo dovuto [{TIPO_MARCA_BOLLO}] non abilitato per funzione di import",
                "a digital stamp is paid online: send it with paaSILInviaDovuti",
            )
        if item.amount != creditor.stamp_amount:
            raise MyPayFault(
                "PAA_IMPORTO_MARCA_BOLLO_DIGITALE_NON_VALIDA",
                f"importoSingoloVersamento non valido per tipo dovuto {TIPO_MARCA_BOLLO}",
                f"expected {creditor.stamp_amount:.2f}, got {item.amount:.2f}",
            )
        if item.stamp is None:
            raise MyPayFault(
                "PAA_XML_NON_VALIDO",
                "XML dei dovuti non valido",
                f"{TIPO_MARCA_BOLLO} needs datiMarcaBolloDigitale",
            )
    if item.amount <= 0:
        raise MyPayFault(
            "PAA_IMPORTO_SINGOLO_VERSAMENTO_NON_VALIDO",
            f"ImportoSingoloVersamento non valido [{item.amount}]",
        )


def _check_iuv(creditor: Creditor, iuv: str) -> None:
    problem = iuv_problem(iuv, creditor.segregation_code)
    if problem:
        raise MyPayFault(
            "PAA_IUV_NON_VALIDO",
            f"IdentificativoUnivocoVersamento non valido [{iuv}] per ente [{creditor.cod_ipa}]",
            problem,
        )


def _pay_url(ctx: Context, position: Position, session_id: str, return_url: str | None) -> str:
    """Where the citizen pays: the checkout mock's payment page for this notice."""
    fault = ctx.faults.check("redirect")
    if fault is not None:
        return f"{ctx.base_url}/broken-redirect/{session_id}"
    # The checkout mock's direct entry (GET /pay): amount in euro cents; the citizen
    # comes back to returnUrl, by default MyPay's own landing page for the session.
    query = {
        "fiscalCode": position.creditor.fiscal_code,
        "noticeNumber": position.notice_number,
        "amount": str(amount_cents(position.amount)),
        "description": position.causale[:140],
        "companyName": position.creditor.name,
        "idCart": session_id,
        "returnUrl": return_url or f"{ctx.base_url}/ritorno/{session_id}",
    }
    return f"{ctx.settings.checkout_url.rstrip('/')}/pay?{urlencode(query)}"


def notice_pdf(position: Position) -> bytes:
    """The notice PDF of a position, rendered once and kept until the position changes."""
    pdf = position.cache.get("pdf")
    if pdf is None:
        pdf = position.cache["pdf"] = notice.render_pdf(position)
    return pdf


def _notice_answer(ctx: Context, resp: etree._Element, position: Position) -> None:
    child(resp, "identificativoUnivocoVersamento", position.iuv)
    child(resp, "urlFileAvviso", f"{ctx.base_url}/avvisi/{position.iuv}.pdf")
    if ctx.faults.check("notice") is not None:
        child(resp, "base64ZipAvviso", "")  # the notice could not be produced
        return
    archive = notice.zip_pdf(position, notice_pdf(position))
    child(resp, "base64ZipAvviso", base64.b64encode(archive).decode())


# --- operations -------------------------------------------------------------------------------


def importa_dovuto(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILImportaDovuto``: azione I (insert), M (modify), A (cancel), S (print only)."""
    data = _decode(req, "dovuto")
    try:
        versamento = documents.read_versamento(data, ctx.settings.validate)
    except DocumentError as exc:
        raise MyPayFault(exc.fault_code, exc.fault_string, exc.description) from exc
    creditor = check_ente(ctx, req.cod_ipa_header, req.text("password"))
    if req.body.find("listaDovutiEntiSecondari") is not None:
        raise MyPayFault(
            "PAA_SERVIZIO_NON_IMPLEMENTATO",
            "listaDovutiEntiSecondari (multibeneficiario) non supportato dal simulatore",
        )
    azione = versamento.azione
    if azione not in ("I", "M", "A", "S"):
        raise MyPayFault("PAA_AZIONE_NON_VALIDO", f"azione non valida [{azione}]")
    genera_iuv = (req.text("flagGeneraIuv") or "false") in ("true", "1")
    if versamento.iuv:
        _check_iuv(creditor, versamento.iuv)
    debtor = _check_debtor(versamento.debtor)
    item = versamento.item
    _check_item(creditor, item, importing=True)
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
        _notice_answer(ctx, resp, position)
        return resp

    existing = ctx.store.by_iud(creditor.cod_ipa, item.iud)
    if azione == "S":
        if genera_iuv or not versamento.iuv:
            raise MyPayFault(
                "PAA_SYSTEM_ERROR",
                "Errore richiesta azione 'S' prevede presenza di 'IUV' e assenza 'flag_genera_iuv'",
            )
        target = ctx.store.by_iuv(creditor.cod_ipa, versamento.iuv)
        if target is None:
            from simulators.mypay.store import now

            at = now()
            target = Position(
                creditor, versamento.iuv, debtor, [item], versamento.due_date, "print-only", at, at
            )
        else:
            ctx.touched.append(target)
        child(resp, "esito", "OK")
        if ctx.faults.check("notice") is None:
            archive = notice.zip_pdf(target, notice.render_pdf(target))
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
    _notice_answer(ctx, resp, existing)
    return resp


def invia_dovuti(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILInviaDovuti``: dovuti to pay now; answers ``idSession`` and the payment ``url``."""
    creditor = check_ente(ctx, req.cod_ipa_header, req.text("password"))
    try:
        dovuti = documents.read_dovuti(_decode(req, "dovuti"), ctx.settings.validate)
    except DocumentError as exc:
        raise MyPayFault(exc.fault_code, exc.fault_string, exc.description) from exc
    if dovuti.iuv:
        _check_iuv(creditor, dovuti.iuv)
        if len(dovuti.items) > 1:
            raise MyPayFault(
                "PAA_NUMERO_DOVUTI_PER_IUV_NON_VALIDO",
                f"Numero dovuti [{len(dovuti.items)}] per lo stesso IUV [{dovuti.iuv}] non valido",
            )
    debtor = _check_debtor(dovuti.debtor)
    seen: set[str] = set()
    for item in dovuti.items:
        _check_item(creditor, item, importing=False)
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
    return _session_answer(ctx, req, position)


def _session_answer(ctx: Context, req: SoapRequest, position: Position) -> etree._Element:
    return_url = req.text("enteSILInviaRispostaPagamentoUrl")
    session = ctx.store.open_session(position, return_url)
    resp = response_element(req.operation, ctx.ns)
    child(resp, "esito", "OK")
    child(resp, "idSession", session.id)
    child(resp, "redirect", "1")
    child(resp, "url", _pay_url(ctx, position, session.id, return_url))
    return resp


def verifica_avviso(ctx: Context, req: SoapRequest) -> etree._Element:
    """``paaSILVerificaAvviso``: pay an existing notice online (``idSession`` + ``url``)."""
    creditor = check_ente(ctx, req.cod_ipa_header, req.text("password"))
    iuv = req.text("identificativoUnivocoVersamento") or ""
    position = ctx.store.by_iuv(creditor.cod_ipa, iuv)
    if position is None:
        raise MyPayFault(
            "PAA_IUV_NON_VALIDO",
            f"Error nessun dovuto trovato per IUV [{iuv}] ed ente [{creditor.cod_ipa}]",
        )
    ctx.touched.append(position)
    if position.state not in ("DA_PAGARE", "IN_CORSO", "NON_PAGATO"):
        raise MyPayFault(
            "PAA_IUV_NON_VALIDO",
            f"non ci sono dovuti pagabili per il dato IUV [{iuv}]",
            f"dovuto in stato {position.state}",
        )
    return _session_answer(ctx, req, position)


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
            child(entry, "urlPagamento", _pay_url(ctx, position, session_id, None))
            child(entry, "dovuti", base64.b64encode(documents.build_dovuti(position)).decode())
    return resp


HANDLERS: dict[str, Handler] = {
    "paaSILImportaDovuto": importa_dovuto,
    "paaSILInviaDovuti": invia_dovuti,
    "paaSILVerificaAvviso": verifica_avviso,
    "paaSILChiediPagati": chiedi_pagati,
    "paaSILChiediPagatiConRicevuta": chiedi_pagati_con_ricevuta,
    "paaSILChiediPosizioniAperte": chiedi_posizioni_aperte,
}
assert HANDLERS.keys() == OPERATIONS.keys()


def fault_answer(
    ctx: Context, req: SoapRequest, fault: MyPayFault, cod_ipa: str | None
) -> etree._Element:
    """The operation's normal answer carrying a ``faultBean`` (and ``esito`` KO)."""
    resp = response_element(req.operation, ctx.ns)
    bean = child(resp, "fault")
    child(bean, "faultCode", fault.code)
    child(bean, "faultString", fault.string)
    child(bean, "id", cod_ipa or "n/a")
    if fault.description:
        child(bean, "description", fault.description)
    if OPERATIONS[req.operation][1]:
        child(resp, "esito", "KO")
    return resp


def dispatch(ctx: Context, req: SoapRequest) -> etree._Element:
    """Run the operation; business refusals become a ``faultBean`` answer."""
    try:
        return HANDLERS[req.operation](ctx, req)
    except MyPayFault as fault:
        cod_ipa = req.cod_ipa_header or req.text("codIpaEnte")
        return fault_answer(ctx, req, fault, cod_ipa)


def amount_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())
