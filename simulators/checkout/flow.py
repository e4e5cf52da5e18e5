"""The citizen's walk through the checkout pages, one handler per step.

cart ``/c/{id}`` (verify) → ``scegli-metodo`` → ``inserisci-carta`` →
``riepilogo-pagamento`` → ``conferma`` (paGetPaymentV2, authorisation, paSendRTV2) →
``esito`` → ``ritorno`` (302 to returnOkUrl / returnErrorUrl); ``annulla`` at any open
step → returnCancelUrl. Carts opened by ``GET /pay`` return to their single
``returnUrl`` with ``esito=OK|KO|ANNULLATO`` and ``idCart`` added to its query.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from simulators.checkout import pages
from simulators.checkout.cards import check_card
from simulators.checkout.nodo import Nodo
from simulators.checkout.state import (
    CANCELLED,
    CARD_ENTERED,
    CARD_ERROR,
    CREATED,
    DECLINED,
    FAILED,
    METHOD_CHOSEN,
    PAID,
    PAYING,
    VERIFIED,
    VERIFY_FAILED,
    Cart,
    CheckoutState,
    now,
)

OPEN = {VERIFIED, METHOD_CHOSEN, CARD_ENTERED, CARD_ERROR, DECLINED}


class NotHere(Exception):
    """The cart cannot show this step now: answer ``response`` instead."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class Flow:
    """The page handlers, sharing the state, the Nodo and the fee."""

    def __init__(self, state: CheckoutState, nodo: Nodo, fee: Decimal) -> None:
        self.state = state
        self.nodo = nodo
        self.fee = fee

    def _cart(self, request: Request) -> Cart:
        cart = self.state.carts.get(request.path_params["cart_id"])
        if cart is None or cart.broken:
            raise NotHere(
                HTMLResponse(
                    pages.message_page(
                        "Carrello non trovato",
                        "Il carrello richiesto non esiste o è scaduto. Torna al sito dell'ente "
                        "e avvia di nuovo il pagamento.",
                        "non-trovato-pagina",
                    ),
                    status_code=404,
                )
            )
        return cart

    def _open(self, request: Request) -> Cart:
        """The cart, if the citizen can still act on it; else where they belong."""
        cart = self._cart(request)
        if cart.lost_outcome:
            raise NotHere(HTMLResponse(pages.lost_outcome_page(cart), status_code=504))
        if cart.status in {CREATED, VERIFY_FAILED}:
            raise NotHere(_see(f"/c/{cart.id}"))
        if cart.status in {PAID, FAILED}:
            raise NotHere(_see(f"/c/{cart.id}/esito"))
        if cart.status == PAYING:
            raise NotHere(
                HTMLResponse(
                    pages.message_page(
                        "Pagamento in corso",
                        "Stiamo elaborando il pagamento: attendi qualche secondo e ricarica.",
                        "in-corso",
                        cart,
                    ),
                    status_code=409,
                )
            )
        if cart.status == CANCELLED:
            raise NotHere(
                HTMLResponse(
                    pages.message_page(
                        "Pagamento annullato", "Hai annullato questo pagamento.", "annullato", cart
                    ),
                    status_code=409,
                )
            )
        return cart

    async def cart(self, request: Request) -> Response:
        try:
            cart = self._cart(request)
            if cart.status in {CREATED, VERIFY_FAILED}:
                await self.nodo.verify(cart)
                failed = any(n.verify_error is not None for n in cart.notices)
                cart.status = VERIFY_FAILED if failed else VERIFIED
                cart.error = "a creditor refused a notice at verification" if failed else None
            if cart.status == VERIFY_FAILED:
                return HTMLResponse(pages.verify_error_page(cart))
            cart = self._open(request)
        except NotHere as redirect:
            return redirect.response
        if request.method == "POST":
            form = await request.form()
            email = str(form.get("email", "")).strip()
            cart.email = email or cart.email
            return _see(f"/c/{cart.id}/scegli-metodo")
        return HTMLResponse(pages.cart_page(cart))

    async def method(self, request: Request) -> Response:
        try:
            cart = self._open(request)
        except NotHere as redirect:
            return redirect.response
        if request.method == "GET":
            return HTMLResponse(pages.method_page(cart))
        form = await request.form()
        if form.get("method") != "CP":
            page = pages.method_page(cart, "Scegli un metodo di pagamento disponibile.")
            return HTMLResponse(page, status_code=422)
        cart.method = "CP"
        if cart.status == VERIFIED:
            cart.status = METHOD_CHOSEN
        return _see(f"/c/{cart.id}/inserisci-carta")

    async def card(self, request: Request) -> Response:
        try:
            cart = self._open(request)
        except NotHere as redirect:
            return redirect.response
        if cart.method is None:
            return _see(f"/c/{cart.id}/scegli-metodo")
        if request.method == "GET":
            return HTMLResponse(pages.card_page(cart, {}, {}))
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ("holder", "number", "expiry", "cvv")}
        card, errors = check_card(
            values["holder"], values["number"], values["expiry"], values["cvv"]
        )
        if card is None:
            return HTMLResponse(pages.card_page(cart, values, errors), status_code=422)
        if card.behaviour == "screen-error" or self.state.faults.check("card") is not None:
            cart.status = CARD_ERROR
            cart.error = "the card screen failed"
            return HTMLResponse(pages.card_screen_error_page(cart), status_code=502)
        cart.card = card
        cart.status = CARD_ENTERED
        cart.error = None
        return _see(f"/c/{cart.id}/riepilogo-pagamento")

    async def summary(self, request: Request) -> Response:
        try:
            cart = self._open(request)
        except NotHere as redirect:
            return redirect.response
        if cart.card is None or cart.status != CARD_ENTERED:
            return _see(f"/c/{cart.id}/inserisci-carta")
        return HTMLResponse(pages.confirm_page(cart, self.fee))

    async def confirm(self, request: Request) -> Response:
        try:
            cart = self._open(request)
        except NotHere as redirect:
            return redirect.response
        if cart.card is None or cart.status != CARD_ENTERED:
            return _see(f"/c/{cart.id}/inserisci-carta")
        cart.status = PAYING
        try:
            refusal = await self.nodo.activate(cart)
        except Exception:
            cart.status = CARD_ENTERED  # let the citizen try again rather than hang
            raise
        if refusal is not None:
            cart.status = FAILED
            cart.error = (
                "L'ente creditore non ha confermato il pagamento "
                f"({refusal.fault_code}: {refusal.description})."
            )
            return _see(f"/c/{cart.id}/esito")
        if cart.card.behaviour == "declined":
            cart.status = DECLINED
            cart.error = "La carta è stata rifiutata dalla banca emittente."
            return _see(f"/c/{cart.id}/esito")
        cart.status = PAID
        cart.error = None
        cart.paid_at = now()
        self.nodo.prepare_receipts(cart)
        await self.nodo.notify(cart)
        if self.state.faults.check("outcome") is not None:
            cart.lost_outcome = True
            return HTMLResponse(pages.lost_outcome_page(cart), status_code=504)
        return _see(f"/c/{cart.id}/esito")

    async def outcome(self, request: Request) -> Response:
        try:
            cart = self._cart(request)
        except NotHere as redirect:
            return redirect.response
        if cart.lost_outcome:
            return HTMLResponse(pages.lost_outcome_page(cart), status_code=504)
        if cart.status not in {PAID, FAILED, DECLINED}:
            return _see(f"/c/{cart.id}")
        return HTMLResponse(pages.outcome_page(cart))

    def return_url(self, cart: Cart) -> str:
        if cart.status == PAID:
            url, esito = cart.return_urls.ok, "OK"
        elif cart.status == CANCELLED:
            url, esito = cart.return_urls.cancel, "ANNULLATO"
        else:
            url, esito = cart.return_urls.error, "KO"
        return with_query(url, esito=esito, idCart=cart.id_cart or cart.id) if cart.direct else url

    async def back(self, request: Request) -> Response:
        try:
            cart = self._cart(request)
        except NotHere as redirect:
            return redirect.response
        if cart.lost_outcome:
            return HTMLResponse(pages.lost_outcome_page(cart), status_code=504)
        if cart.status not in {PAID, FAILED, DECLINED, VERIFY_FAILED, CANCELLED}:
            return _see(f"/c/{cart.id}")
        return RedirectResponse(self.return_url(cart), status_code=302)

    async def cancel(self, request: Request) -> Response:
        try:
            cart = self._cart(request)
        except NotHere as redirect:
            return redirect.response
        if cart.status in {PAID, PAYING} or cart.lost_outcome:
            return _see(f"/c/{cart.id}/esito")
        cart.status = CANCELLED
        return RedirectResponse(self.return_url(cart), status_code=303)
