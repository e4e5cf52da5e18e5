"""Notices (avvisi) and where they are paid: the notice PDF/ZIP in an answer, the payment
session and checkout URL, and ``paaSILVerificaAvviso``."""

from __future__ import annotations

import base64
from decimal import Decimal
from urllib.parse import urlencode

from lxml import etree

from simulators.mypay import notice
from simulators.mypay.context import Context, MyPayFault, check_ente
from simulators.mypay.model import Position
from simulators.mypay.soap import SoapRequest, child, response_element


def pay_url(ctx: Context, position: Position, session_id: str, return_url: str | None) -> str:
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


def amount_cents(amount: Decimal) -> int:
    """An amount in euro as integer euro cents."""
    return int((amount * 100).to_integral_value())


def notice_pdf(position: Position) -> bytes:
    """The notice PDF of a position, rendered once and kept until the position changes."""
    pdf = position.cache.get("pdf")
    if pdf is None:
        pdf = position.cache["pdf"] = notice.render_pdf(position)
    return pdf


def notice_answer(ctx: Context, resp: etree._Element, position: Position) -> None:
    """Add the IUV and the notice URL to ``resp``: MyPay's answer to ``azione`` I and M.

    MyPay renders the paper notice only when someone asks for it: MyPay4's
    ``DovutoService.importDovuto`` (RegioneDelVeneto/mypay) sets ``base64ZipAvviso`` for
    ``azione`` S alone and answers I with ``urlFileAvviso``, a link to a download rendered on
    demand; the Piattaforma Unitaria's SIL (pagopa/p4pa-pu-sil, ``BaseDebtPositionHandler``)
    zips a notice for S only too. So the PDF is rendered when ``urlFileAvviso`` is fetched
    or S asks for it, then kept until the position changes; ``notice_in_create`` zips it
    into this answer too, as the simulator once did.
    """
    child(resp, "identificativoUnivocoVersamento", position.iuv)
    child(resp, "urlFileAvviso", f"{ctx.base_url}/avvisi/{position.iuv}.pdf")
    if not ctx.settings.notice_in_create:
        return
    if ctx.faults.check("notice") is not None:
        child(resp, "base64ZipAvviso", "")  # the notice could not be produced
        return
    archive = notice.zip_pdf(position, notice_pdf(position))
    child(resp, "base64ZipAvviso", base64.b64encode(archive).decode())


def session_answer(ctx: Context, req: SoapRequest, position: Position) -> etree._Element:
    """Open a payment session on ``position``; answer its ``idSession`` and payment ``url``."""
    return_url = req.text("enteSILInviaRispostaPagamentoUrl")
    session = ctx.store.open_session(position, return_url)
    resp = response_element(req.operation, ctx.ns)
    child(resp, "esito", "OK")
    child(resp, "idSession", session.id)
    child(resp, "redirect", "1")
    child(resp, "url", pay_url(ctx, position, session.id, return_url))
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
    return session_answer(ctx, req, position)
