"""The ``paaSIL*`` operations: the handler of each, and the dispatch that turns a business
refusal into MyPay's answer.

Business refusals are answered as MyPay does, with a ``faultBean`` inside the normal
``...Risposta`` (and ``esito`` KO where the operation has one). The handlers live by concern:
``dovuti`` (import and cart), ``avvisi`` (notices, payment sessions), ``queries``
(``paaSILChiedi*``); what they share is in ``context`` and ``checks``.
"""

from __future__ import annotations

from lxml import etree

from simulators.mypay.avvisi import verifica_avviso
from simulators.mypay.context import Context, Handler, MyPayFault
from simulators.mypay.dovuti import importa_dovuto, invia_dovuti
from simulators.mypay.queries import (
    chiedi_pagati,
    chiedi_pagati_con_ricevuta,
    chiedi_posizioni_aperte,
)
from simulators.mypay.soap import OPERATIONS, SoapRequest, child, response_element

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
