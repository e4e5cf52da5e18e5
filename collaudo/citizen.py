"""A citizen paying online, over plain HTTP: the checkout pages walked form by form.

The pagoPA Checkout mock serves server-rendered pages with stable element ids
(``form#carrello`` → ``form#metodo`` → ``form#carta`` → ``form#conferma`` →
``#esito`` → ``a#continua`` back to the creditor). :func:`pay_online` submits
each page's own form as a browser would, so a changed page breaks it loudly,
with the page that did not match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urljoin

import httpx

from adapters.core.tls import default_tls

PAYING_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
CARD_SCREEN_ERROR_CARD = "4000 0000 0000 9995"

Outcome = Literal["OK", "KO", "CANCELED", "ERROR"]


class CheckoutWalkError(RuntimeError):
    """A checkout page was not what a citizen expects; carries the page."""

    def __init__(self, step: str, response: httpx.Response) -> None:
        super().__init__(
            f"checkout step {step!r}: HTTP {response.status_code} at {response.url}; "
            f"page starts: {response.text[:300]!r}"
        )
        self.step = step
        self.response = response


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.ids: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        element_id = a.get("id")
        if not element_id:
            return
        self.ids[element_id] = a
        if tag == "form":
            self.forms[element_id] = a.get("action") or ""
        elif tag == "a":
            self.links[element_id] = a.get("href") or ""


def _parse(response: httpx.Response) -> _Page:
    page = _Page()
    page.feed(response.text)
    return page


@dataclass
class CheckoutResult:
    """Where the walk ended: the outcome shown and the creditor URL returned to."""

    outcome: Outcome
    return_url: str | None
    pages: list[str] = field(default_factory=list)  # URLs visited, in order


@dataclass
class Citizen:
    email: str = "mario.rossi@example.org"
    holder: str = "Mario Rossi"
    expiry: str = "12/39"
    cvv: str = "123"
    timeout: float = 20.0

    async def pay_online(
        self, url: str, card: str = PAYING_CARD, *, cancel: bool = False
    ) -> CheckoutResult:
        """Open ``url`` (a proxy's ``/online-payment/{id}`` or a checkout URL) and pay."""
        visited: list[str] = []
        async with httpx.AsyncClient(timeout=self.timeout, verify=default_tls()) as http:
            page = await http.get(url, follow_redirects=True)
            visited.append(str(page.url))
            if page.status_code != 200:
                raise CheckoutWalkError("open cart", page)
            if cancel:
                return await self._cancel(http, page, visited)
            page = await self._submit(http, page, "carrello", {"email": self.email})
            page = await self._submit(http, page, "metodo", {"method": "CP"})
            card_data = {
                "holder": self.holder,
                "number": card,
                "expiry": self.expiry,
                "cvv": self.cvv,
            }
            page = await self._submit(http, page, "carta", card_data)
            visited.append(str(page.url))
            if "conferma" not in _parse(page).forms:
                return CheckoutResult("ERROR", None, visited)  # card screen error
            page = await self._submit(http, page, "conferma", {})
            return await self._finish(http, page, visited)

    async def _cancel(
        self, http: httpx.AsyncClient, page: httpx.Response, visited: list[str]
    ) -> CheckoutResult:
        """Press "Annulla": the checkout either shows an outcome page or sends the citizen
        straight back to the creditor's cancel URL."""
        checkout = page.url
        page = await self._submit(http, page, "annulla", {})
        if page.url.host != checkout.host or page.url.port != checkout.port:
            visited.append(str(page.url))
            return CheckoutResult("CANCELED", str(page.url), visited)
        return await self._finish(http, page, visited)

    async def _submit(
        self, http: httpx.AsyncClient, page: httpx.Response, form_id: str, data: dict[str, str]
    ) -> httpx.Response:
        action = _parse(page).forms.get(form_id)
        if action is None:
            raise CheckoutWalkError(f"form #{form_id}", page)
        step = await http.post(urljoin(str(page.url), action), data=data)
        if step.status_code not in (302, 303):
            return step  # a page answering in place (e.g. card errors)
        return await http.get(urljoin(str(step.url), step.headers["location"]))

    async def _finish(
        self, http: httpx.AsyncClient, page: httpx.Response, visited: list[str]
    ) -> CheckoutResult:
        visited.append(str(page.url))
        parsed = _parse(page)
        shown = parsed.ids.get("esito", {}).get("data-outcome")
        back = parsed.links.get("continua")
        if back is None:
            return CheckoutResult("ERROR", None, visited)
        step = await http.get(urljoin(str(page.url), back))
        return_url = step.headers.get("location") if step.status_code in (302, 303) else None
        outcome: Outcome = "OK" if shown == "OK" else "KO" if shown == "KO" else "CANCELED"
        if shown is None and "esito-sconosciuto" in parsed.ids:
            outcome = "ERROR"
        return CheckoutResult(outcome, return_url, visited)
