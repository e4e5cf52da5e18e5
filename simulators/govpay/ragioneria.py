"""API Ragioneria v3 receipt reads and API Pagamento v2 ``POST /pagamenti``.

Ragioneria (``/govpay/backend/api/ragioneria/rs/{auth}/v3``):
- ``GET /ricevute?idDominio=&iuv=&numeroAvviso=&idRicevuta=`` -> ``Ricevute``, newest first;
- ``GET /ricevute/{idDominio}/{iuv}/{idRicevuta}``: ``Accept: application/json`` (or none) ->
  ``Ricevuta``, ``application/pdf`` -> the receipt PDF, anything else -> 406.

Pagamento (``/govpay/frontend/api/pagamento/rs/{auth}/v2``, deprecated in GovPay):
``POST /pagamenti`` with ``{"pendenze": [{"idA2A","idPendenza"} | {"idDominio","numeroAvviso"}],
"urlRitorno": ...}``: each pendenza must be payable (422 VER_010..013 otherwise, as GovPay's
verify outcome); GovPay then opens a pagoPA Checkout cart (``POST {checkout}/carts``) with
one notice per pendenza and answers 201 ``{"id":"0","location":...,"redirect":...,
"idSession":"0"}``, or 302 to the cart when ``send_redirect`` is set. An unreachable or
refusing Checkout is 502 PAGOPA.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from simulators.common.faults import FaultState
from simulators.govpay import render
from simulators.govpay.api import first_accept, json_response, paged, read_json
from simulators.govpay.documents import receipt_pdf
from simulators.govpay.errors import GovPayError, business, not_acceptable, not_found, syntax
from simulators.govpay.gate import Gate
from simulators.govpay.model import Pendenza
from simulators.govpay.numbering import iuv_of
from simulators.govpay.store import Store

RAGIONERIA = "/govpay/backend/api/ragioneria/rs/{auth}/v3"
PAGAMENTO = "/govpay/frontend/api/pagamento/rs/{auth}/v2"
# Why a pendenza cannot be paid: stato -> GovPay's verify outcome code.
NOT_PAYABLE = {
    "SCADUTA": ("VER_010", "PAA_PAGAMENTO_SCADUTO"),
    "ANNULLATA": ("VER_013", "PAA_PAGAMENTO_ANNULLATO"),
    **{
        s: ("VER_012", "PAA_PAGAMENTO_DUPLICATO")
        for s in ("ESEGUITA", "ANOMALA", "INCASSATA", "ESEGUITA_PARZIALE")
    },
}


class RagioneriaApi:
    """Receipts (Ragioneria v3) and the payment start (Pagamento v2)."""

    def __init__(
        self,
        store: Store,
        gate: Gate,
        faults: FaultState,
        checkout_url: str | None,
        send_redirect: bool = False,
    ) -> None:
        self.store = store
        self.gate = gate
        self.faults = faults
        self.checkout_url = checkout_url
        self.send_redirect = send_redirect

    def routes(self) -> list[BaseRoute]:
        api = self.gate.api
        return [
            Route(f"{RAGIONERIA}/ricevute", api(self.find, "receipt"), methods=["GET"]),
            Route(
                f"{RAGIONERIA}/ricevute/{{idDominio}}/{{iuv}}/{{idRicevuta}}",
                api(self.get, "receipt"),
                methods=["GET"],
            ),
            Route(f"{PAGAMENTO}/pagamenti", api(self.pagamenti, "redirect"), methods=["POST"]),
        ]

    async def find(self, request: Request) -> Response:
        q = request.query_params
        iuv = q.get("iuv")
        if q.get("numeroAvviso") is not None:
            try:
                iuv = iuv_of(q["numeroAvviso"])
            except ValueError as exc:
                raise syntax(f"numeroAvviso: {exc}") from None
        rows = []
        for p in self.store.all():
            if q.get("idDominio", p.id_dominio) != p.id_dominio:
                continue
            for r in p.rpps:
                if (iuv is None or r.iuv == iuv) and q.get("idRicevuta", r.ccp) == r.ccp:
                    rows.append((r.received_at, render.ricevuta_index(p, r, self.store.enti)))
        rows.sort(key=lambda row: row[0], reverse=True)
        return json_response(paged([row for _, row in rows], request))

    async def get(self, request: Request) -> Response:
        id_dominio, iuv, id_ricevuta = (
            request.path_params[k] for k in ("idDominio", "iuv", "idRicevuta")
        )
        pendenza = self.store.by_dominio_iuv(id_dominio, iuv)
        rpp = next((r for r in pendenza.rpps if r.ccp == id_ricevuta), None) if pendenza else None
        if pendenza is None or rpp is None:
            raise not_found(f"Ricevuta {id_dominio}/{iuv}/{id_ricevuta} inesistente")
        accept = first_accept(request)
        if accept is None or "application/json" in accept:
            return json_response(render.ricevuta(pendenza, rpp, self.store.enti))
        if "application/pdf" in accept:
            name = f"{id_dominio}_{iuv}_{id_ricevuta}.pdf"
            pdf = receipt_pdf(pendenza, rpp, self.store.enti[id_dominio].ragione_sociale)
            return Response(
                pdf,
                media_type="application/pdf",
                headers={"content-disposition": f'attachment; filename="{name}"'},
            )
        raise not_acceptable(
            f"Ricevuta non disponibile nel formato '{accept}': consentiti application/json, "
            "application/pdf"
        )

    # --- API Pagamento v2 ----------------------------------------------------------------------

    def _pendenza(self, ref: Any, index: int, principal: str) -> Pendenza:
        if not isinstance(ref, dict):
            raise syntax(f"pendenze[{index}]: atteso un riferimento a una pendenza")
        if "idA2A" in ref and "idPendenza" in ref:
            found = self.store.pendenze.get((str(ref["idA2A"]), str(ref["idPendenza"])))
        elif "idDominio" in ref and "numeroAvviso" in ref:
            found = self.store.by_avviso(str(ref["idDominio"]), str(ref["numeroAvviso"]))
        else:
            raise syntax(
                f"pendenze[{index}]: indicare idA2A e idPendenza, oppure idDominio e numeroAvviso"
            )
        if found is None:
            raise business(
                "VER_011", "La verifica della pendenza ha dato esito PAA_PAGAMENTO_SCONOSCIUTO"
            )
        if found.id_a2a != principal:
            raise GovPayError(
                403,
                "AUTORIZZAZIONE",
                "APP_003",
                "Richiesta non valida",
                f"Applicazione ({principal}) non autorizzata a pagare la pendenza "
                f"(IdA2A:{found.id_a2a}, Id:{found.id_pendenza})",
            )
        refusal = NOT_PAYABLE.get(found.stato(self.store.clock.today()))
        if refusal is not None:
            code, outcome = refusal
            raise business(code, f"La verifica della pendenza ha dato esito {outcome}")
        return found

    async def pagamenti(self, request: Request) -> Response:
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("pendenze"), list):
            raise syntax("il corpo deve essere un NuovoPagamento con la lista pendenze")
        refs = body["pendenze"]
        if not 1 <= len(refs) <= 5:
            raise syntax("pendenze: da 1 a 5 pendenze per pagamento")
        url_ritorno = body.get("urlRitorno")
        if not isinstance(url_ritorno, str) or not url_ritorno:
            raise syntax("Il campo urlRitorno non deve essere vuoto.")
        principal = request.state.principal
        pendenze = [self._pendenza(ref, i, principal) for i, ref in enumerate(refs)]
        location = await self._cart(pendenze, url_ritorno)
        if self.send_redirect:
            return RedirectResponse(location, status_code=302)
        return json_response(
            {"id": "0", "location": location, "redirect": location, "idSession": "0"}, 201
        )

    async def _cart(self, pendenze: list[Pendenza], url_ritorno: str) -> str:
        """POST /carts to pagoPA Checkout, as GovPay's CheckoutClient does; the Location."""
        if self.faults.any_active and self.faults.fires("broken-redirect"):
            return "http://checkout.invalid/c/broken-redirect"
        if not self.checkout_url:
            raise GovPayError(
                502,
                "PAGOPA",
                "PPT_CANALE_IRRAGGIUNGIBILE",
                "Checkout pagoPA non configurato",
                "impostare checkout_url",
            )
        separator = "&" if "?" in url_ritorno else "?"
        cart = {
            "paymentNotices": [
                {
                    "noticeNumber": p.numero_avviso,
                    "fiscalCode": p.id_dominio,
                    "amount": int(p.importo * 100),
                    "companyName": self.store.enti[p.id_dominio].ragione_sociale[:140],
                    "description": p.causale[:140],
                }
                for p in pendenze
            ],
            "returnUrls": {
                f"return{kind}Url": f"{url_ritorno}{separator}{urlencode({'esito': esito})}"
                for kind, esito in (("Ok", "OK"), ("Cancel", "CANCEL"), ("Error", "ERROR"))
            },
        }
        url = self.checkout_url.rstrip("/") + "/checkout/ec/v1/carts"
        try:
            async with httpx.AsyncClient(timeout=10.0) as client:
                answer = await client.post(url, json=cart, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise GovPayError(
                502,
                "PAGOPA",
                "PPT_CANALE_IRRAGGIUNGIBILE",
                "Errore di connessione verso il Checkout pagoPA",
                str(exc),
            ) from None
        location: str | None = answer.headers.get("location")
        if answer.status_code != 302 or not location:
            raise GovPayError(
                502,
                "PAGOPA",
                "PPT_SYSTEM_ERROR",
                "Il Checkout pagoPA ha rifiutato il carrello",
                f"HTTP {answer.status_code}: {answer.text[:200]}",
            )
        return location
